//! A Kling relay's answers (`--provider kling-relay`): Kling's envelope, as the official
//! API sends it, plus what relays add. new-api answers a create with its OpenAI video object
//! (`{"id","task_id","object":"video","status":"queued"}`; some forks with a flat
//! `{"code": 0, "message": "", "task_id": "task_…"}`) and a poll with its own task envelope
//! (`relay/relay_task.go`, `dto/task.go`: `{"code":"success","data":{"task_id","status",
//! "fail_reason","result_url","progress","data"}}`); its refusals (key, quota, an upstream
//! body wrapped in `fail_to_fetch_task`) come in its error shapes, not Kling's.

use serde_json::Value;

use super::gateway::{parse_gateway_error, parse_gateway_task};
use super::{bounded, is_success, parse_kling_task, text};
use crate::errors::ProviderError;
use crate::{TaskSnapshot, TaskState};
use shotdeck_core::gateway_profile::GatewayProfile;

pub fn parse_relay_task(status: u16, body: &[u8]) -> Result<TaskSnapshot, ProviderError> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return parse_kling_task(status, body);
    };
    let code = map.get("code");
    if code.and_then(Value::as_str) == Some("success") {
        return newapi_envelope(status, body, &map);
    }
    let kling_code = code.and_then(|c| match c {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    if kling_code.is_none() && (!is_success(status) || map.contains_key("error")) {
        return Err(parse_gateway_error(status, body));
    }
    let no_data = map.get("data").is_none_or(Value::is_null);
    if is_success(status)
        && no_data
        && kling_code.unwrap_or(0) == 0
        && let Some(task_id) = text(map.get("task_id"))
    {
        return bounded(TaskSnapshot {
            task_id,
            external_task_id: None,
            state: TaskState::Submitted,
            status_msg: None,
            videos: Vec::new(),
            units_charged: None,
            error_code: None,
        });
    }
    parse_kling_task(status, body)
}

/// new-api's task envelope, read with stock new-api's status words and URL places (its
/// `TaskDto.data` keeps Kling's own answer, where the URL is when `result_url` is empty).
fn newapi_envelope(
    status: u16,
    body: &[u8],
    map: &serde_json::Map<String, Value>,
) -> Result<TaskSnapshot, ProviderError> {
    let Some(task_id) = map.get("data").and_then(|d| text(d.get("task_id"))) else {
        return Err(ProviderError::Malformed(
            "new-api's task envelope has no data.task_id (the task is not recorded yet)".into(),
        ));
    };
    parse_gateway_task(status, body, &task_id, &GatewayProfile::stock_newapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kling_envelope_and_the_flat_create_answer_both_read() {
        let kling = parse_relay_task(
            200,
            br#"{"code":0,"message":"SUCCEED","data":{"task_id":"8","task_status":"submitted"}}"#,
        )
        .unwrap();
        assert_eq!(kling.task_id, "8");
        let flat = parse_relay_task(200, br#"{"code":0,"message":"","task_id":"task_x"}"#).unwrap();
        assert_eq!(
            (flat.task_id.as_str(), flat.state),
            ("task_x", TaskState::Submitted)
        );
    }

    #[test]
    fn new_apis_envelope_and_video_object_are_read() {
        let created = parse_relay_task(
            200,
            br#"{"id":"task_9","task_id":"task_9","object":"video","model":"kling-v3","status":"queued","progress":0,"created_at":1}"#,
        )
        .unwrap();
        assert_eq!(
            (created.task_id.as_str(), created.state),
            ("task_9", TaskState::Submitted)
        );
        let running = parse_relay_task(
            200,
            br#"{"code":"success","message":"","data":{"task_id":"task_9","status":"IN_PROGRESS","progress":"50%","fail_reason":""}}"#,
        )
        .unwrap();
        assert_eq!(running.state, TaskState::Processing);
        let done = parse_relay_task(
            200,
            br#"{"code":"success","message":"","data":{"task_id":"task_9","status":"SUCCESS","result_url":"","progress":"100%",
                "data":{"code":0,"data":{"task_id":"k1","task_status":"succeed","task_result":{"videos":[{"id":"v","url":"https://v.test/1.mp4"}]}}}}}"#,
        )
        .unwrap();
        assert_eq!(done.state, TaskState::Succeeded);
        assert_eq!(done.videos[0].url, "https://v.test/1.mp4");
        assert_eq!(done.task_id, "task_9");
        let failed = parse_relay_task(
            200,
            br#"{"code":"success","data":{"task_id":"task_9","status":"FAILURE","fail_reason":"risk control"}}"#,
        )
        .unwrap();
        assert_eq!(failed.state, TaskState::Failed);
        assert_eq!(failed.status_msg.as_deref(), Some("risk control"));
        assert!(parse_relay_task(200, br#"{"code":"success","data":null}"#).is_err());
    }

    #[test]
    fn kling_codes_and_relay_errors_are_both_classified() {
        let balance = parse_relay_task(429, br#"{"code":1102,"message":"pack used up"}"#);
        assert!(matches!(balance, Err(ProviderError::Balance { .. })));
        let key = parse_relay_task(
            401,
            br#"{"error":{"message":"invalid token","type":"new_api_error"}}"#,
        );
        assert!(matches!(key, Err(ProviderError::Auth { .. })));
        let quota = parse_relay_task(403, br#"{"code":"quota_not_enough","message":"no"}"#);
        assert!(matches!(quota, Err(ProviderError::Balance { .. })));
    }
}
