//! The official API's endpoints (legacy design): create, query one, list — per kind. The
//! same create and query also serve the gateway's Kling relay (`/kling/v1/videos/{kind}`):
//! the gateway's Bearer key instead of a JWT, the gateway's account, lookups by task id only.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::{api_key_ok, verify_jwt};
use super::responses::{Style, gateway_error, kling_error, kling_ok, parallel_limit};
use super::server::{Shared, SimState};
use super::store::CreateRefused;
use super::task::{Account, Api, Kind, Phase, TaskRecord};
use super::validate::{self, Invalid};

const MAX_PAGE_SIZE: u64 = 500;
const DEFAULT_PAGE_SIZE: u64 = 30;

/// A refusal in the official API's error shape, small enough to pass around in `Result`s.
struct Refusal {
    status: StatusCode,
    code: u32,
    message: String,
}

impl Refusal {
    fn into_response(self) -> Response {
        kling_error(self.status, self.code, self.message)
    }
}

fn invalid(e: Invalid) -> Response {
    kling_error(StatusCode::BAD_REQUEST, 1201, e.message)
}

/// Which door a request came through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Door {
    Official,
    Relay,
}

impl Door {
    fn api(self, kind: Kind) -> Api {
        match self {
            Door::Official => Api::Kling(kind),
            Door::Relay => Api::Relay(kind),
        }
    }
}

/// Resolves the kind and checks the token (the relay answers a bad key in new-api's
/// middleware shape, `{"error":{…}}`).
fn admit_at(
    door: Door,
    state: &SimState,
    kind: &str,
    headers: &HeaderMap,
) -> Result<Kind, Box<Response>> {
    let refused = match door {
        Door::Official => {
            return admit(state, kind, headers).map_err(|r| Box::new(r.into_response()));
        }
        Door::Relay if !api_key_ok(headers, &state.keys) => gateway_error(
            StatusCode::UNAUTHORIZED,
            "new_api_error",
            "invalid_api_key",
            "invalid token",
            None,
        ),
        Door::Relay => match Kind::from_path(kind) {
            Some(kind) => return Ok(kind),
            None => kling_error(
                StatusCode::NOT_FOUND,
                1203,
                format!("no such endpoint: /kling/v1/videos/{kind}"),
            ),
        },
    };
    Err(Box::new(refused))
}

/// Resolves the kind and checks the token.
fn admit(state: &SimState, kind: &str, headers: &HeaderMap) -> Result<Kind, Refusal> {
    let kind = Kind::from_path(kind).ok_or_else(|| Refusal {
        status: StatusCode::NOT_FOUND,
        code: 1203,
        message: format!(
            "no such endpoint: /v1/videos/{kind} (text2video, image2video or omni-video)"
        ),
    })?;
    verify_jwt(headers, &state.keys).map_err(|e| Refusal {
        status: StatusCode::UNAUTHORIZED,
        code: e.code(),
        message: e.message(),
    })?;
    Ok(kind)
}

pub(crate) async fn create(
    State(state): State<Shared>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create_at(Door::Official, &state, &kind, &headers, &body)
}

pub(crate) async fn relay_create(
    State(state): State<Shared>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create_at(Door::Relay, &state, &kind, &headers, &body)
}

fn create_at(
    door: Door,
    state: &SimState,
    kind: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let kind = match admit_at(door, state, kind, headers) {
        Ok(kind) => kind,
        Err(refusal) => return *refusal,
    };
    let (map, outcome) = match state.create_intake(body, Style::Kling, invalid) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let spec = match validate::kling::parse(kind, &map) {
        Ok(spec) => spec,
        Err(e) => return invalid(e),
    };
    if let Some(id) = spec.element_ids.iter().find(|id| !state.elements.has(**id)) {
        return kling_error(
            StatusCode::BAD_REQUEST,
            1201,
            format!("element_list: element_id {id} is not in this account's element library"),
        );
    }
    let limit = state.faults().max_in_flight;
    let created = state
        .store()
        .create(door.api(kind), spec, outcome, state.run_for, limit);
    match created {
        Ok(task) => kling_ok(json!({
            "task_id": task.task_id,
            "task_status": "submitted",
            "task_info": task_info(&task),
            "created_at": task.created_ms,
            "updated_at": task.created_ms,
        })),
        Err(CreateRefused::OverParallelLimit) => parallel_limit(Style::Kling),
        Err(CreateRefused::DuplicateExternalId) => kling_error(
            StatusCode::BAD_REQUEST,
            1201,
            "external_task_id already exists: look the task up instead of creating it again",
        ),
    }
}

