//! A Kling relay's answers (`--provider kling-relay`): Kling's envelope, as the official
//! API sends it, plus the two things relays add. Some forks answer a create with the task id
//! at the top level (`{"code": 0, "message": "", "task_id": "task_…"}`), and the relay's own
//! refusals (key, quota) come in its error shapes, not Kling's.

use serde_json::Value;

use super::gateway::parse_gateway_error;
use super::{bounded, is_success, parse_kling_task, text};
use crate::providers::errors::ProviderError;
use crate::providers::{TaskSnapshot, TaskState};

pub fn parse_relay_task(status: u16, body: &[u8]) -> Result<TaskSnapshot, ProviderError> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return parse_kling_task(status, body);
    };
    let code = map.get("code");
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
