//! A stand-in for Kling's v2 request design, written from what the sources below say of it,
//! not from shotdeck's client. Kling's own pages for the design
//! (<https://kling.ai/document-api/api/video/3-0-turbo/text-to-video>, `…/3-0-omni/…`)
//! render in the browser and no stored copy could be read, so each rule quotes one of:
//!
//! - [CLOUDSWAY] <https://docs.cloudsway.net/maasapi/api-reference/video/kl_3.0_turbo/>, a
//!   relay's page of the design: "POST …/kling/videos/text-to-video/kling-3.0-turbo";
//!   "settings.resolution string Optional 720p … Enumerated values: 720p, 1080p";
//!   "settings.duration int Optional 5 … Enumerated values: 3, 4, 5, …, 15";
//!   "options.external_task_id string Optional Empty Custom Task ID"; the return example
//!   `{"code": 0, "message": "SUCCEED", "data": {"id": "901930004609634393", "status":
//!   "submitted", …}, "request_id": …}`; the zh page: "POST …/image-to-video/kling-3.0-turbo
//!   … contents array 必填".
//! - [UNMODEL] cluely/unmodel `src/providers/kling/video-v3.ts` @ 3503f8af: "The model is a
//!   URL PATH segment, not a body field"; `"kling-3.0": { resolutions: ["720p", "1080p",
//!   "4k"] … audio: ["native", "off"], multiShot: true }`, `"kling-3.0-turbo": {
//!   resolutions: ["720p", "1080p"] }`; "poll `GET /tasks` … Auth is `Authorization: Bearer
//!   <key>`". `shared.ts` @ 90f2c5be: contents types "prompt", "first_frame", "last_frame".
//! - [LOOKUP] a client's test, Bashocodes/vettu `apps/web/src/lib/server/gen/kling.test.ts` @
//!   dd85c85784c3:
//!   `calls[1]!.url, \`${KLING_BASE}/tasks?task_ids=task_abc\`` answered
//!   `{ data: [{ id: "task_abc", status: "succeeded", outputs: [{ type: "video", url } ] }] }`.
//! - [KLING] Kling's own page, as a client keeps it: aself101/kling-api
//!   `docs/api/kling-omni-3.0-ovg.md` @ 71eb8c9e ("Source:
//!   https://kling.ai/document-api/api/video/3-0-omni/video-omni"), "Query Task (By task
//!   ID)": "`task_ids`: Support batch queries, separated by \",\"", answering `data` as a
//!   list of `{id, status, message, …, outputs: [{type: "video", id, url, watermark_url,
//!   duration}]}`; the same client's `README.md` (commit not pinned; the one @ 71eb8c9e
//!   lacks it): "The vendor caps `GET /tasks` at **20 ids** per request (undocumented; verified live)" and "it answers `200 data: []`
//!   for unknown ids". How Kling refuses a 21st id is not written anywhere: the mock
//!   refuses it as [ERRORS] "400 1201", so a client that asks for more fails loudly here.
//! - [TASKS] Kling's Turbo page, as the same client keeps it: aself101/kling-api
//!   `docs/api/kling-3.0-turbo-t2v.md` @ 71eb8c9e ("Source:
//!   https://kling.ai/document-api/api/video/3-0-turbo/text-to-video"; the omni-video page
//!   says the same): "`external_task_ids` | string | No | - | - | The custom task ID that
//!   needs to be queried"; "When querying a task, you can choose between two query methods:
//!   task_ids and external_task_ids, but you cannot use them simultaneously"; "Support batch
//!   queries, separated by \",\""; the example `GET /tasks?external_task_ids=123`; each
//!   answered task's `"external_id": "string", // The custom task ID for this task (if
//!   any)`; of the create: "`options.external_task_id`: Will not overwrite the
//!   system-generated task ID, but can be used for task queries", "Must be unique within a
//!   single user account". (See `v2_tasks.rs`.)
//! - [ERRORS] the legacy design's error table (General Information, quoted in `mod.rs`):
//!   "429 1102 … Resource pack depleted", "401 1002 … Authorization invalid", "404 1203 …
//!   Resource not found"; the v2 answers use the same envelope (return example above).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

#[path = "v2_tasks.rs"]
mod tasks;
use tasks::lookup;

