//! Kling's v2 request design, minimal (README "Kling's two request designs"): `POST
//! /text-to-video/{model}`, `/image-to-video/{model}` and `/omni-video/{model}` with the API
//! key as Bearer, and `GET /tasks?task_ids=a,b` or `?external_task_ids=a,b` (never both: Kling's
//! page, "you can choose between two query methods: task_ids and external_task_ids, but you
//! cannot use them simultaneously"). A v2 body is read into the legacy fields and
//! checked by the same rules, so both designs make the same tasks in the same store (one
//! account); an omni body's `@id` names become the legacy `<<<image_N>>>` /
//! `<<<element_N>>>` tokens, so a name no content item carries is refused as a token is.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::api_key_ok;
use super::responses::{Style, kling_error, kling_ok, parallel_limit};
use super::server::{Shared, SimState};
use super::store::CreateRefused;
use super::task::{Account, Api, Kind, Phase, TaskRecord};
use super::validate::{self, Invalid};

/// The path models served, and the resolutions each takes (Kling 3.0 Turbo: no 4K).
fn resolutions(model: &str) -> Option<&'static [&'static str]> {
    match model {
        "kling-3.0" | "kling-3.0-omni" => Some(&["720p", "1080p", "4k"]),
        "kling-3.0-turbo" => Some(&["720p", "1080p"]),
        _ => None,
    }
}

fn invalid(e: Invalid) -> Response {
    kling_error(StatusCode::BAD_REQUEST, 1201, e.message)
}

pub(crate) async fn create_text(
    State(state): State<Shared>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create(&state, Kind::Text, &model, &headers, &body)
}

pub(crate) async fn create_image(
    State(state): State<Shared>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create(&state, Kind::Image, &model, &headers, &body)
}

pub(crate) async fn create_omni(
    State(state): State<Shared>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create(&state, Kind::Omni, &model, &headers, &body)
}

fn unauthorized() -> Response {
    kling_error(
        StatusCode::UNAUTHORIZED,
        1002,
        "the v2 design takes the API key as Bearer",
    )
}

fn create(state: &SimState, kind: Kind, model: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    if !api_key_ok(headers, &state.keys) {
        return unauthorized();
    }
    // Omni models only on omni-video, and the others never there.
    let Some(allowed) =
        resolutions(model).filter(|_| (kind == Kind::Omni) == model.ends_with("-omni"))
    else {
        return kling_error(
            StatusCode::NOT_FOUND,
            1203,
            format!("no v2 model {model:?}"),
        );
    };
    let v2 = match validate::parse_object(body) {
        Ok(map) => map,
        Err(e) => return invalid(e),
    };
    let legacy = match legacy_fields(kind, &v2, allowed) {
        Ok(map) => map,
        Err(message) => return kling_error(StatusCode::BAD_REQUEST, 1201, message),
    };
    let bytes = Value::Object(legacy).to_string().into_bytes();
    let (map, outcome) = match state.create_intake(&bytes, Style::Kling, invalid) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let spec = match validate::kling::parse(kind, &map) {
        Ok(spec) => spec,
        Err(e) => return invalid(e),
    };
    let limit = state.faults().max_in_flight;
    let created = state
        .store()
        .create(Api::Kling(kind), spec, outcome, state.run_for, limit);
    match created {
        Ok(task) => kling_ok(json!({
            "id": task.task_id,
            "status": "submitted",
            "message": "",
            "create_time": task.created_ms,
            "update_time": task.created_ms,
        })),
        Err(CreateRefused::OverParallelLimit) => parallel_limit(Style::Kling),
        Err(CreateRefused::DuplicateExternalId) => kling_error(
            StatusCode::BAD_REQUEST,
            1201,
            "options.external_task_id already exists",
        ),
    }
}

