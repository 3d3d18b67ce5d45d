//! The Bearer-key gateway's task objects and `{"error": {message, type, param, code}}` errors.

use serde_json::Value;

use super::{array, is_success, kind_of, seconds, snippet, text, unreadable};
use crate::providers::errors::{ProviderError, classify_gateway_error};
use crate::providers::{RemoteVideo, TaskSnapshot, TaskState};

/// One task, as answered by create and by query. An error status becomes its error.
pub fn parse_gateway_task(status: u16, body: &[u8]) -> Result<TaskSnapshot, ProviderError> {
    if !is_success(status) {
        return Err(parse_gateway_error(status, body));
    }
    task_from_json(&json_object(status, body)?)
}

/// The lookup answer `{"data": [task, …]}`.
pub fn parse_gateway_list(status: u16, body: &[u8]) -> Result<Vec<TaskSnapshot>, ProviderError> {
    if !is_success(status) {
        return Err(parse_gateway_error(status, body));
    }
    let json = json_object(status, body)?;
    array(json.get("data"), "data")?
        .iter()
        .map(task_from_json)
        .collect()
}

/// The error an error status stands for, read from the body when it has the usual shape.
pub fn parse_gateway_error(status: u16, body: &[u8]) -> ProviderError {
    let json: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return classify_gateway_error(status, None, None, &snippet(body), None),
    };
    match json.get("error") {
        Some(Value::Object(e)) => {
            let field = |k: &str| text(e.get(k));
            classify_gateway_error(
                status,
                field("code").as_deref(),
                field("type").as_deref(),
                &field("message").unwrap_or_default(),
                field("param").as_deref(),
            )
        }
        // Some vendors answer `{"error": "text"}`.
        Some(Value::String(msg)) => classify_gateway_error(status, None, None, msg, None),
        _ => classify_gateway_error(status, None, None, &snippet(body), None),
    }
}

fn json_object(status: u16, body: &[u8]) -> Result<Value, ProviderError> {
    let json: Value = serde_json::from_slice(body)
        .map_err(|e| unreadable(status, body, &format!("not JSON: {e}")))?;
    if !json.is_object() {
        return Err(unreadable(
            status,
            body,
            &format!("expected an object, got {}", kind_of(&json)),
        ));
    }
    Ok(json)
}

