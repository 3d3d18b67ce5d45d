//! Kling's element library answers (General - Query Custom Element, single and list;
//! <https://app.klingai.com/global/dev/document-api/apiReference/model/element>): the
//! envelope's `data` is an element task `{task_id, task_status, task_result: {elements:
//! [{element_id, element_name, element_description, element_image_list: {frontal_image,
//! …}, status, …}]}}`, or an array of them for the list.
//!
//! The element endpoints are the least-read part of the docs, so any other shape is a
//! clear [`ProviderError::Malformed`] naming what was missing: nothing is ever paid on
//! these calls, and a guess that is wrong must say so rather than show an empty library.

use serde_json::Value;

use super::bounds::{MAX_ID_CHARS, capped};
use super::kling::parse_kling_envelope;
use super::text;
use crate::errors::ProviderError;

/// One element of the account's library.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryElement {
    /// `element_id` as text (a long in Kling's answers; never through a float).
    pub id: String,
    pub name: String,
    pub description: String,
    /// `element_image_list.frontal_image`, the picture to show.
    pub frontal_image: Option<String>,
    /// The element's own `status` (`succeed` once usable).
    pub status: Option<String>,
}

/// One element-creation task and the elements it made so far.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementTask {
    pub task_id: String,
    /// `submitted`, `processing`, `succeed` or `failed`.
    pub status: String,
    pub status_msg: Option<String>,
    pub elements: Vec<LibraryElement>,
}

fn malformed(what: &str) -> ProviderError {
    ProviderError::Malformed(format!(
        "the element library answered an unexpected shape: {what}"
    ))
}

fn element(v: &Value) -> Result<LibraryElement, ProviderError> {
    let obj = v
        .as_object()
        .ok_or_else(|| malformed("an element is not an object"))?;
    let id =
        text(obj.get("element_id")).ok_or_else(|| malformed("an element has no element_id"))?;
    capped("element_id", &id, MAX_ID_CHARS)?;
    let str_of = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
    Ok(LibraryElement {
        id,
        name: str_of("element_name").unwrap_or_default(),
        description: str_of("element_description").unwrap_or_default(),
        frontal_image: obj
            .get("element_image_list")
            .and_then(|l| l.get("frontal_image"))
            .and_then(Value::as_str)
            .map(str::to_string),
        status: str_of("status"),
    })
}

/// One task object (the `data` of create and query, an item of the list).
pub fn element_task_from(data: &Value) -> Result<ElementTask, ProviderError> {
    let obj = data
        .as_object()
        .ok_or_else(|| malformed("data is not an object"))?;
    let task_id = text(obj.get("task_id")).ok_or_else(|| malformed("no task_id"))?;
    capped("task_id", &task_id, MAX_ID_CHARS)?;
    let status = obj
        .get("task_status")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("no task_status"))?;
    if !["submitted", "processing", "succeed", "failed"].contains(&status) {
        return Err(malformed(&format!(
            "task_status {status:?} is not one Kling documents"
        )));
    }
    let elements = match obj.get("task_result").and_then(|r| r.get("elements")) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(element).collect::<Result<_, _>>()?,
        Some(_) => return Err(malformed("task_result.elements is not an array")),
    };
    if status == "succeed" && elements.is_empty() {
        return Err(malformed("a succeeded task names no element"));
    }
    Ok(ElementTask {
        task_id,
        status: status.to_string(),
        status_msg: obj
            .get("task_status_msg")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        elements,
    })
}

/// The answer to create and to the single query.
pub fn parse_element_task(status: u16, body: &[u8]) -> Result<ElementTask, ProviderError> {
    element_task_from(&parse_kling_envelope(status, body)?)
}

/// The list's `data`: an array of tasks.
pub fn parse_element_list(status: u16, body: &[u8]) -> Result<Vec<ElementTask>, ProviderError> {
    match parse_kling_envelope(status, body)? {
        Value::Array(items) => items.iter().map(element_task_from).collect(),
        _ => Err(malformed("the list's data is not an array")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_task_reads_and_other_shapes_are_named() {
        let body = br#"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"863121016086724692","task_status":"succeed","task_result":{"elements":[{"element_id":863121023120580600,"element_name":"my-character","element_image_list":{"frontal_image":"https://x.test/f.png"},"status":"succeed"}]}}}"#;
        let task = parse_element_task(200, body).unwrap();
        assert_eq!(task.elements[0].id, "863121023120580600");
        assert_eq!(
            task.elements[0].frontal_image.as_deref(),
            Some("https://x.test/f.png")
        );
        let odd = br#"{"code":0,"data":{"task_id":"1","task_status":"succeed","elements":[]}}"#;
        let e = parse_element_task(200, odd).unwrap_err().to_string();
        assert!(e.contains("names no element"), "{e}");
        let list = br#"{"code":0,"data":{"items":[]}}"#;
        assert!(
            parse_element_list(200, list)
                .unwrap_err()
                .to_string()
                .contains("not an array")
        );
    }
}
