//! The Bearer-key gateway's endpoints: create, query one, and look up by external id.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::api_key_ok;
use super::responses::{Style, gateway_error};
use super::server::{Shared, SimState};
use super::store::DuplicateExternalId;
use super::task::{Account, Api, Phase, TaskRecord};
use super::validate::{self, Invalid};

/// How many tasks an unfiltered list shows.
const LIST_LIMIT: usize = 100;

fn unauthorized() -> Response {
    gateway_error(
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "invalid_api_key",
        "invalid api key",
        None,
    )
}

fn invalid(e: Invalid) -> Response {
    let code = if e.param.is_some() {
        "invalid_parameter"
    } else {
        "invalid_json"
    };
    gateway_error(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        code,
        e.message,
        e.param,
    )
}

pub async fn create(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
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
    match state
        .store()
        .create(Api::Gateway, spec, outcome, state.run_for)
    {
        Ok(task) => Json(json!({
            "task_id": task.task_id,
            "status": "queued",
            "external_task_id": task.spec.external_task_id,
        }))
        .into_response(),
        Err(DuplicateExternalId) => gateway_error(
            StatusCode::CONFLICT,
            "invalid_request_error",
            "duplicate_external_task_id",
            "external_task_id already exists: look the task up instead of creating it again",
            Some("external_task_id".into()),
        ),
    }
}

pub async fn query(
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
        return gateway_error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "task_not_found",
            format!("task {task_id} not found"),
            Some("task_id".into()),
        );
    };
    store.count_query(&task.task_id);
    drop(store);
    Json(task_json(&state, &task)).into_response()
}

/// `?external_task_id=X` answers 0 or 1 tasks: how a client finds out whether a create whose
/// answer was lost went through. Without it, the newest tasks.
pub async fn list(
    State(state): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !api_key_ok(&headers, &state.keys) {
        return unauthorized();
    }
    let mut store = state.store();
    let tasks: Vec<TaskRecord> = match params.get("external_task_id") {
        Some(id) => {
            store.count_lookup(id);
            store
                .find_external(Account::Gateway, id)
                .cloned()
                .into_iter()
                .collect()
        }
        None => store.list(Api::Gateway).take(LIST_LIMIT).cloned().collect(),
    };
    drop(store);
    let data: Vec<Value> = tasks.iter().map(|t| task_json(&state, t)).collect();
    Json(json!({ "data": data })).into_response()
}

fn task_json(state: &SimState, task: &TaskRecord) -> Value {
    let status = task.status();
    let name = match status.phase {
        Phase::Submitted => "queued",
        Phase::Processing => "processing",
        Phase::Succeeded => "succeeded",
        Phase::Failed(_) => "failed",
    };
    let mut data = json!({
        "task_id": task.task_id,
        "status": name,
        "external_task_id": task.spec.external_task_id,
        "created_at": task.created_ms / 1000,
        "updated_at": status.updated_ms / 1000,
    });
    match status.phase {
        Phase::Succeeded => {
            let url = state.video_url(&task.task_id);
            data["videos"] = json!([{ "url": url, "duration": task.spec.duration_secs }]);
            data["video_url"] = json!(url);
        }
        Phase::Failed(msg) => {
            let code = if msg.contains("safety") {
                "content_policy_violation"
            } else {
                "generation_failed"
            };
            data["error"] =
                json!({"message": msg, "type": "generation_error", "param": null, "code": code});
        }
        Phase::Submitted | Phase::Processing => {}
    }
    data
}
