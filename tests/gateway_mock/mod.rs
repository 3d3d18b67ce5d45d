//! A stand-in for a new-api family gateway on 127.0.0.1, written from the public sources
//! quoted below and in `newapi.rs` (read 2026-12-06), not from shotdeck's client, notes or
//! simulator. It models three deployments of the generic video route: stock new-api
//! (drops every `metadata` key its Kling request struct lacks), a fork that declares the
//! shot list, and the seed's ModelStream form; and new-api's native Kling route
//! (`--provider kling-relay`), with new-api's own envelopes and wrapped upstream errors.
//!
//! new-api `router/video-router.go` @ 01f6839b:
//! > `videoV1Router.POST("/video/generations", controller.RelayTask)`
//! > `videoV1Router.GET("/video/generations/:task_id", controller.RelayTaskFetch)`
//! > `klingV1Router := router.Group("/kling/v1")`
//! > `klingV1Router.Use(middleware.KlingRequestConvert(), middleware.TokenAuth(), …)`
//!
//! ModelStream: "Authorization: Bearer sk-xxxxxx".

#![allow(dead_code)] // each test uses a different part of the mock

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

mod forward;
mod poll;
use poll::{absolutize, generic_poll, stage};
pub mod newapi;
mod relay;
use forward::forward;
use relay::{relay_create, relay_poll};

/// Which gateway sits behind `/v1/video/generations` (and `/kling/v1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deployment {
    /// QuantumNous/new-api as its source behaves (see `newapi.rs`).
    #[default]
    Stock,
    /// BIE5462/new-api @ 3ae2e44c: the Kling struct declares the shot list and image_list.
    Fork,
    /// The seed's ModelStream form: top-level "multi_shot?boolean", "duration?number",
    /// "negative_prompt?string", "cfg_scale?number", "aspect_ratio?string",
    /// "watermark_enabled?boolean"; the shot list as the Kling v3 gateway docs' top-level
    /// `"multi_prompt": [{"index": 123, "prompt": "<string>", "duration": "<string>"}]`
    /// (docs.anyfast.ai/api-reference/model-api/kuaishou/kling-v3-t2v).
    ModelStream,
}

/// The bytes a finished task's URL serves.
pub const VIDEO: &[u8] = b"\x00\x00\x00\x18ftypmp42 mock video bytes";

/// Which poll answer the generic route gives: new-api's task envelope
/// (`relay/relay_task.go` @ 00fca48c, `dto/task.go` @ 06644e80), its OpenAI video object
/// (`dto/openai_video.go` @ 705748d8), or the simple shape of the apifox sample below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollShape {
    /// `relay/relay_task.go`: on `/v1/video/generations/{id}` stock new-api answers
    /// `{"code":"success","message":"","data":{"task_id":"task_…","status":"SUCCESS",
    /// "progress":"100%","fail_reason":"…","result_url":"https://…"}}`.
    Envelope,
    /// On `/v1/videos/{id}` statuses are "queued", "in_progress", "completed", "failed"
    /// and the URL is in `metadata.url` (`openAIVideo.SetMetadata("url", …)`).
    OpenAiVideo,
    /// apifox sample: `{ "task_id": "abcd1234efgh", "status": "queued",
    /// "url": "https://example.com/video.mp4", "format": "mp4", … }`; the seed: status
    /// "succeeded" (some relays: success).
    Simple,
}

/// A one-off behaviour of the next create.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateScript {
    /// new-api middleware errors: `abortWithOpenAiMessage`: `"error": gin.H{ "message": …,
    /// "type": "new_api_error", "code": codeStr }`, here with HTTP 429.
    RateLimited,
    /// The task is made, then the connection drops before the answer is complete.
    DropAfterCreate,
}

#[derive(Debug, Clone)]
struct Task {
    /// `None` on the generic route, the Kling kind on the native route.
    relay_kind: Option<String>,
    polls: u32,
    fail_reason: Option<String>,
}

