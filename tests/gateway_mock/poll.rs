//! The generic route's poll answers, in the three shapes the sources show.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::{PollShape, Shared, Task, authorized, json_response, openai_error, task_error};

/// The task's state after `polls` earlier polls: waiting, running, then finished.
pub(super) fn stage(task: &Task) -> u32 {
    task.polls.min(2)
}

pub(super) async fn generic_poll(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut inner = s.lock().unwrap();
    if !authorized(&mut inner, &headers) {
        return openai_error(StatusCode::UNAUTHORIZED, "invalid token", "");
    }
    let shape = inner.shape.unwrap_or(PollShape::Envelope);
    let Some(task) = inner.tasks.get_mut(&id).filter(|t| t.relay_kind.is_none()) else {
        return task_error(StatusCode::BAD_REQUEST, "task_not_exist", "task_not_exist");
    };
    let stage = stage(task);
    task.polls += 1;
    let failed = stage == 2 && task.fail_reason.is_some();
    let reason = task.fail_reason.clone().unwrap_or_default();
    let url = format!("/files/{id}.mp4");
    let body = match shape {
        // model/task.go: "NOT_START", "SUBMITTED", "QUEUED", "IN_PROGRESS", "FAILURE", "SUCCESS".
        PollShape::Envelope => {
            let status = [
                "QUEUED",
                "IN_PROGRESS",
                if failed { "FAILURE" } else { "SUCCESS" },
            ];
            let mut data = json!({"task_id": id, "status": status[stage as usize],
                                  "progress": "50%", "fail_reason": reason});
            if stage == 2 && !failed {
                data["result_url"] = json!(url);
            }
            json!({"code": "success", "message": "", "data": data})
        }
        // "queued: Queued · in_progress: In Progress · completed: Completed · failed: Failed"
        PollShape::OpenAiVideo => {
            let status = [
                "queued",
                "in_progress",
                if failed { "failed" } else { "completed" },
            ];
            let mut v = json!({"id": id, "object": "video", "status": status[stage as usize]});
            if failed {
                v["error"] = json!({"message": reason, "code": "task_failed"});
            } else if stage == 2 {
                v["metadata"] = json!({"url": url});
            }
            v
        }
        // The seed: "queued | in_progress | succeeded" … "failed"; URL in `url`.
        PollShape::Simple => {
            let status = [
                "pending",
                "processing",
                if failed { "failed" } else { "succeeded" },
            ];
            let mut v = json!({"task_id": id, "status": status[stage as usize]});
            if failed {
                v["error"] = json!({"message": reason, "type": "generation_error", "param": null, "code": "failed"});
            } else if stage == 2 {
                v["url"] = json!(url);
            }
            v
        }
    };
    json_response(StatusCode::OK, absolutize(body, &headers))
}

/// Result URLs point back at this server (the Host the client used).
pub(super) fn absolutize(mut body: Value, headers: &HeaderMap) -> Value {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    fn walk(v: &mut Value, host: &str) {
        match v {
            Value::String(s) if s.starts_with("/files/") => *s = format!("http://{host}{s}"),
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, host)),
            Value::Object(map) => map.values_mut().for_each(|i| walk(i, host)),
            _ => {}
        }
    }
    walk(&mut body, host);
    body
}