/// `GET /v1/videos/{kind}/{id}`: `id` is the task id or the `external_task_id`.
pub(crate) async fn query(
    State(state): State<Shared>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    query_at(Door::Official, &state, &kind, &id, &headers)
}

/// The relay knows tasks by its own id only (new-api has no lookup by external id).
pub(crate) async fn relay_query(
    State(state): State<Shared>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    query_at(Door::Relay, &state, &kind, &id, &headers)
}

fn query_at(door: Door, state: &SimState, kind: &str, id: &str, headers: &HeaderMap) -> Response {
    let kind = match admit_at(door, state, kind, headers) {
        Ok(kind) => kind,
        Err(refusal) => return *refusal,
    };
    let mut store = state.store();
    let found = match door {
        Door::Official => store.find(Account::Kling, id),
        Door::Relay => store.get(id),
    };
    let Some(task) = found.filter(|t| t.api == door.api(kind)).cloned() else {
        return kling_error(
            StatusCode::NOT_FOUND,
            1203,
            format!("task {id} not found among {} tasks", kind.as_path()),
        );
    };
    store.count_query(&task.task_id);
    drop(store);
    kling_ok(task_json(state, &task))
}

/// `GET /v1/videos/{kind}?pageNum=1&pageSize=30`, newest first: `data` is an array of the
/// task objects the query answers with.
pub(crate) async fn list(
    State(state): State<Shared>,
    Path(kind): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    state.store().count_list();
    let kind = match admit(&state, &kind, &headers) {
        Ok(kind) => kind,
        Err(refusal) => return refusal.into_response(),
    };
    let page = |name: &str, default: u64, max: u64| -> Result<u64, Refusal> {
        let Some(text) = params.get(name) else {
            return Ok(default);
        };
        match text.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(Refusal {
                status: StatusCode::BAD_REQUEST,
                code: 1201,
                message: format!("{name} must be a whole number from 1 to {max}, got {text:?}"),
            }),
        }
    };
    let (page_num, page_size) = match (
        page("pageNum", 1, u64::MAX),
        page("pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    ) {
        (Ok(n), Ok(s)) => (n, s),
        (Err(refusal), _) | (_, Err(refusal)) => return refusal.into_response(),
    };
    let tasks: Vec<TaskRecord> = state
        .store()
        .list(Api::Kling(kind))
        .skip(((page_num - 1).saturating_mul(page_size)) as usize)
        .take(page_size as usize)
        .cloned()
        .collect();
    kling_ok(Value::Array(
        tasks.iter().map(|t| task_json(&state, t)).collect(),
    ))
}

fn task_info(task: &TaskRecord) -> Value {
    let mut info = Map::new();
    if let Some(id) = &task.spec.external_task_id {
        info.insert("external_task_id".into(), json!(id));
    }
    Value::Object(info)
}

/// A task as the query endpoint shows it. A failed task is still a successful answer: only
/// `task_status` and `task_status_msg` say it failed.
fn task_json(state: &SimState, task: &TaskRecord) -> Value {
    let status = task.status();
    let (name, msg) = match status.phase {
        Phase::Submitted => ("submitted", ""),
        Phase::Processing => ("processing", ""),
        Phase::Succeeded => ("succeed", ""),
        Phase::Failed(msg) => ("failed", msg),
    };
    let mut data = json!({
        "task_id": task.task_id,
        "task_status": name,
        "task_status_msg": msg,
        "task_info": task_info(task),
        "created_at": task.created_ms,
        "updated_at": status.updated_ms,
    });
    match status.phase {
        Phase::Succeeded => {
            let url = state.video_url(&task.task_id);
            let mut video = json!({
                "id": format!("{}_0", task.task_id),
                "url": url,
                "duration": task.spec.duration_secs.to_string(),
            });
            if task.spec.watermark {
                video["watermark_url"] = json!(format!("{url}?watermark=1"));
            }
            data["task_result"] = json!({ "videos": [video] });
            data["final_unit_deduction"] = json!(format_units(task.spec.units()));
        }
        Phase::Failed(_) => data["task_result"] = json!({}),
        Phase::Submitted | Phase::Processing => {}
    }
    data
}

/// `5` rather than `5.00`; `6.67` stays.
fn format_units(units: f64) -> String {
    let text = format!("{units:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::format_units;

    #[test]
    fn units_print_without_trailing_zeros() {
        assert_eq!(format_units(5.0), "5");
        assert_eq!(format_units(6.67), "6.67");
        assert_eq!(format_units(7.5), "7.5");
    }
}