/// [UNMODEL]: which resolutions each path model takes.
fn resolutions(model: &str) -> Option<&'static [&'static str]> {
    match model {
        "kling-3.0" => Some(&["720p", "1080p", "4k"]),
        "kling-3.0-turbo" => Some(&["720p", "1080p"]),
        // [KLING] omni-video "`settings.resolution` | … | `720p`, `1080p`, `4k`".
        "kling-3.0-omni" => Some(&["720p", "1080p", "4k"]),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct V2Hit {
    pub path: String,
    pub query: Option<String>,
    pub authorization: Option<String>,
    pub body: Option<Value>,
}

#[derive(Default)]
struct Inner {
    hits: Vec<V2Hit>,
    /// id → (status, polls so far, model, external id)
    tasks: Vec<(String, String, u32, String, String)>,
    next_create: Option<(u16, i64)>,
    fail_next_task: bool,
    /// The n-th task made is left out of lookups that ask for more than one id.
    left_out_of_batches: Option<usize>,
    /// The n-th task made is answered without its `status` in such lookups.
    odd_in_batches: Option<usize>,
    /// The next create makes its task, then answers only after this long (a client whose
    /// timeout is shorter loses the answer).
    stall_next_create: Option<std::time::Duration>,
    /// Lookups by external id answer a task that carries no `external_id`.
    external_id_withheld: bool,
}

#[derive(Clone)]
struct Mock {
    key: String,
    base: String,
    inner: Arc<Mutex<Inner>>,
}

pub struct V2Mock {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl V2Mock {
    pub async fn start(api_key: &str) -> V2Mock {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let inner = Arc::new(Mutex::new(Inner::default()));
        let mock = Mock {
            key: api_key.to_string(),
            base: base.clone(),
            inner: inner.clone(),
        };
        let app = Router::new()
            .route("/text-to-video/{model}", post(create_text))
            .route("/image-to-video/{model}", post(create_image))
            .route("/omni-video/{model}", post(create_omni))
            .route("/tasks", get(lookup))
            .route("/files/{name}", get(file))
            .with_state(mock);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        V2Mock { base, inner }
    }

    pub fn hits(&self) -> Vec<V2Hit> {
        self.inner.lock().unwrap().hits.clone()
    }

    /// The next create is refused with this status and body code.
    pub fn refuse_next_create(&self, status: u16, code: i64) {
        self.inner.lock().unwrap().next_create = Some((status, code));
    }

    /// The next task made fails (HTTP 200, code 0, `status: "failed"`).
    pub fn fail_next_task(&self) {
        self.inner.lock().unwrap().fail_next_task = true;
    }

    /// The `n`-th task made (0-based) is missing from every lookup of more than one id
    /// ("200 data: []" for an id the lookup does not know), and shown when asked alone.
    pub fn leave_out_of_batches(&self, n: usize) {
        self.inner.lock().unwrap().left_out_of_batches = Some(n);
    }

    /// The `n`-th task made is an unreadable item (no `status`) in every lookup of more
    /// than one id, and answered normally when asked alone.
    pub fn odd_in_batches(&self, n: usize) {
        self.inner.lock().unwrap().odd_in_batches = Some(n);
    }

    /// The ids each lookup asked for, in order.
    pub fn lookups(&self) -> Vec<Vec<String>> {
        self.hits()
            .into_iter()
            .filter(|h| h.path == "/tasks")
            .filter_map(|h| h.query)
            .filter(|q| q.starts_with("task_ids="))
            .map(|q| {
                let ids = q.trim_start_matches("task_ids=").split(',');
                ids.map(str::to_string).collect()
            })
            .collect()
    }

    /// The ids of the tasks made, in order.
    pub fn task_ids(&self) -> Vec<String> {
        let inner = self.inner.lock().unwrap();
        inner.tasks.iter().map(|t| t.0.clone()).collect()
    }

    /// The next create makes its task and answers only after `wait`.
    pub fn stall_next_create(&self, wait: std::time::Duration) {
        self.inner.lock().unwrap().stall_next_create = Some(wait);
    }

    /// Lookups by external id answer the task without its `external_id` (an answer the
    /// client cannot tie to its create).
    pub fn withhold_external_id(&self) {
        self.inner.lock().unwrap().external_id_withheld = true;
    }

    /// The external ids each `external_task_ids` lookup asked for, in order.
    pub fn external_lookups(&self) -> Vec<String> {
        self.hits()
            .into_iter()
            .filter_map(|h| h.query)
            .filter_map(|q| q.strip_prefix("external_task_ids=").map(str::to_string))
            .collect()
    }

    pub fn task_count(&self) -> usize {
        self.inner.lock().unwrap().tasks.len()
    }
}

fn envelope(status: u16, code: i64, message: &str, data: Value) -> Response {
    let body = json!({"code": code, "message": message, "request_id": "v2-req", "data": data});
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

/// [UNMODEL] "Auth is `Authorization: Bearer <key>`"; anything else is [ERRORS] 401 1002.
fn authorized(mock: &Mock, headers: &HeaderMap) -> Option<Response> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    (auth != Some(format!("Bearer {}", mock.key)).as_deref())
        .then(|| envelope(401, 1002, "Authorization invalid", Value::Null))
}

fn record(mock: &Mock, path: String, query: Option<String>, headers: &HeaderMap, body: &Bytes) {
    mock.inner.lock().unwrap().hits.push(V2Hit {
        path,
        query,
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: serde_json::from_slice(body).ok(),
    });
}

async fn create_text(
    State(mock): State<Mock>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    held_create(mock, "text", model, headers, body).await
}

async fn create_image(
    State(mock): State<Mock>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    held_create(mock, "image", model, headers, body).await
}

async fn create_omni(
    State(mock): State<Mock>,
    Path(model): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    held_create(mock, "omni", model, headers, body).await
}

/// A create of `kind`, its answer held back when a test asked for the next one to stall.
async fn held_create(
    mock: Mock,
    kind: &'static str,
    model: String,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let stall = mock.inner.lock().unwrap().stall_next_create.take();
    later(stall, create(mock, kind, model, headers, body)).await
}

/// The answer, held back `stall` (the task is made already).
async fn later(stall: Option<std::time::Duration>, answer: Response) -> Response {
    if let Some(wait) = stall {
        tokio::time::sleep(wait).await;
    }
    answer
}

/// A create at `/{route}-to-video/{model}` (`omni`: `/omni-video/{model}`).
fn create(mock: Mock, route: &str, model: String, headers: HeaderMap, raw: Bytes) -> Response {
    let path = match route {
        "omni" => format!("/omni-video/{model}"),
        _ => format!("/{route}-to-video/{model}"),
    };
    record(&mock, path, None, &headers, &raw);
    if let Some(refused) = authorized(&mock, &headers) {
        return refused;
    }
    if let Some((status, code)) = mock.inner.lock().unwrap().next_create.take() {
        return envelope(status, code, "refused by the mock", Value::Null);
    }
    // [ERRORS] "404 1203 … Resource not found": a model the design has no route for.
    // [KLING] "Path: `/omni-video/kling-3.0-omni`": the omni model there and only there.
    let Some(allowed) =
        resolutions(&model).filter(|_| (route == "omni") == model.ends_with("-omni"))
    else {
        return envelope(404, 1203, "model not found", Value::Null);
    };
    let Ok(body) = serde_json::from_slice::<Value>(&raw) else {
        return envelope(400, 1200, "body is not JSON", Value::Null);
    };
    let bad = |why: &str| envelope(400, 1201, why, Value::Null);
    // [UNMODEL] "The model is a URL PATH segment, not a body field".
    if body.get("model_name").is_some() || body.get("model").is_some() {
        return bad("the model goes in the path");
    }
    if route == "omni" {
        if let Some(why) = super::v2_omni::refusal(&body) {
            return bad(&why);
        }
    } else if route == "image" {
        // [CLOUDSWAY zh] image-to-video "contents array 必填"; [UNMODEL] typed items.
        let Some(items) = body["contents"].as_array() else {
            return bad("contents is required");
        };
        let known = ["prompt", "first_frame", "last_frame"];
        if !items
            .iter()
            .all(|i| known.contains(&i["type"].as_str().unwrap_or("")))
            || !items.iter().any(|i| i["type"] == "first_frame")
        {
            return bad("contents needs a first_frame and known types");
        }
    } else if !body["prompt"].is_string() {
        // [CLOUDSWAY] "prompt string Required".
        return bad("prompt is required");
    }
    let settings = &body["settings"];
    // [CLOUDSWAY] "settings.resolution … Enumerated values: 720p, 1080p"; [UNMODEL] 4k on 3.0.
    if let Some(r) = settings.get("resolution")
        && !allowed.contains(&r.as_str().unwrap_or(""))
    {
        return bad("settings.resolution is not offered by this model");
    }
    // [CLOUDSWAY] "settings.duration int … 3, 4, 5, …, 15".
    if let Some(d) = settings.get("duration")
        && !d.as_u64().is_some_and(|d| (3..=15).contains(&d))
    {
        return bad("settings.duration must be an int in 3..15");
    }
    // [CLOUDSWAY] "options.external_task_id … Custom Task ID".
    let ext = body["options"]["external_task_id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let mut inner = mock.inner.lock().unwrap();
    // [TASKS] "Must be unique within a single user account": a create sent twice is
    // refused (how is not written: [ERRORS] 1201), so a blind re-send shows here.
    if !ext.is_empty() && inner.tasks.iter().any(|t| t.4 == ext) {
        return envelope(400, 1201, "external_task_id already exists", Value::Null);
    }
    let id = format!("9019300046096{:05}", inner.tasks.len() + 1);
    let fails = std::mem::take(&mut inner.fail_next_task);
    let status = if fails { "will_fail" } else { "submitted" };
    inner.tasks.push((id.clone(), status.into(), 0, model, ext));
    // [CLOUDSWAY] return example.
    envelope(
        200,
        0,
        "SUCCEED",
        json!({"id": id, "status": "submitted", "message": "", "create_time": 1, "update_time": 1}),
    )
}

async fn file(Path(name): Path<String>) -> Response {
    (StatusCode::OK, format!("v2 video {name}").into_bytes()).into_response()
}
