//! The official API's envelope `{code, message, request_id, data}` and its task objects.

use serde_json::Value;

use super::{array, bounded, is_success, kind_of, seconds, text, unreadable};
use crate::errors::{ProviderError, classify_by_status, classify_kling_code};
use crate::{RemoteVideo, TaskSnapshot, TaskState};

/// The envelope's `data` when `code` is 0, else the error the `code` stands for.
///
/// The body code decides, not the status: balance errors arrive as HTTP 429 and a failed
/// task as HTTP 200 with code 0. An answer without a code falls back to the status.
pub fn parse_kling_envelope(status: u16, body: &[u8]) -> Result<Value, ProviderError> {
    let json: Value = serde_json::from_slice(body)
        .map_err(|e| unreadable(status, body, &format!("not JSON: {e}")))?;
    let Some(envelope) = json.as_object() else {
        return Err(unreadable(
            status,
            body,
            &format!("expected an object, got {}", kind_of(&json)),
        ));
    };
    let mut message = envelope
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(id) = text(envelope.get("request_id")) {
        // Kling support asks for the request id; keep it with the message the user sees.
        message = format!("{message} (request_id {id})")
            .trim_start()
            .to_string();
    }
    match envelope.get("code").and_then(code_of) {
        Some(0) if is_success(status) => match envelope.get("data") {
            Some(data) if !data.is_null() => Ok(data.clone()),
            _ => Err(ProviderError::Malformed(
                "envelope has code 0 but no data".into(),
            )),
        },
        Some(0) | None if !is_success(status) => Err(classify_by_status(
            status,
            format!("HTTP {status}"),
            message,
        )),
        None => Err(ProviderError::Malformed(format!(
            "envelope has no numeric code (HTTP {status})"
        ))),
        Some(code) => Err(classify_kling_code(status, code, &message)),
    }
}

/// One task, as answered by create and by query.
pub fn parse_kling_task(status: u16, body: &[u8]) -> Result<TaskSnapshot, ProviderError> {
    task_from_data(&parse_kling_envelope(status, body)?)
}

/// The list endpoint's `data`: an array of tasks.
pub fn parse_kling_list(status: u16, body: &[u8]) -> Result<Vec<TaskSnapshot>, ProviderError> {
    let data = parse_kling_envelope(status, body)?;
    array(Some(&data), "list data")?
        .iter()
        .map(task_from_data)
        .collect()
}

/// The list endpoint's `data` for polling, leaving out tasks that cannot be read: one odd
/// task on a page of 500 must not cost every other task its answer. A task left out is
/// queried on its own, and its error shows on its job. (Reconciling a lost create keeps
/// [`parse_kling_list`]: there a task left out could be the one looked for.)
pub fn parse_kling_list_skipping_unreadable(
    status: u16,
    body: &[u8],
) -> Result<Vec<TaskSnapshot>, ProviderError> {
    let data = parse_kling_envelope(status, body)?;
    Ok(array(Some(&data), "list data")?
        .iter()
        .filter_map(|t| task_from_data(t).ok())
        .collect())
}

