//! The new-api family's answers. Three poll shapes are in use (README, provider section):
//! new-api's envelope `{"code":"success","data":{"status":"SUCCESS","result_url",…}}`, the
//! OpenAI video object `{"status":"completed","metadata":{"url"}}` and the simple
//! `{"status":"succeeded","url"}`; which fields are read, and which status words mean what,
//! come from the gateway profile. Errors come as `{"error":{message,type,param,code}}`
//! (middleware, OpenAI style) or `{"code","message","data"}` (new-api's task errors).

use serde_json::Value;

use super::{bounded, is_success, kind_of, snippet, text, unreadable};
use crate::errors::{ProviderError, classify_gateway_error, classify_kling_code};
use crate::{RemoteVideo, TaskSnapshot, TaskState};
use shotdeck_core::gateway_profile::GatewayProfile;

/// The create answer: the gateway's own task id in `task_id`, else `id` (new-api sends both;
/// `task_id` is the older name).
pub fn parse_gateway_created(status: u16, body: &[u8]) -> Result<TaskSnapshot, ProviderError> {
    let json = checked_object(status, body)?;
    let Some(task_id) = task_id_of(&json) else {
        return Err(refusal_or(
            status,
            &json,
            "the create answer has no task_id or id",
        ));
    };
    bounded(snapshot(task_id, TaskState::Submitted))
}

/// One poll answer for `task_id`, read as `profile` says.
pub fn parse_gateway_task(
    status: u16,
    body: &[u8],
    task_id: &str,
    profile: &GatewayProfile,
) -> Result<TaskSnapshot, ProviderError> {
    let json = checked_object(status, body)?;
    let Some(word) = first_text(&json, &profile.status_fields) else {
        return Err(refusal_or(status, &json, "the task answer has no status"));
    };
    let task_id = task_id_of(&json).unwrap_or_else(|| task_id.to_string());
    let is = |list: &[String]| list.iter().any(|w| w.eq_ignore_ascii_case(&word));
    let mut task = snapshot(task_id, TaskState::Processing);
    if is(&profile.status_queued) {
        task.state = TaskState::Submitted;
    } else if is(&profile.status_running) {
    } else if is(&profile.status_succeeded) {
        let Some(url) = first_text(&json, &profile.url_fields) else {
            // Some gateways write the URL a moment after the status: read again.
            return Err(ProviderError::Malformed(format!(
                "task {} says {word:?} but gives no video URL (looked in {})",
                task.task_id,
                profile.url_fields.join(", ")
            )));
        };
        task.state = TaskState::Succeeded;
        task.videos.push(RemoteVideo {
            id: None,
            url,
            // new-api relays one URL; a watermarked copy is not part of its answer.
            watermark_url: None,
            duration_secs: None,
        });
    } else if is(&profile.status_failed) {
        task.state = TaskState::Failed;
        task.status_msg = first_text(&json, &profile.failure_fields);
        task.error_code = text(json.pointer("/error/code")).or_else(|| text(json.get("code")));
        task.error_code = task
            .error_code
            .filter(|c| !c.eq_ignore_ascii_case("success"));
    } else {
        // Never fail a paid task on a word we don't know: show it and keep polling.
        task.status_msg = Some(format!(
            "the gateway reports status {word:?}, unknown to shotdeck; still polling \
             (add it to a status list of [profiles.gateway] in config.toml)"
        ));
    }
    bounded(task)
}

/// The error an error status (or an error-only body) stands for.
pub fn parse_gateway_error(status: u16, body: &[u8]) -> ProviderError {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => error_of(status, &json),
        Err(_) => classify_gateway_error(status, None, None, &snippet(body), None),
    }
}

fn error_of(status: u16, json: &Value) -> ProviderError {
    match json.get("error") {
        Some(Value::Object(e)) => {
            let field = |k: &str| text(e.get(k));
            if let Some(upstream) = wrapped_kling_error(status, &field("message")) {
                return upstream;
            }
            return classify_gateway_error(
                status,
                field("code").as_deref(),
                field("type").as_deref(),
                &field("message").unwrap_or_default(),
                field("param").as_deref(),
            );
        }
        // Some vendors answer `{"error": "text"}`.
        Some(Value::String(msg)) => return classify_gateway_error(status, None, None, msg, None),
        _ => {}
    }
    // new-api's task errors: `{"code":"quota_not_enough","message":"…","data":null}`.
    let message = text(json.get("message")).unwrap_or_else(|| json.to_string());
    if let Some(upstream) = wrapped_kling_error(status, &Some(message.clone())) {
        return upstream;
    }
    classify_gateway_error(
        status,
        text(json.get("code")).as_deref(),
        None,
        &message,
        None,
    )
}