#[derive(Default)]
pub(super) struct Inner {
    key: String,
    shape: Option<PollShape>,
    /// The native route answers a create the way some forks do:
    /// `{"code": 0, "message": "", "task_id": "task_xxxxxxxxxxxxxxxx"}`.
    flat_relay_create: bool,
    /// Answer creates with Kling's own task id, as new-api @ 070818b8 did (see `make_task`).
    kling_task_ids: bool,
    quota_used_up: bool,
    fail_next_task: Option<String>,
    deployment: Deployment,
    /// The Kling bodies new-api sent upstream (after its request struct), with their path.
    forwarded: Vec<(String, Value)>,
    /// `metadata` keys new-api's decoder dropped, per create.
    dropped: Vec<Vec<String>>,
    /// The Kling account's next answer to a create: `(HTTP status, body)`, once.
    upstream_refusal: Option<(u16, Value)>,
    /// `controller/relay.go` @ 009910b9 rewrites a 429's message:
    /// `if taskErr.StatusCode == http.StatusTooManyRequests { taskErr.Message =
    /// "当前分组上游负载已饱和，请稍后再试" }`. A deployment that keeps the wrapped
    /// upstream body sets this.
    keeps_upstream_message: bool,
    scripts: VecDeque<CreateScript>,
    tasks: HashMap<String, Task>,
    next_id: u64,
    /// Every create body that passed authentication, and the Authorization headers seen.
    creates: Vec<Value>,
    authorizations: Vec<String>,
    downloads: u32,
}

#[derive(Clone)]
pub struct GatewayMock {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl GatewayMock {
    pub async fn start(key: &str) -> GatewayMock {
        let inner = Arc::new(Mutex::new(Inner {
            key: key.into(),
            ..Inner::default()
        }));
        let app = Router::new()
            .route("/v1/video/generations", post(generic_create))
            .route("/v1/video/generations/{id}", get(generic_poll))
            .route("/kling/v1/videos/{kind}", post(relay_create))
            .route("/kling/v1/videos/{kind}/{id}", get(relay_poll))
            .route("/files/{name}", get(download))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        GatewayMock { base, inner }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap())
    }

    pub fn set_shape(&self, shape: PollShape) {
        self.with(|i| i.shape = Some(shape));
    }
    pub fn flat_relay_create(&self) {
        self.with(|i| i.flat_relay_create = true);
    }
    pub fn answer_kling_task_ids(&self) {
        self.with(|i| i.kling_task_ids = true);
    }
    pub fn use_up_quota(&self) {
        self.with(|i| i.quota_used_up = true);
    }
    pub fn fail_next_task(&self, reason: &str) {
        self.with(|i| i.fail_next_task = Some(reason.into()));
    }
    pub fn deploy(&self, d: Deployment) {
        self.with(|i| i.deployment = d);
    }
    /// The Kling account answers the next create with `status` and `body`.
    pub fn upstream_refuses(&self, status: u16, body: Value) {
        self.with(|i| i.upstream_refusal = Some((status, body)));
    }
    pub fn keep_upstream_message(&self) {
        self.with(|i| i.keeps_upstream_message = true);
    }
    pub fn forwarded(&self) -> Vec<(String, Value)> {
        self.with(|i| i.forwarded.clone())
    }
    pub fn dropped(&self) -> Vec<Vec<String>> {
        self.with(|i| i.dropped.clone())
    }
    pub fn script(&self, s: CreateScript) {
        self.with(|i| i.scripts.push_back(s));
    }
    pub fn creates(&self) -> Vec<Value> {
        self.with(|i| i.creates.clone())
    }
    pub fn authorizations(&self) -> Vec<String> {
        self.with(|i| i.authorizations.clone())
    }
    pub fn tasks_made(&self) -> usize {
        self.with(|i| i.tasks.len())
    }
    pub fn downloads(&self) -> u32 {
        self.with(|i| i.downloads)
    }
    /// What the gateway's dashboard shows: the ids of the tasks it made.
    pub fn dashboard(&self) -> Vec<String> {
        self.with(|i| i.tasks.keys().cloned().collect())
    }
}

type Shared = Arc<Mutex<Inner>>;

/// `TokenAuth`: the gateway's own `sk-…` token as a Bearer token.
fn authorized(inner: &mut Inner, headers: &HeaderMap) -> bool {
    let got = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let ok = got == format!("Bearer {}", inner.key);
    inner.authorizations.push(got);
    ok
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// `abortWithOpenAiMessage`: `{"error":{"message","type":"new_api_error","code"}}`.
fn openai_error(status: StatusCode, message: &str, code: &str) -> Response {
    json_response(
        status,
        json!({"error": {"message": message, "type": "new_api_error", "code": code}}),
    )
}

/// `dto.TaskError` written as `c.JSON(taskErr.StatusCode, taskErr)`:
/// `{"code":"…","message":"…","data":null}`.
fn task_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        status,
        json!({"code": code, "message": message, "data": null}),
    )
}

