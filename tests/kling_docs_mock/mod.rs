//! A stand-in for the official Kling API written from Kling's public documentation, not
//! from shotdeck's client or simulator. Sources: Kling's English API reference
//! (<https://app.klingai.com/global/dev/document-api/apiReference/commonInfo> and the model
//! pages named in `tasks.rs`), read 2026-12-06 from the search tool's stored copy:
//!
//! - General Information: "Assembly format: Authorization = “Bearer XXX”, where XXX is the
//!   API Token generated in Step 2." — the JWT signed with the secret key, `iss` = access key.
//! - API-key auth (ArcReel #1074 quoting klingai.com/document-api/…/authentication?tab=api-key):
//!   "API Key 单密钥鉴权（`Authorization: Bearer <API Key>`…）".
//! - Error Code table: "401 1004 Authentication failed Authorization has expired", "429
//!   1102 Account exception Resource pack depleted or expired (prepaid scenario)", and 403
//!   1103, 404 1202, 404 1203, 429 1302 from the same table.
//! - Concurrency Rules: "Backoff Retry Strategy: Use an exponential backoff algorithm to
//!   delay retries (recommended initial delay ≥ 1 second)."
//!
//! It binds 127.0.0.1:0, keeps its own clock (offset from ours, to produce 1003/1004 and a
//! skewed `Date`), records every request, and takes one-off faults per operation.

#![allow(dead_code)] // each test file uses a different part of the mock

mod elements;
mod tasks;
pub mod v2;
mod v2_omni;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use shotdeck::providers::jwt::Claims;

#[allow(unused_imports)] // only the engine tests read the files
pub use tasks::{CLEAN_BYTES, OTHER_TASK_BYTES, WATERMARKED_BYTES};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    Query,
    List,
    File,
    ElementCreate,
    ElementQuery,
    ElementList,
}

/// A one-off answer to the next request of an operation, after authentication passed.
pub enum Fault {
    /// An error envelope: `{"code": N, "message": …, "request_id": …}` with `status`.
    Refuse { status: u16, code: i64 },
    /// Create the task, then drop the connection before the answer is sent.
    CreateThenDrop,
    /// A query answered with code 0 and this `task_status`, one the docs do not list.
    Status(&'static str),
    /// HTTP 200 with an HTML page, as a proxy or captive portal might answer.
    Html,
    /// The connection drops before any answer arrives.
    Drop,
    /// The list page carries one more task, without the `task_status` the docs give.
    UnreadableEntry,
    /// A query answered "succeed" for the asked task with an empty `task_result.videos`.
    SucceedWithoutVideos,
    /// A query answered with another task's success (another `task_id` and
    /// `external_task_id`, a video of [`OTHER_TASK_BYTES`]), as a mixed-up cache might.
    OtherTask,
    /// A query answered for the asked `task_id`, but echoing another account's
    /// `task_info.external_task_id` and pointing at another video.
    OtherExternalId,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub op: Op,
    pub path: String,
    pub query: Option<String>,
    pub authorization: Option<String>,
    pub body: Option<Value>,
    pub at: Instant,
}

/// What the mock's account accepts and how it behaves.
#[derive(Clone)]
pub struct Account {
    pub access_key: String,
    pub secret_key: String,
    pub api_key: String,
    /// Seconds the mock's clock is ahead of ours (negative: behind).
    pub clock_offset_secs: i64,
    /// Every authenticated request is refused with this (status, code): 1103, 1102, ….
    pub refuse_all: Option<(u16, i64)>,
    /// Whether `GET /v1/videos/{kind}/{id}` also finds tasks by `external_task_id`; off,
    /// it answers 1203 for them, and only the list shows the id.
    pub path_lookup_by_external_id: bool,
    /// Queries answered "processing" before the task is done.
    pub polls_before_done: u32,
}

impl Account {
    pub fn new(access_key: &str, secret_key: &str, api_key: &str) -> Account {
        Account {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            api_key: api_key.into(),
            clock_offset_secs: 0,
            refuse_all: None,
            path_lookup_by_external_id: true,
            polls_before_done: 1,
        }
    }
}

struct Inner {
    account: Account,
    base: String,
    hits: Mutex<Vec<Hit>>,
    faults: Mutex<VecDeque<(Op, Fault)>>,
    tasks: Mutex<tasks::Tasks>,
    elements: Mutex<elements::Library>,
}

pub struct DocsMock {
    pub base: String,
    inner: Arc<Inner>,
}

impl DocsMock {
    pub async fn start(account: Account) -> DocsMock {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let inner = Arc::new(Inner {
            account,
            base: base.clone(),
            hits: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            tasks: Mutex::new(tasks::Tasks::default()),
            elements: Mutex::new(elements::Library::default()),
        });
        let app = Router::new().fallback(handle).with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.expect("mock server") });
        DocsMock { base, inner }
    }

    pub fn fault(&self, op: Op, fault: Fault) {
        self.inner.faults.lock().unwrap().push_back((op, fault));
    }

    /// The next task created fails ("task_status": "failed").
    pub fn fail_next_task(&self, reason: &str) {
        self.inner.tasks.lock().unwrap().fail_next = Some(reason.to_string());
    }

    /// The `n`-th task created (0 = the first) never shows on a list page, as a task with
    /// a page of newer tasks above it would not.
    pub fn keep_off_the_list(&self, n: usize) {
        self.inner.tasks.lock().unwrap().off_the_list.push(n);
    }

    /// The model of each task created so far, oldest first: its `model_name`, or the
    /// documented default when the create left it out.
    pub fn task_models(&self) -> Vec<String> {
        self.inner.tasks.lock().unwrap().models()
    }

    /// The task ids created so far, oldest first.
    pub fn task_ids(&self) -> Vec<String> {
        self.inner.tasks.lock().unwrap().ids()
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.inner.hits.lock().unwrap().clone()
    }

    pub fn count(&self, op: Op) -> usize {
        self.hits().iter().filter(|h| h.op == op).count()
    }

    pub fn tasks_created(&self) -> usize {
        self.inner.tasks.lock().unwrap().all.len()
    }
}