/// Kling's own answer wrapped in a new-api task error: `relay/relay_task.go` passes a
/// non-200 upstream body on as the message, `TaskErrorWrapper(fmt.Errorf("%s",
/// string(responseBody)), "fail_to_fetch_task", resp.StatusCode)`. Kling's body code decides
/// (1102 at HTTP 429 is a gone balance, never retried; 1302/1303 a rate limit to wait out).
fn wrapped_kling_error(status: u16, message: &Option<String>) -> Option<ProviderError> {
    let inner: Value = serde_json::from_str(message.as_deref()?.trim()).ok()?;
    let code = match inner.get("code")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    let text = text(inner.get("message")).unwrap_or_default();
    (code != 0).then(|| classify_kling_code(status, code, &text))
}

/// A JSON object on a success status; anything else is the error it stands for.
fn checked_object(status: u16, body: &[u8]) -> Result<Value, ProviderError> {
    if !is_success(status) {
        return Err(parse_gateway_error(status, body));
    }
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

/// A success status whose body lacks what we need: a refusal if it carries one (an error
/// object, or a `code` other than new-api's "success"), else an unreadable answer.
fn refusal_or(status: u16, json: &Value, what: &str) -> ProviderError {
    let code = text(json.get("code"));
    let refused = json.get("error").is_some_and(|e| !e.is_null())
        || code.is_some_and(|c| !c.eq_ignore_ascii_case("success"));
    if refused {
        error_of(status, json)
    } else {
        ProviderError::Malformed(format!("{what}: {}", snippet(json.to_string().as_bytes())))
    }
}

fn task_id_of(json: &Value) -> Option<String> {
    ["data.task_id", "task_id", "id"]
        .iter()
        .find_map(|path| text(lookup(json, path)))
}

fn first_text(json: &Value, paths: &[String]) -> Option<String> {
    paths.iter().find_map(|path| text(lookup(json, path)))
}

/// Follows a dotted path whose segments may end in `[N]`: `data[0].url`.
fn lookup<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(json, |at, segment| {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, Some(rest.trim_end_matches(']').parse().ok()?)),
            None => (segment, None),
        };
        let at = if name.is_empty() { at } else { at.get(name)? };
        match index {
            Some(i) => at.get::<usize>(i),
            None => Some(at),
        }
    })
}

