//! The new-api family's generic video route: `POST /v1/video/generations` and
//! `GET /v1/video/generations/{task_id}`. Like new-api, it answers with its own task id and
//! knows tasks by that id only: there is no lookup by `external_task_id`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::api_key_ok;
use super::responses::{Style, gateway_error, parallel_limit, task_error};
use super::server::{Shared, SimState};
use super::store::CreateRefused;
use super::task::{Api, Phase, TaskRecord};
use super::validate::{self, Invalid};

/// new-api's token middleware answers a bad key in the OpenAI error shape.
fn unauthorized() -> Response {
    gateway_error(
        StatusCode::UNAUTHORIZED,
        "new_api_error",
        "invalid_api_key",
        "invalid token",
        None,
    )
}

/// new-api's task relay refuses a body as a task error (`prompt is required`, or Kling's
/// own refusal passed on).
fn invalid(e: Invalid) -> Response {
    task_error(StatusCode::BAD_REQUEST, "invalid_request", e.message)
}

pub(crate) async fn create(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !api_key_ok(&headers, &state.keys) {
        return unauthorized();
    }
    let (map, outcome) = match state.create_intake(&body, Style::Gateway, invalid) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let spec = match validate::gateway::parse(&map) {
        Ok(spec) => spec,
        Err(e) => return invalid(e),
    };
    let limit = state.faults().max_in_flight;
    match state
        .store()
        .create(Api::Gateway, spec, outcome, state.run_for, limit)
    {
        // The OpenAI video object new-api answers, with the older `task_id` beside `id`.
        Ok(task) => Json(json!({
            "id": task.task_id,
            "task_id": task.task_id,
            "object": "video",
            "status": "queued",
            "created_at": task.created_ms / 1000,
        }))
        .into_response(),
        Err(CreateRefused::OverParallelLimit) => parallel_limit(Style::Gateway),
        Err(CreateRefused::DuplicateExternalId) => task_error(
            StatusCode::BAD_REQUEST,
            "task_failed",
            "external_task_id already exists",
        ),
    }
}

pub(crate) async fn query(
    State(state): State<Shared>,
    Path(task_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !api_key_ok(&headers, &state.keys) {
        return unauthorized();
    }
    let mut store = state.store();
    let Some(task) = store
        .get(&task_id)
        .filter(|t| t.api == Api::Gateway)
        .cloned()
    else {
        return task_error(
            StatusCode::BAD_REQUEST,
            "task_not_exist",
            format!("task {task_id} not found"),
        );
    };
    store.count_query(&task.task_id);
    drop(store);
    Json(task_json(&state, &task)).into_response()
}

/// new-api's envelope for `/v1/video/generations/{id}`:
/// `{"code":"success","data":{"task_id","status":"SUCCESS","progress","result_url","fail_reason"}}`.
fn task_json(state: &SimState, task: &TaskRecord) -> Value {
    let status = task.status();
    let (name, progress) = match status.phase {
        Phase::Submitted => ("QUEUED", "10%"),
        Phase::Processing => ("IN_PROGRESS", "50%"),
        Phase::Succeeded => ("SUCCESS", "100%"),
        Phase::Failed(_) => ("FAILURE", "100%"),
    };
    let mut data = json!({
        "task_id": task.task_id,
        "status": name,
        "progress": progress,
        "fail_reason": "",
        "submit_time": task.created_ms / 1000,
    });
    match status.phase {
        Phase::Succeeded => data["result_url"] = json!(state.video_url(&task.task_id)),
        Phase::Failed(msg) => data["fail_reason"] = json!(msg),
        Phase::Submitted | Phase::Processing => {}
    }
    json!({ "code": "success", "message": "", "data": data })
}