/// The v2 body as the legacy fields the shared checks read.
fn legacy_fields(
    kind: Kind,
    v2: &Map<String, Value>,
    allowed: &[&str],
) -> Result<Map<String, Value>, String> {
    if v2.contains_key("model_name") {
        return Err("model_name is not a v2 field: the model is in the path".into());
    }
    let settings = v2.get("settings").and_then(Value::as_object);
    let options = v2.get("options").and_then(Value::as_object);
    let setting = |k: &str| settings.and_then(|s| s.get(k));
    let mut out = Map::new();
    let model_name = if kind == Kind::Omni {
        "kling-v3-omni"
    } else {
        "kling-v3"
    };
    out.insert("model_name".into(), json!(model_name));
    let mode = match setting("resolution")
        .and_then(Value::as_str)
        .unwrap_or("720p")
    {
        r if !allowed.contains(&r) => {
            return Err(format!("settings.resolution {r:?} is not offered here"));
        }
        "1080p" => "pro",
        "4k" => "4k",
        _ => "std",
    };
    out.insert("mode".into(), json!(mode));
    if let Some(d) = setting("duration") {
        let secs = d
            .as_u64()
            .ok_or("settings.duration must be a whole number")?;
        out.insert("duration".into(), json!(secs.to_string()));
    }
    let sound = setting("audio").and_then(Value::as_str) == Some("native");
    out.insert("sound".into(), json!(if sound { "on" } else { "off" }));
    if let Some(r) = setting("aspect_ratio") {
        out.insert("aspect_ratio".into(), r.clone());
    }
    if let Some(o) = options {
        for key in ["external_task_id", "watermark_info"] {
            if let Some(v) = o.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
    }
    match kind {
        Kind::Omni => omni_fields(v2, &mut out)?,
        Kind::Image => {
            let items = v2
                .get("contents")
                .and_then(Value::as_array)
                .ok_or("contents is required on image-to-video")?;
            for item in items {
                let (field, value) = match item.get("type").and_then(Value::as_str) {
                    Some("prompt") => ("prompt", item.get("text")),
                    Some("first_frame") => ("image", item.get("url")),
                    Some("last_frame") => ("image_tail", item.get("url")),
                    other => return Err(format!("contents type {other:?} is not served here")),
                };
                out.insert(field.into(), value.cloned().unwrap_or(Value::Null));
            }
        }
        _ => {
            out.insert(
                "prompt".into(),
                v2.get("prompt").cloned().unwrap_or_default(),
            );
        }
    }
    Ok(out)
}

/// omni-video's `contents` as the legacy omni body: `refer_image` items (in order) then the
/// frames in `image_list`, elements in `element_list`, and each `@id` in the prompt as the
/// token of its item's place.
fn omni_fields(v2: &Map<String, Value>, out: &mut Map<String, Value>) -> Result<(), String> {
    let items = v2
        .get("contents")
        .and_then(Value::as_array)
        .ok_or("contents is required on omni-video")?;
    let (mut prompt, mut refs, mut frames, mut elements) = (None, vec![], vec![], vec![]);
    let mut names = Vec::new();
    for item in items {
        let url = || item.get("url").cloned().unwrap_or(Value::Null);
        let id = item.get("id").and_then(Value::as_str).map(str::to_string);
        match item.get("type").and_then(Value::as_str) {
            Some("prompt") => prompt = item.get("text").cloned(),
            Some("first_frame") => frames.push(json!({"image_url": url(), "type": "first_frame"})),
            Some("last_frame") => frames.push(json!({"image_url": url(), "type": "end_frame"})),
            Some("refer_image") => {
                refs.push(json!({ "image_url": url() }));
                names.extend(id.map(|id| (id, format!("<<<image_{}>>>", refs.len()))));
            }
            Some("element") => {
                let element_id = item.get("element_id").and_then(Value::as_str);
                let n: i64 = element_id
                    .and_then(|s| s.parse().ok())
                    .ok_or("an element's element_id must be a string of digits")?;
                elements.push(json!({ "element_id": n }));
                let id = id.ok_or("an element needs the id the prompt names it by")?;
                names.push((id, format!("<<<element_{}>>>", elements.len())));
            }
            other => return Err(format!("contents type {other:?} is not served here")),
        }
    }
    let mut text = prompt
        .and_then(|p| p.as_str().map(str::to_string))
        .unwrap_or_default();
    // Longest first, so `@image_1` never rewrites the start of `@image_12`.
    names.sort_by_key(|(id, _)| std::cmp::Reverse(id.len()));
    for (id, token) in names {
        text = text.replace(&format!("@{id}"), &token);
    }
    out.insert("prompt".into(), json!(text));
    refs.extend(frames);
    if !refs.is_empty() {
        out.insert("image_list".into(), Value::Array(refs));
    }
    if !elements.is_empty() {
        out.insert("element_list".into(), Value::Array(elements));
    }
    Ok(())
}

/// `GET /tasks?task_ids=a,b` or `?external_task_ids=a,b`: the tasks of the official account
/// among the ids; an id it does not know is left out (an empty `data` for none).
pub(crate) async fn lookup(
    State(state): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    state.store().count_lookup();
    if !api_key_ok(&headers, &state.keys) {
        return unauthorized();
    }
    let (ids, external) = match (params.get("task_ids"), params.get("external_task_ids")) {
        (Some(ids), None) => (ids, false),
        (None, Some(ids)) => (ids, true),
        _ => {
            return kling_error(
                StatusCode::BAD_REQUEST,
                1201,
                "exactly one of task_ids and external_task_ids is required",
            );
        }
    };
    let mut store = state.store();
    if external {
        store.count_external_lookup();
    }
    let tasks: Vec<TaskRecord> = ids
        .split(',')
        .filter_map(|id| match external {
            true => store.find_external(Account::Kling, id.trim()),
            false => store.find(Account::Kling, id.trim()),
        })
        .cloned()
        .collect();
    for t in &tasks {
        store.count_query(&t.task_id);
    }
    drop(store);
    kling_ok(Value::Array(
        tasks.iter().map(|t| task_json(&state, t)).collect(),
    ))
}

fn task_json(state: &SimState, task: &TaskRecord) -> Value {
    let status = task.status();
    let (word, message) = match status.phase {
        Phase::Submitted => ("submitted", ""),
        Phase::Processing => ("processing", ""),
        Phase::Succeeded => ("succeeded", ""),
        Phase::Failed(msg) => ("failed", msg),
    };
    let mut data = json!({
        "id": task.task_id,
        "status": word,
        "message": message,
        "create_time": task.created_ms,
        "update_time": status.updated_ms,
    });
    // Kling's "The custom task ID for this task (if any)".
    if let Some(ext) = &task.spec.external_task_id {
        data["external_id"] = json!(ext);
    }
    if matches!(status.phase, Phase::Succeeded) {
        data["outputs"] = json!([{ "type": "video", "url": state.video_url(&task.task_id) }]);
    }
    data
}