impl Inner {
    fn now(&self) -> SystemTime {
        let offset = Duration::from_secs(self.account.clock_offset_secs.unsigned_abs());
        if self.account.clock_offset_secs >= 0 {
            SystemTime::now() + offset
        } else {
            SystemTime::now() - offset
        }
    }

    fn now_secs(&self) -> u64 {
        self.now().duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    /// Every answer carries the mock's clock in `Date`, as HTTP servers do.
    fn respond(&self, status: u16, body: &Value) -> Response {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("date", httpdate::fmt_http_date(self.now()))
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    /// The docs' error envelope: `{"code", "message", "request_id"}`.
    fn refuse(&self, status: u16, code: i64, message: &str) -> Response {
        self.respond(
            status,
            &json!({"code": code, "message": message, "request_id": "mock-req"}),
        )
    }

    /// `None` when the credential is good, else the documented refusal (HTTP 401):
    /// 1001 "Authorization is empty", 1002 "Authorization is invalid", 1003 "not yet
    /// valid", 1004 "Authorization has expired".
    fn check_auth(&self, header: Option<&str>) -> Option<Response> {
        let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
            return Some(self.refuse(401, 1001, "Authorization is empty"));
        };
        if token == self.account.api_key {
            return None;
        }
        let mut v = Validation::new(Algorithm::HS256);
        v.set_required_spec_claims(&["iss", "exp", "nbf"]);
        v.set_issuer(&[&self.account.access_key]);
        // Times are checked below against the mock's own clock.
        v.validate_exp = false;
        v.validate_nbf = false;
        let key = DecodingKey::from_secret(self.account.secret_key.as_bytes());
        let Ok(data) = jsonwebtoken::decode::<Claims>(token, &key, &v) else {
            return Some(self.refuse(401, 1002, "Authorization is invalid"));
        };
        let now = self.now_secs();
        if data.claims.nbf > now {
            return Some(self.refuse(401, 1003, "Authorization is not yet valid"));
        }
        if data.claims.exp < now {
            return Some(self.refuse(401, 1004, "Authorization has expired"));
        }
        None
    }
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let op = match (&method, segments.as_slice()) {
        (&Method::GET, ["files", _]) => Op::File,
        (&Method::POST, ["v1", "general", "advanced-custom-elements"]) => Op::ElementCreate,
        (&Method::GET, ["v1", "general", "advanced-custom-elements"]) => Op::ElementList,
        (&Method::GET, ["v1", "general", "advanced-custom-elements", _]) => Op::ElementQuery,
        (&Method::POST, ["v1", "videos", _]) => Op::Create,
        (&Method::GET, ["v1", "videos", _]) => Op::List,
        (&Method::GET, ["v1", "videos", _, _]) => Op::Query,
        // "404 1202 Invalid request parameters The requested method is invalid"
        _ => return inner.refuse(404, 1202, "invalid request method or path"),
    };
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();
    inner.hits.lock().unwrap().push(Hit {
        op,
        path: path.clone(),
        query: uri.query().map(str::to_string),
        authorization: authorization.clone(),
        body: json_body.clone(),
        at: Instant::now(),
    });
    if op == Op::File {
        // Result URLs are plain CDN links: no credential is sent or needed.
        return tasks::file(segments[1]);
    }
    if let Some(refusal) = inner.check_auth(authorization.as_deref()) {
        return refusal;
    }
    if let Some((status, code)) = inner.account.refuse_all {
        return inner.refuse(status, code, "refused by the account's state");
    }
    let fault = {
        let mut faults = inner.faults.lock().unwrap();
        let pos = faults.iter().position(|(o, _)| *o == op);
        pos.and_then(|p| faults.remove(p)).map(|(_, f)| f)
    };
    let kind = segments[2];
    match (op, fault) {
        (_, Some(Fault::Refuse { status, code })) => inner.refuse(status, code, "scripted refusal"),
        (Op::Create, Some(Fault::CreateThenDrop)) => {
            let _ = tasks::create(&inner, kind, json_body.as_ref());
            dropped()
        }
        (_, Some(Fault::Drop)) => dropped(),
        (Op::Query, Some(Fault::Status(word))) => inner.respond(
            200,
            &json!({"code": 0, "message": "SUCCEED", "request_id": "mock-req",
                    "data": {"task_id": segments[3], "task_status": word, "task_status_msg": ""}}),
        ),
        (
            Op::Query,
            Some(odd @ (Fault::SucceedWithoutVideos | Fault::OtherTask | Fault::OtherExternalId)),
        ) => inner.respond(200, &tasks::odd_answer(&inner.base, segments[3], &odd)),
        (_, Some(Fault::Html)) => Response::builder()
            .status(200)
            .header("content-type", "text/html")
            .body(Body::from(
                "<html><body>Please log in to the Wi-Fi</body></html>",
            ))
            .unwrap(),
        (Op::ElementQuery, Some(Fault::Status(word))) => inner.respond(
            200,
            &json!({"code": 0, "message": "SUCCEED", "request_id": "mock-req",
                    "data": {"task_id": segments[3], "task_status": word}}),
        ),
        (Op::ElementCreate, _) => elements::create(&inner, json_body.as_ref()),
        (Op::ElementQuery, _) => elements::query(&inner, segments[3]),
        (Op::ElementList, _) => elements::list(&inner),
        (Op::Create, _) => tasks::create(&inner, kind, json_body.as_ref()),
        (Op::Query, _) => tasks::query(&inner, kind, segments[3]),
        (Op::List, fault) => {
            let odd_entry = matches!(fault, Some(Fault::UnreadableEntry));
            tasks::list(&inner, kind, uri.query().unwrap_or_default(), odd_entry)
        }
        (Op::File, _) => unreachable!("answered before authentication"),
    }
}

/// An answer whose body breaks off: the client sees the connection drop.
fn dropped() -> Response {
    let cut = futures::stream::iter([Err::<Bytes, std::io::Error>(std::io::Error::other(
        "connection dropped",
    ))]);
    Response::builder()
        .status(200)
        .body(Body::from_stream(cut))
        .unwrap()
}
