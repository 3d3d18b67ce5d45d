//! The step between admitting a create and making the task: what the deployment sends to
//! Kling, and the Kling account's refusal wrapped the way new-api wraps it.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{Deployment, Inner, newapi, task_error};

/// What new-api does between admitting a body and making the task: the Kling body it
/// sends upstream, and the upstream's refusal wrapped as relay_task.go wraps it:
/// `service.TaskErrorWrapper(fmt.Errorf("%s", string(responseBody)), "fail_to_fetch_task",
/// resp.StatusCode)`.
pub(super) fn forward(inner: &mut Inner, body: &Value) -> Result<(), Box<Response>> {
    let kling = if inner.deployment == Deployment::ModelStream {
        modelstream_shots(body)
            .map_err(|m| Box::new(task_error(StatusCode::BAD_REQUEST, "invalid_request", &m)))?;
        ("form".to_string(), body.clone())
    } else {
        let fork = inner.deployment == Deployment::Fork;
        let c = newapi::convert(body, fork).map_err(|(status, code, message)| {
            Box::new(task_error(
                StatusCode::from_u16(status).unwrap(),
                code,
                &message,
            ))
        })?;
        inner.dropped.push(c.dropped);
        (c.kind.to_string(), c.kling)
    };
    inner.forwarded.push(kling);
    if let Some((status, upstream)) = inner.upstream_refusal.take() {
        let mut message = upstream.to_string();
        if status == 429 && !inner.keeps_upstream_message {
            message = "当前分组上游负载已饱和，请稍后再试".into();
        }
        let status = StatusCode::from_u16(status).unwrap();
        return Err(Box::new(task_error(status, "fail_to_fetch_task", &message)));
    }
    Ok(())
}

/// The documented item shape: `{"index": 123, "prompt": "<string>", "duration": "<string>"}`,
/// the durations adding up to the task's.
fn modelstream_shots(body: &Value) -> Result<(), String> {
    let Some(list) = body.get("multi_prompt") else {
        return Ok(());
    };
    let items = list.as_array().ok_or("multi_prompt must be a list")?;
    let mut total = 0;
    for (i, item) in items.iter().enumerate() {
        let ok = item["index"].as_u64() == Some(i as u64 + 1)
            && item["prompt"].as_str().is_some_and(|p| !p.is_empty())
            && item["duration"]
                .as_str()
                .and_then(|d| d.parse::<i64>().ok())
                .is_some();
        if !ok {
            return Err(format!(
                "multi_prompt[{i}] is not {{index, prompt, duration}}"
            ));
        }
        total += item["duration"].as_str().unwrap().parse::<i64>().unwrap();
    }
    match body["duration"].as_i64() {
        Some(d) if d == total => Ok(()),
        _ => Err("duration must be the sum of multi_prompt durations".into()),
    }
}