fn task_from_json(task: &Value) -> Result<TaskSnapshot, ProviderError> {
    if !task.is_object() {
        return Err(ProviderError::Malformed(format!(
            "task should be an object, got {}",
            kind_of(task)
        )));
    }
    let Some(task_id) = text(task.get("task_id")) else {
        // A success status carrying only an error object is still a refusal.
        if task.get("error").is_some_and(Value::is_object) {
            let body = task.to_string();
            return Err(parse_gateway_error(200, body.as_bytes()));
        }
        return Err(ProviderError::Malformed("task has no task_id".into()));
    };
    let state = match task.get("status").and_then(Value::as_str) {
        Some("queued" | "pending" | "submitted") => TaskState::Submitted,
        Some("processing" | "in_progress" | "running") => TaskState::Processing,
        Some("succeeded" | "completed") => TaskState::Succeeded,
        Some("failed") => TaskState::Failed,
        Some(other) => {
            return Err(ProviderError::Malformed(format!(
                "task {task_id} has unknown status {other:?}"
            )));
        }
        None => {
            return Err(ProviderError::Malformed(format!(
                "task {task_id} has no status"
            )));
        }
    };
    let mut videos = array(task.get("videos"), "videos")?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let url = text(v.get("url")).ok_or_else(|| {
                ProviderError::Malformed(format!("task {task_id}: videos[{i}] has no url"))
            })?;
            Ok(RemoteVideo {
                watermark_url: None,
                id: text(v.get("id")),
                url,
                duration_secs: seconds(v.get("duration")),
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    // Vendors that return a single result give only `video_url`.
    if videos.is_empty()
        && let Some(url) = text(task.get("video_url"))
    {
        videos.push(RemoteVideo {
            watermark_url: None,
            id: None,
            url,
            duration_secs: seconds(task.get("duration")),
        });
    }
    let error = task.get("error").filter(|e| e.is_object());
    Ok(TaskSnapshot {
        external_task_id: text(task.get("external_task_id")),
        state,
        status_msg: error.and_then(|e| text(e.get("message"))),
        videos,
        units_charged: None,
        error_code: error.and_then(|e| text(e.get("code")).or_else(|| text(e.get("type")))),
        task_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_create_answer_parses() {
        let t = parse_gateway_task(
            200,
            br#"{"task_id":"t1","status":"queued","external_task_id":"job-1"}"#,
        )
        .unwrap();
        assert_eq!(t.task_id, "t1");
        assert_eq!(t.state, TaskState::Submitted);
        assert_eq!(t.external_task_id.as_deref(), Some("job-1"));
    }

    #[test]
    fn succeeded_task_reads_videos_or_the_single_url() {
        let t = parse_gateway_task(
            200,
            br#"{"task_id":"t1","status":"succeeded","video_url":"https://a/0.mp4","videos":[{"url":"https://a/1.mp4","duration":5}]}"#,
        )
        .unwrap();
        assert_eq!(t.state, TaskState::Succeeded);
        assert_eq!(t.videos.len(), 1);
        assert_eq!(t.videos[0].duration_secs, Some(5.0));
        let single = parse_gateway_task(
            200,
            br#"{"task_id":"t1","status":"succeeded","video_url":"https://a/0.mp4"}"#,
        )
        .unwrap();
        assert_eq!(single.videos[0].url, "https://a/0.mp4");
    }

    #[test]
    fn failed_task_carries_message_and_code() {
        let t = parse_gateway_task(
            200,
            br#"{"task_id":"t1","status":"failed","error":{"message":"unsafe image","type":"content_policy","param":"image","code":"content_filtered"}}"#,
        )
        .unwrap();
        assert_eq!(t.state, TaskState::Failed);
        assert_eq!(t.status_msg.as_deref(), Some("unsafe image"));
        assert_eq!(t.error_code.as_deref(), Some("content_filtered"));
    }

    #[test]
    fn errors_are_classified_by_status_and_name_param() {
        let bad = parse_gateway_task(
            400,
            br#"{"error":{"message":"duration must be 3-15","type":"invalid_request_error","param":"duration","code":"invalid_value"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "invalid_value: duration must be 3-15 (param: duration)"
        );
        let quota = parse_gateway_task(
            402,
            br#"{"error":{"message":"no credit","type":"insufficient_quota"}}"#,
        )
        .unwrap_err();
        assert!(matches!(quota, ProviderError::Balance { .. }) && !quota.is_retryable());
        let openai_style = parse_gateway_task(
            429,
            br#"{"error":{"message":"quota","code":"insufficient_quota"}}"#,
        )
        .unwrap_err();
        assert!(matches!(openai_style, ProviderError::Balance { .. }));
        let limited = parse_gateway_task(
            429,
            br#"{"error":{"message":"slow down","type":"rate_limit_exceeded"}}"#,
        )
        .unwrap_err();
        assert!(limited.is_retryable());
        let dup = parse_gateway_task(
            409,
            br#"{"error":{"message":"exists","code":"duplicate_external_task_id"}}"#,
        )
        .unwrap_err();
        assert!(matches!(dup, ProviderError::Conflict { .. }));
        let auth = parse_gateway_task(
            401,
            br#"{"error":{"message":"bad key","type":"authentication_error"}}"#,
        )
        .unwrap_err();
        assert!(matches!(auth, ProviderError::Auth { .. }));
        let html = parse_gateway_task(502, b"<html>bad gateway</html>").unwrap_err();
        assert!(matches!(html, ProviderError::Server { status: 502, .. }));
    }

    #[test]
    fn lookup_list_parses_and_rejects_garbage() {
        let list = parse_gateway_list(200, br#"{"data":[{"task_id":"t1","status":"processing"}]}"#)
            .unwrap();
        assert_eq!(list[0].state, TaskState::Processing);
        assert!(
            parse_gateway_list(200, br#"{"data":[]}"#)
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            parse_gateway_list(200, br#"{"data":7}"#),
            Err(ProviderError::Malformed(_))
        ));
        assert!(matches!(
            parse_gateway_task(200, b"[]"),
            Err(ProviderError::Malformed(_))
        ));
    }
}
