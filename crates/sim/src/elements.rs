//! The account's element library, in memory: Kling's element endpoints (new version), from
//! its API reference ("General - Create Element", "Query Custom Element (Single)" and
//! "(List)"; <https://app.klingai.com/global/dev/document-api/apiReference/model/element>):
//!
//! - `POST /v1/general/advanced-custom-elements` with `element_name` ("Must not exceed 20
//!   characters"), `element_description` ("Must not exceed 100 characters"),
//!   `reference_type` (`image_refer` here) and `element_image_list` `{frontal_image,
//!   refer_images: [{image_url}]}` ("at least one frontal reference image … and 1 to 3
//!   additional reference images"). It answers a task: `{task_id, task_status, …}`.
//! - `GET /v1/general/advanced-custom-elements/{task_id}`: the task, with
//!   `task_result.elements[{element_id, element_name, element_description, element_type,
//!   element_image_list, owned_by, status, tag_list}]` once it succeeded.
//! - `GET /v1/general/advanced-custom-elements?pageNum=&pageSize=`: `data` is an array of
//!   those tasks.
//!
//! Creating an element costs nothing and finishes at once here. One preset element,
//! [`DEMO_ELEMENT_ID`], is there from the start so `--demo` boards can name it; its images
//! are served by the simulator itself (`/sim/elements/{id}.png`, no auth, like a CDN URL),
//! so the editor's element preview has a picture to fetch.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::verify_jwt;
use super::responses::{kling_error, kling_ok};
use super::server::Shared;
use super::store::now_ms;
use super::validate::{Fields, Invalid, common::check_image};

/// Where the element library is served.
pub(crate) const ELEMENTS_PATH: &str = "/v1/general/advanced-custom-elements";

/// The element every simulator starts with (the example board `examples/element.json`).
pub const DEMO_ELEMENT_ID: i64 = 100_001;

/// The demo element's picture (a 32×48 PNG figure in a coat), served for its images.
pub(crate) static DEMO_ELEMENT_PNG: &[u8] = include_bytes!("assets/detective.png");

/// One created element and the task that made it.
#[derive(Debug, Clone)]
struct Entry {
    task_id: String,
    element_id: i64,
    name: String,
    description: String,
    frontal_image: String,
    refer_images: Vec<String>,
    created_ms: u64,
}

pub(crate) struct Library {
    entries: Mutex<Vec<Entry>>,
}

