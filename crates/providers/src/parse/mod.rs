//! Pure response parsers: `(HTTP status, body bytes)` in, a snapshot or a classified error
//! out. No I/O here, so property tests and fuzz targets can feed them arbitrary bytes.

mod bounds;
mod elements;
mod gateway;
mod kling;
mod kling_v2;
mod relay;

use serde_json::Value;

use super::errors::ProviderError;

use bounds::bounded;
pub use bounds::{MAX_ID_CHARS, MAX_URL_CHARS};
pub use elements::{
    ElementTask, LibraryElement, element_task_from, parse_element_list, parse_element_task,
};
pub use gateway::{parse_gateway_created, parse_gateway_error, parse_gateway_task};
pub use kling::{
    parse_kling_envelope, parse_kling_list, parse_kling_list_skipping_unreadable, parse_kling_task,
};
pub use kling_v2::{
    parse_kling_v2_created, parse_kling_v2_tasks, parse_kling_v2_tasks_skipping_unreadable,
};
pub use relay::parse_relay_task;

/// Longest piece of a response body quoted in an error message.
const SNIPPET_CHARS: usize = 200;

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// The start of a body on one line, for messages about answers we could not read.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(SNIPPET_CHARS).collect();
    if one_line.chars().count() > SNIPPET_CHARS {
        out.push('…');
    }
    if out.is_empty() {
        "empty body".into()
    } else {
        out
    }
}

/// A body that is not the JSON object we expected: on an error status the status decides
/// (a proxy's HTML 502 is still a retryable server error); on success it is malformed.
fn unreadable(status: u16, body: &[u8], what: &str) -> ProviderError {
    if is_success(status) {
        ProviderError::Malformed(format!("{what} (HTTP {status}; body: {})", snippet(body)))
    } else {
        super::errors::classify_by_status(status, format!("HTTP {status}"), snippet(body))
    }
}

/// A JSON string or number as text; ids and amounts arrive as either depending on vendor.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Seconds given as a number or a numeric string (the official API sends `"5"`).
fn seconds(v: Option<&Value>) -> Option<f64> {
    let secs = match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }?;
    (secs.is_finite() && secs >= 0.0).then_some(secs)
}

/// The objects of a JSON array field (absent or null = none).
fn array<'a>(v: Option<&'a Value>, what: &str) -> Result<&'a [Value], ProviderError> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(ProviderError::Malformed(format!(
            "{what} should be a list, got {}",
            kind_of(other)
        ))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