fn code_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn task_from_data(data: &Value) -> Result<TaskSnapshot, ProviderError> {
    if !data.is_object() {
        return Err(ProviderError::Malformed(format!(
            "task data should be an object, got {}",
            kind_of(data)
        )));
    }
    let task_id = text(data.get("task_id"))
        .ok_or_else(|| ProviderError::Malformed("task has no task_id".into()))?;
    let Some(word) = data.get("task_status").and_then(Value::as_str) else {
        return Err(ProviderError::Malformed(format!(
            "task {task_id} has no task_status"
        )));
    };
    let (state, unknown) = match word {
        "submitted" => (TaskState::Submitted, false),
        "processing" => (TaskState::Processing, false),
        // The API spells it `succeed`; accept the grammatical form too.
        "succeed" | "succeeded" => (TaskState::Succeeded, false),
        "failed" => (TaskState::Failed, false),
        // Never fail a paid task on a word we don't know: show it and keep polling.
        _ => (TaskState::Processing, true),
    };
    let videos = array(
        data.get("task_result").and_then(|r| r.get("videos")),
        "task_result.videos",
    )?
    .iter()
    .enumerate()
    .map(|(i, v)| {
        let url = text(v.get("url")).ok_or_else(|| {
            ProviderError::Malformed(format!(
                "task {task_id}: task_result.videos[{i}] has no url"
            ))
        })?;
        Ok(RemoteVideo {
            id: text(v.get("id")),
            url,
            // Sent as "" when the watermark was off: absent, not a file to fetch.
            watermark_url: text(v.get("watermark_url")),
            duration_secs: seconds(v.get("duration")),
        })
    })
    .collect::<Result<Vec<_>, ProviderError>>()?;
    bounded(TaskSnapshot {
        external_task_id: text(
            data.get("task_info")
                .and_then(|i| i.get("external_task_id")),
        ),
        state,
        status_msg: if unknown {
            Some(format!(
                "Kling reports task_status {word:?}, unknown to shotdeck; still polling"
            ))
        } else {
            text(data.get("task_status_msg"))
        },
        videos,
        units_charged: text(data.get("final_unit_deduction")),
        error_code: None,
        task_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_answer_parses() {
        let body = br#"{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"860000000000000001",
            "task_status":"submitted","task_info":{"external_task_id":"job-1"},"created_at":1,"updated_at":1}}"#;
        let t = parse_kling_task(200, body).unwrap();
        assert_eq!(t.task_id, "860000000000000001");
        assert_eq!(t.external_task_id.as_deref(), Some("job-1"));
        assert_eq!(t.state, TaskState::Submitted);
        assert!(t.videos.is_empty());
    }

    #[test]
    fn succeeded_query_reads_videos_and_units() {
        let body = br#"{"code":0,"message":"SUCCEED","data":{"task_id":"1","task_status":"succeed",
            "task_status_msg":"","final_unit_deduction":"2.5",
            "task_result":{"videos":[{"id":"v1","url":"https://cdn/x.mp4","watermark_url":"https://cdn/x-wm.mp4","duration":"5.1"}]}}}"#;
        let t = parse_kling_task(200, body).unwrap();
        assert_eq!(t.state, TaskState::Succeeded);
        assert_eq!(t.status_msg, None);
        assert_eq!(t.units_charged.as_deref(), Some("2.5"));
        assert_eq!(
            t.videos,
            vec![RemoteVideo {
                id: Some("v1".into()),
                url: "https://cdn/x.mp4".into(),
                watermark_url: Some("https://cdn/x-wm.mp4".into()),
                duration_secs: Some(5.1)
            }]
        );
    }

    #[test]
    fn an_unknown_task_status_is_shown_and_polled_again_not_an_error() {
        let body = br#"{"code":0,"message":"SUCCEED","data":{"task_id":"9","task_status":"queueing","task_status_msg":""}}"#;
        let t = parse_kling_task(200, body).unwrap();
        assert_eq!(t.state, TaskState::Processing);
        let msg = t.status_msg.unwrap();
        assert!(
            msg.contains("\"queueing\"") && msg.contains("still polling"),
            "{msg}"
        );
    }

    #[test]
    fn failed_task_with_code_zero_is_a_snapshot_not_an_error() {
        let body = br#"{"code":0,"message":"SUCCEED","data":{"task_id":"1","task_status":"failed",
            "task_status_msg":"content risk","task_result":{}}}"#;
        let t = parse_kling_task(200, body).unwrap();
        assert_eq!(t.state, TaskState::Failed);
        assert_eq!(t.status_msg.as_deref(), Some("content risk"));
    }

    #[test]
    fn body_code_decides_over_http_status() {
        let balance = br#"{"code":1102,"message":"resource pack exhausted","request_id":"r9"}"#;
        let err = parse_kling_task(429, balance).unwrap_err();
        assert!(matches!(err, ProviderError::Balance { .. }), "{err:?}");
        assert!(!err.is_retryable());
        assert!(
            err.to_string()
                .starts_with("1102: resource pack exhausted (request_id r9)")
        );
        let limited = parse_kling_task(429, br#"{"code":1302,"message":"too fast"}"#).unwrap_err();
        assert!(limited.is_retryable());
        assert!(
            !limited.is_over_concurrency(),
            "1302 is a rate, not a count"
        );
        let full = parse_kling_task(
            429,
            br#"{"code":1303,"message":"parallel task over resource pack limit"}"#,
        )
        .unwrap_err();
        assert!(
            full.is_retryable() && full.is_over_concurrency(),
            "{full:?}"
        );
        let missing = parse_kling_task(404, br#"{"code":1203,"message":"not found"}"#).unwrap_err();
        assert!(matches!(missing, ProviderError::NotFound { .. }));
    }

    #[test]
    fn unknown_codes_fall_back_to_the_status() {
        let server = parse_kling_task(502, br#"{"code":4242,"message":"odd"}"#).unwrap_err();
        assert!(server.is_retryable());
        let other = parse_kling_task(429, br#"{"code":4242,"message":"odd"}"#).unwrap_err();
        assert!(!other.is_retryable());
        assert_eq!(other.code().as_deref(), Some("4242"));
    }

    #[test]
    fn non_json_bodies_are_malformed_on_success_and_by_status_otherwise() {
        let err = parse_kling_task(200, b"{\"code\":0,\"data\":{").unwrap_err();
        assert!(matches!(err, ProviderError::Malformed(_)));
        let proxy = parse_kling_task(503, b"<html>Service Unavailable</html>").unwrap_err();
        assert!(
            matches!(proxy, ProviderError::Server { status: 503, .. }),
            "{proxy:?}"
        );
        assert!(matches!(
            parse_kling_task(200, br#"{"code":0,"data":{"task_id":"1","task_status":"succeed","task_result":{"videos":[{}]}}}"#),
            Err(ProviderError::Malformed(_))
        ));
    }

    #[test]
    fn a_poll_reads_the_readable_tasks_of_a_page_with_an_odd_one() {
        let body = br#"{"code":0,"message":"SUCCEED","data":[
            {"task_id":"1","task_status":"processing"},{"task_id":"2"},
            {"task_id":"3","task_status":"failed","task_status_msg":"risk"}]}"#;
        assert!(matches!(
            parse_kling_list(200, body),
            Err(ProviderError::Malformed(_))
        ));
        let tasks = parse_kling_list_skipping_unreadable(200, body).unwrap();
        let ids: Vec<&str> = tasks.iter().map(|t| t.task_id.as_str()).collect();
        assert_eq!(ids, ["1", "3"]);
        assert_eq!(tasks[1].status_msg.as_deref(), Some("risk"));
        let not_a_list = br#"{"code":0,"message":"SUCCEED","data":{"task_id":"1"}}"#;
        assert!(parse_kling_list_skipping_unreadable(200, not_a_list).is_err());
    }

    #[test]
    fn list_parses_every_task() {
        let body = br#"{"code":0,"message":"SUCCEED","data":[
            {"task_id":"1","task_status":"processing"},{"task_id":2,"task_status":"submitted"}]}"#;
        let tasks = parse_kling_list(200, body).unwrap();
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[1].task_id, "2");
    }
}
