//! The mock's answers: tasks created, queried, looked up and listed, in either wire form.

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Inner, Task};

pub(super) fn create(inner: &Inner, kind: &str, body: Option<&Value>, gateway: bool) -> Response {
    let external_task_id = body
        .and_then(|b| b.get("external_task_id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut tasks = inner.tasks.lock().unwrap();
    if external_task_id.is_some() && tasks.iter().any(|t| t.external_task_id == external_task_id) {
        return if gateway {
            let e = json!({"message": "external_task_id already used", "type": "invalid_request_error",
                "param": "external_task_id", "code": "duplicate_external_task_id"});
            respond(409, &json!({ "error": e }), None)
        } else {
            respond(
                400,
                &json!({"code": 1201, "message": "task with this external_task_id already exists"}),
                None,
            )
        };
    }
    let task = Task {
        task_id: format!("86{:016}", tasks.len() + 1),
        external_task_id,
        kind: kind.to_string(),
        polls: 0,
    };
    let answer = if gateway {
        gateway_json(&task)
    } else {
        envelope(kling_json(&task))
    };
    tasks.push(task);
    respond(200, &answer, None)
}

pub(super) fn query_task(inner: &Inner, id: &str, gateway: bool) -> Response {
    let mut tasks = inner.tasks.lock().unwrap();
    let found = tasks
        .iter_mut()
        .find(|t| t.task_id == id || t.external_task_id.as_deref() == Some(id));
    match found {
        Some(task) => {
            task.polls += 1;
            let answer = if gateway {
                gateway_json(task)
            } else {
                envelope(kling_json(task))
            };
            respond(200, &answer, None)
        }
        None if gateway => respond(
            404,
            &json!({"error": {"message": "task not found", "type": "invalid_request_error", "param": null, "code": "not_found"}}),
            None,
        ),
        None => respond(
            404,
            &json!({"code": 1203, "message": "task not found"}),
            None,
        ),
    }
}

pub(super) fn lookup(inner: &Inner, query: &str) -> Response {
    let wanted = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("external_task_id="))
        .unwrap_or_default();
    let tasks = inner.tasks.lock().unwrap();
    let data: Vec<Value> = tasks
        .iter()
        .filter(|t| t.external_task_id.as_deref() == Some(wanted))
        .map(gateway_json)
        .collect();
    respond(200, &json!({ "data": data }), None)
}

pub(super) fn list(inner: &Inner, kind: &str) -> Response {
    let tasks = inner.tasks.lock().unwrap();
    let data: Vec<Value> = tasks
        .iter()
        .filter(|t| t.kind == kind)
        .map(kling_json)
        .collect();
    respond(200, &envelope(Value::Array(data)), None)
}

/// Tasks advance one step per query: submitted → processing → succeeded.
fn kling_json(t: &Task) -> Value {
    let status = ["submitted", "processing", "succeed"][t.polls.min(2) as usize];
    let mut data = json!({"task_id": t.task_id, "task_status": status, "task_status_msg": "",
        "task_info": {"external_task_id": t.external_task_id}, "created_at": 1, "updated_at": 1});
    if t.polls >= 2 {
        data["task_result"] = json!({"videos": [{"id": "v1", "url": format!("https://cdn.example/{}.mp4", t.task_id), "duration": "5"}]});
        data["final_unit_deduction"] = json!("1");
    }
    data
}

fn gateway_json(t: &Task) -> Value {
    let status = ["queued", "processing", "succeeded"][t.polls.min(2) as usize];
    let mut task =
        json!({"task_id": t.task_id, "status": status, "external_task_id": t.external_task_id});
    if t.polls >= 2 {
        let url = format!("https://cdn.example/{}.mp4", t.task_id);
        task["video_url"] = json!(url);
        task["videos"] = json!([{"url": url, "duration": 5}]);
    }
    task
}

fn envelope(data: Value) -> Value {
    json!({"code": 0, "message": "SUCCEED", "request_id": "req-mock", "data": data})
}

pub(super) fn respond(status: u16, body: &Value, retry_after: Option<u64>) -> Response {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json");
    if let Some(secs) = retry_after {
        builder = builder.header("retry-after", secs.to_string());
    }
    builder.body(Body::from(body.to_string())).unwrap()
}