fn snapshot(task_id: String, state: TaskState) -> TaskSnapshot {
    TaskSnapshot {
        task_id,
        external_task_id: None,
        state,
        status_msg: None,
        videos: Vec::new(),
        units_charged: None,
        error_code: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(body: &str) -> Result<TaskSnapshot, ProviderError> {
        parse_gateway_task(
            200,
            body.as_bytes(),
            "task_1",
            &GatewayProfile::modelstream(),
        )
    }

    #[test]
    fn create_answers_give_task_id_else_id() {
        let a = parse_gateway_created(200, br#"{"task_id":"t1","status":"queued"}"#).unwrap();
        assert_eq!((a.task_id.as_str(), a.state), ("t1", TaskState::Submitted));
        let b = parse_gateway_created(200, br#"{"id":"task_9","object":"video"}"#).unwrap();
        assert_eq!(b.task_id, "task_9");
        assert!(matches!(
            parse_gateway_created(200, br#"{"status":"queued"}"#),
            Err(ProviderError::Malformed(_))
        ));
    }

    #[test]
    fn the_three_poll_shapes_are_read() {
        let envelope = poll(
            r#"{"code":"success","data":{"task_id":"task_1","status":"SUCCESS","result_url":"https://a/1.mp4"}}"#,
        )
        .unwrap();
        assert_eq!(envelope.state, TaskState::Succeeded);
        assert_eq!(envelope.videos[0].url, "https://a/1.mp4");
        let openai =
            poll(r#"{"id":"task_1","status":"completed","metadata":{"url":"https://a/2.mp4"}}"#)
                .unwrap();
        assert_eq!(openai.videos[0].url, "https://a/2.mp4");
        let simple = poll(r#"{"status":"succeeded","data":[{"url":"https://a/3.mp4"}]}"#).unwrap();
        assert_eq!(simple.videos[0].url, "https://a/3.mp4");
        assert_eq!(simple.task_id, "task_1");
    }

    #[test]
    fn status_words_are_read_without_regard_to_case() {
        for (word, state) in [
            ("QUEUED", TaskState::Submitted),
            ("pending", TaskState::Submitted),
            ("IN_PROGRESS", TaskState::Processing),
            ("processing", TaskState::Processing),
            ("FAILURE", TaskState::Failed),
            ("failed", TaskState::Failed),
        ] {
            let t = poll(&format!(r#"{{"status":"{word}"}}"#)).unwrap();
            assert_eq!(t.state, state, "{word}");
        }
    }

    #[test]
    fn an_unknown_status_is_shown_and_not_terminal() {
        let t = poll(r#"{"status":"MODERATING"}"#).unwrap();
        assert!(!t.state.is_terminal());
        assert!(t.status_msg.unwrap().contains("\"MODERATING\""));
    }

    #[test]
    fn success_without_a_url_is_read_again() {
        assert!(matches!(
            poll(r#"{"status":"SUCCESS"}"#),
            Err(ProviderError::Malformed(_))
        ));
    }

    #[test]
    fn failures_carry_the_reason() {
        let t = poll(r#"{"code":"success","data":{"status":"FAILURE","fail_reason":"unsafe"}}"#)
            .unwrap();
        assert_eq!(t.state, TaskState::Failed);
        assert_eq!(t.status_msg.as_deref(), Some("unsafe"));
        assert_eq!(t.error_code, None);
    }

    #[test]
    fn both_error_shapes_are_classified() {
        let openai = parse_gateway_error(
            401,
            br#"{"error":{"message":"bad key","type":"new_api_error","code":""}}"#,
        );
        assert!(matches!(openai, ProviderError::Auth { .. }));
        let task = parse_gateway_error(
            403,
            br#"{"code":"quota_not_enough","message":"user quota is not enough","data":null}"#,
        );
        assert!(matches!(task, ProviderError::Balance { .. }), "{task:?}");
        let empty_prompt = parse_gateway_error(
            400,
            br#"{"code":"invalid_request","message":"prompt is required","data":null}"#,
        );
        assert_eq!(
            empty_prompt.to_string(),
            "invalid_request: prompt is required"
        );
        let html = parse_gateway_error(502, b"<html>bad gateway</html>");
        assert!(matches!(html, ProviderError::Server { status: 502, .. }));
    }

    #[test]
    fn kling_codes_wrapped_in_fail_to_fetch_task_decide() {
        let balance = parse_gateway_error(
            429,
            br#"{"code":"fail_to_fetch_task","message":"{\"code\":1102,\"message\":\"Account balance not enough\"}","data":null}"#,
        );
        assert!(
            matches!(balance, ProviderError::Balance { .. }),
            "{balance:?}"
        );
        assert!(!balance.is_retryable());
        let busy = parse_gateway_error(
            429,
            br#"{"code":"fail_to_fetch_task","message":"{\"code\":1303,\"message\":\"parallel task over resource pack limit\"}","data":null}"#,
        );
        assert!(
            matches!(busy, ProviderError::RateLimited { .. }),
            "{busy:?}"
        );
        assert!(busy.is_over_concurrency(), "{busy:?}");
        // new-api's controller rewrites a 429's message: only the status is left.
        let masked = parse_gateway_error(
            429,
            "{\"code\":\"fail_to_fetch_task\",\"message\":\"当前分组上游负载已饱和，请稍后再试\",\"data\":null}".as_bytes(),
        );
        assert!(
            matches!(masked, ProviderError::RateLimited { .. }),
            "{masked:?}"
        );
        assert!(!masked.is_over_concurrency());
    }

    #[test]
    fn paths_follow_objects_and_lists() {
        let v: Value = serde_json::from_str(r#"{"a":{"b":[{"c":1}]}}"#).unwrap();
        assert_eq!(lookup(&v, "a.b[0].c"), Some(&Value::from(1)));
        assert_eq!(lookup(&v, "a.b[1].c"), None);
        assert_eq!(lookup(&v, "a.x"), None);
    }
}