/// What every create goes through before a task is made; `Err` is the answer to send.
fn admit(inner: &mut Inner, headers: &HeaderMap, body: &Bytes) -> Result<Value, Box<Response>> {
    if !authorized(inner, headers) {
        return Err(Box::new(openai_error(
            StatusCode::UNAUTHORIZED,
            "invalid token",
            "",
        )));
    }
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return Err(Box::new(task_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "invalid request body",
        )));
    };
    inner.creates.push(body.clone());
    if inner.scripts.front() == Some(&CreateScript::RateLimited) {
        inner.scripts.pop_front();
        return Err(Box::new(openai_error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate limit reached, retry later",
            "rate_limit",
        )));
    }
    // relay_utils.go: `return createTaskError(fmt.Errorf("prompt is required"),
    // "invalid_request", http.StatusBadRequest, true)` (the native route copies `prompt`
    // out of Kling's body and runs the same checks).
    if body["prompt"].as_str().is_none_or(|p| p.trim().is_empty()) {
        return Err(Box::new(task_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "prompt is required",
        )));
    }
    // relay_task.go: `taskErr = service.TaskErrorWrapperLocal(errors.New("user quota is
    // not enough"), "quota_not_enough", http.StatusForbidden)`.
    if inner.quota_used_up {
        return Err(Box::new(task_error(
            StatusCode::FORBIDDEN,
            "quota_not_enough",
            "user quota is not enough",
        )));
    }
    Ok(body)
}

/// Makes the task under the gateway's own id. Which id a create answers depends on the
/// new-api version, and shotdeck reads either (it polls by the id it was given):
/// - `relay/channel/task/kling/adaptor.go` @ 070818b8 `DoResponse`: `ov.ID =
///   kResp.Data.TaskId`, `ov.TaskID = kResp.Data.TaskId`: Kling's own task id, which is
///   also the task row's `task_id` that polls look up.
/// - later versions: `model/task.go` @ 01d7dcfd `GenerateTaskID` ("生成对外暴露的 task_xxxx
///   格式 ID": `"task_" + key`), kept in `TaskRelayInfo.PublicTaskID` (the Kling adaptor's
///   own test @ 98be541f builds `TaskRelayInfo{PublicTaskID: "task_public"}`), with Kling's
///   id in `PrivateData.UpstreamTaskID` ("旧数据没有 UpstreamTaskID 时，TaskID 本身就是上游
///   ID": in older rows the task id *is* the upstream one).
///
/// The mock answers the later form, or Kling's id after `answer_kling_task_ids`.
fn make_task(inner: &mut Inner, relay_kind: Option<String>) -> String {
    inner.next_id += 1;
    let id = if inner.kling_task_ids {
        // Any id not of new-api's `task_` form stands for Kling's.
        format!("{}", 860_000_000_000_000_000u64 + inner.next_id)
    } else {
        format!("task_{:032x}", inner.next_id)
    };
    let task = Task {
        relay_kind,
        polls: 0,
        fail_reason: inner.fail_next_task.take(),
    };
    inner.tasks.insert(id.clone(), task);
    id
}

/// After the task is made: the answer, or a connection cut mid-answer.
fn answer_or_drop(inner: &mut Inner, answer: Value) -> Response {
    if inner.scripts.front() == Some(&CreateScript::DropAfterCreate) {
        inner.scripts.pop_front();
        let failing = futures::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::other("connection lost"))
        });
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_LENGTH, "512")
            .body(Body::from_stream(failing))
            .unwrap();
    }
    json_response(StatusCode::OK, answer)
}

async fn generic_create(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let mut inner = s.lock().unwrap();
    let body = match admit(&mut inner, &headers, &body) {
        Ok(body) => body,
        Err(refusal) => return *refusal,
    };
    if let Err(refusal) = forward(&mut inner, &body) {
        return *refusal;
    }
    let id = make_task(&mut inner, None);
    // `dto.NewOpenAIVideo()` sets `Object: "video", Status: VideoStatusQueued`, plus `ov.ID`
    // and `ov.TaskID` (`TaskID string \`json:"task_id,omitempty"\` //兼容旧接口`): Kling's
    // id @ 070818b8, the public `task_…` id later (see `make_task`).
    let answer =
        json!({"id": id, "task_id": id, "object": "video", "status": "queued", "created_at": 0});
    answer_or_drop(&mut inner, answer)
}

async fn download(State(s): State<Shared>, Path(name): Path<String>) -> Response {
    let mut inner = s.lock().unwrap();
    let id = name.trim_end_matches(".mp4");
    if !inner.tasks.contains_key(id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    inner.downloads += 1;
    ([(header::CONTENT_TYPE, "video/mp4")], VIDEO).into_response()
}