impl Library {
    /// The library with the demo element, whose images `base_url` serves.
    pub(crate) fn new(base_url: &str) -> Library {
        let image = |view: &str| format!("{base_url}/sim/elements/{DEMO_ELEMENT_ID}-{view}.png");
        let demo = Entry {
            task_id: "element-task-1".into(),
            element_id: DEMO_ELEMENT_ID,
            name: "Detective".into(),
            description: "A detective in a wet trench coat".into(),
            frontal_image: image("front"),
            refer_images: vec![image("side")],
            created_ms: now_ms(),
        };
        Library {
            entries: Mutex::new(vec![demo]),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `id` names an element of the library.
    pub(crate) fn has(&self, id: i64) -> bool {
        self.lock().iter().any(|e| e.element_id == id)
    }
}

fn task_json(e: &Entry) -> Value {
    let refer: Vec<Value> = e
        .refer_images
        .iter()
        .map(|u| json!({ "image_url": u }))
        .collect();
    json!({
        "task_id": e.task_id,
        "task_status": "succeed",
        "task_status_msg": "",
        "task_result": { "elements": [{
            "element_id": e.element_id,
            "element_name": e.name,
            "element_description": e.description,
            "element_type": "image_refer",
            "element_image_list": { "frontal_image": e.frontal_image, "refer_images": refer },
            "owned_by": "sim-account",
            "status": "succeed",
            "tag_list": [],
        }]},
        "created_at": e.created_ms,
        "updated_at": e.created_ms,
        "final_unit_deduction": "0",
    })
}

fn refuse(status: StatusCode, code: u32, message: String) -> Response {
    kling_error(status, code, message)
}

/// The refusal when the token is not the account's, else `None`.
fn unauthorized(state: &Shared, headers: &HeaderMap) -> Option<Response> {
    verify_jwt(headers, &state.keys)
        .err()
        .map(|e| refuse(StatusCode::UNAUTHORIZED, e.code(), e.message()))
}

fn check_create(
    body: &Map<String, Value>,
) -> Result<(String, String, String, Vec<String>), Invalid> {
    let f = Fields::root(body);
    let text = |name: &str, max: usize| -> Result<String, Invalid> {
        let v = f
            .str(name)?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| Invalid::field(name, "is required"))?;
        if v.chars().count() > max {
            return Err(Invalid::field(
                name,
                format!("must not exceed {max} characters"),
            ));
        }
        Ok(v.to_string())
    };
    let name = text("element_name", 20)?;
    let description = text("element_description", 100)?;
    if f.str("reference_type")? != Some("image_refer") {
        return Err(Invalid::field(
            "reference_type",
            "must be image_refer (video_refer is not simulated)",
        ));
    }
    let list = f
        .object("element_image_list")?
        .ok_or_else(|| Invalid::field("element_image_list", "is required with image_refer"))?;
    let frontal = list
        .str("frontal_image")?
        .ok_or_else(|| Invalid::field(list.path("frontal_image"), "is required"))?;
    check_image(&list.path("frontal_image"), frontal)?;
    let refer = list
        .array("refer_images")?
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if !(1..=3).contains(&refer.len()) {
        return Err(Invalid::field(
            list.path("refer_images"),
            format!("has {} images; it must have 1 to 3", refer.len()),
        ));
    }
    let mut refer_images = Vec::new();
    for (i, item) in refer.iter().enumerate() {
        let entry = Fields::item(&list.path("refer_images"), i, item)?;
        let url = entry
            .str("image_url")?
            .ok_or_else(|| Invalid::field(entry.path("image_url"), "is required"))?;
        check_image(&entry.path("image_url"), url)?;
        refer_images.push(url.to_string());
    }
    Ok((name, description, frontal.to_string(), refer_images))
}

pub(crate) async fn create(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorized(&state, &headers) {
        return r;
    }
    let map = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                1201,
                "the body is not a JSON object".into(),
            );
        }
    };
    let (name, description, frontal_image, refer_images) = match check_create(&map) {
        Ok(v) => v,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, 1201, e.message),
    };
    let mut entries = state.elements.lock();
    let n = entries.len() as i64 + 1;
    let entry = Entry {
        task_id: format!("element-task-{n}"),
        element_id: DEMO_ELEMENT_ID + n - 1,
        name,
        description,
        frontal_image,
        refer_images,
        created_ms: now_ms(),
    };
    let answer = json!({
        "task_id": entry.task_id,
        "task_status": "submitted",
        "task_info": {},
        "created_at": entry.created_ms,
        "updated_at": entry.created_ms,
    });
    entries.push(entry);
    kling_ok(answer)
}

pub(crate) async fn query(
    State(state): State<Shared>,
    Path(task_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = unauthorized(&state, &headers) {
        return r;
    }
    let entries = state.elements.lock();
    match entries.iter().find(|e| e.task_id == task_id) {
        Some(e) => kling_ok(task_json(e)),
        None => refuse(
            StatusCode::NOT_FOUND,
            1203,
            format!("element task {task_id} not found"),
        ),
    }
}

/// Newest first, like the video lists, a page at a time: `pageNum` from 1, `pageSize` 1 to
/// 500 (default 30), as the task lists take them; past the end, an empty page.
pub(crate) async fn list(
    State(state): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = unauthorized(&state, &headers) {
        return r;
    }
    let (num, size) = match (
        page_param(&params, "pageNum", 1, u64::MAX),
        page_param(&params, "pageSize", 30, 500),
    ) {
        (Ok(n), Ok(s)) => (n, s),
        (Err(e), _) | (_, Err(e)) => return refuse(StatusCode::BAD_REQUEST, 1201, e),
    };
    let entries = state.elements.lock();
    let page = entries
        .iter()
        .rev()
        .skip((num - 1).saturating_mul(size) as usize)
        .take(size as usize)
        .map(task_json)
        .collect();
    kling_ok(Value::Array(page))
}

fn page_param(
    params: &HashMap<String, String>,
    name: &str,
    default: u64,
    max: u64,
) -> Result<u64, String> {
    let Some(text) = params.get(name) else {
        return Ok(default);
    };
    match text.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{name} must be a whole number from 1 to {max}, got {text:?}"
        )),
    }
}

/// `GET /sim/elements/{id}-{view}.png`: the demo element's picture for its images; any
/// other name is not found.
pub(crate) async fn image(Path(file): Path<String>) -> Response {
    let demo = format!("{DEMO_ELEMENT_ID}-");
    let ours = file
        .strip_prefix(&demo)
        .and_then(|f| f.strip_suffix(".png"))
        .is_some_and(|view| matches!(view, "front" | "side"));
    if !ours {
        return (StatusCode::NOT_FOUND, "no such image").into_response();
    }
    ([(CONTENT_TYPE, "image/png")], DEMO_ELEMENT_PNG).into_response()
}
