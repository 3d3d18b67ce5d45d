//! `GET /tasks` of the v2 mock: by [LOOKUP]/[KLING] `task_ids`, or by [TASKS]
//! `external_task_ids` (the custom ids the creates carried), never both at once.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Mock, authorized, envelope, record};

/// [LOOKUP] `GET /tasks?task_ids=a,b`: each asked task, advancing one step a lookup.
/// [TASKS] `GET /tasks?external_task_ids=a,b`: the tasks whose create carried those ids.
pub(super) async fn lookup(
    State(mock): State<Mock>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (by_task, by_external) = (q.get("task_ids"), q.get("external_task_ids"));
    let query = match (by_task, by_external) {
        (Some(ids), None) => Some(format!("task_ids={ids}")),
        (None, Some(ids)) => Some(format!("external_task_ids={ids}")),
        _ => None,
    };
    record(&mock, "/tasks".into(), query, &headers, &Bytes::new());
    if let Some(refused) = authorized(&mock, &headers) {
        return refused;
    }
    // [TASKS] "you can choose between two query methods … but you cannot use them
    // simultaneously"; how Kling refuses both (or neither) is not written: [ERRORS] 1201.
    let (ids, external) = match (by_task, by_external) {
        (Some(ids), None) => (ids.clone(), false),
        (None, Some(ids)) => (ids.clone(), true),
        _ => {
            return envelope(
                400,
                1201,
                "one of task_ids and external_task_ids",
                Value::Null,
            );
        }
    };
    let asked: Vec<&str> = ids.split(',').collect();
    // [KLING] the batch, and its cap of 20.
    if asked.len() > 20 {
        return envelope(400, 1201, "too many task_ids", Value::Null);
    }
    let batch = asked.len() > 1;
    let mut inner = mock.inner.lock().unwrap();
    let (left_out, odd) = (inner.left_out_of_batches, inner.odd_in_batches);
    let withheld = external && inner.external_id_withheld;
    let mut data = Vec::new();
    for id in asked {
        let found = match external {
            true => inner
                .tasks
                .iter()
                .position(|t| !t.4.is_empty() && t.4 == id),
            false => inner.tasks.iter().position(|t| t.0 == id),
        };
        let Some(n) = found else {
            // [KLING] client README: "it answers `200 data: []` for unknown ids".
            continue;
        };
        if batch && left_out == Some(n) {
            continue;
        }
        if batch && odd == Some(n) {
            data.push(json!({"id": id}));
            continue;
        }
        let task = &mut inner.tasks[n];
        task.2 += 1;
        let mut answer = match (task.1.as_str(), task.2) {
            ("will_fail", _) => json!({"id": task.0, "status": "failed",
                "message": "content moderation"}),
            (_, 1) => json!({"id": task.0, "status": "processing"}),
            _ => json!({"id": task.0, "status": "succeeded", "outputs": [
                {"type": "video", "url": format!("{}/files/{}.mp4", mock.base, task.0)}]}),
        };
        // [TASKS] `"external_id": "string", // The custom task ID for this task (if any)`.
        if !task.4.is_empty() && !withheld {
            answer["external_id"] = json!(task.4);
        }
        data.push(answer);
    }
    envelope(200, 0, "SUCCEED", Value::Array(data))
}
