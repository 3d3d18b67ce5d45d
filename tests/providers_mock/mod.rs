//! A small axum stand-in for the official Kling API and the Bearer-key gateway, on
//! 127.0.0.1:0. It checks credentials the way the real services do (the JWT is verified with
//! the secret key; the Bearer key compared), keeps tasks keyed by `external_task_id`, and
//! lets a test queue one-off replies (errors, garbage, a dropped connection) per operation.
//! Every request is recorded so tests can count exactly what the client sent.

#![allow(dead_code)] // each test file uses a different part of the mock

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use shotdeck::core::ComposedRequest;
use shotdeck::core::{Board, Provider, compose, compose::PlaceholderImages};
use shotdeck::providers::jwt::Claims;
use std::time::Duration;

pub mod kling;
mod tasks;
use tasks::{create, list, lookup, query_task, respond};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    Query,
    Lookup,
    List,
}

/// A one-off answer to the next request of an operation, after authentication passed.
pub enum Reply {
    Json {
        status: u16,
        body: Value,
        retry_after: Option<u64>,
    },
    Raw {
        status: u16,
        body: &'static str,
    },
    /// Create the task as usual, then drop the connection before the answer is complete.
    CreateThenDrop,
    /// Create the task as usual, then answer only after `secs` (past the client's timeout).
    CreateThenStall {
        secs: u64,
    },
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply::Json {
            status,
            body,
            retry_after: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub op: Op,
    pub authorization: Option<String>,
    pub query: Option<String>,
    pub body: Option<Value>,
    pub at: Instant,
}

#[derive(Clone)]
enum Auth {
    Jwt {
        access_key: String,
        secret_key: String,
    },
    Bearer(String),
}

struct Task {
    task_id: String,
    external_task_id: Option<String>,
    kind: String,
    polls: u32,
}

struct Inner {
    auth: Auth,
    hits: Mutex<Vec<Hit>>,
    script: Mutex<VecDeque<(Op, Reply)>>,
    tasks: Mutex<Vec<Task>>,
}

pub struct Mock {
    pub base: String,
    inner: Arc<Inner>,
}

impl Mock {
    pub async fn kling(access_key: &str, secret_key: &str) -> Mock {
        Mock::start(Auth::Jwt {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
        })
        .await
    }

    pub async fn gateway(api_key: &str) -> Mock {
        Mock::start(Auth::Bearer(api_key.into())).await
    }

    async fn start(auth: Auth) -> Mock {
        let inner = Arc::new(Inner {
            auth,
            hits: Mutex::new(Vec::new()),
            script: Mutex::new(VecDeque::new()),
            tasks: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("mock server") });
        Mock {
            base: format!("http://{addr}"),
            inner,
        }
    }

    /// Queue a reply for the next request of `op`.
    pub fn script(&self, op: Op, reply: Reply) {
        self.inner.script.lock().unwrap().push_back((op, reply));
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.inner.hits.lock().unwrap().clone()
    }

    pub fn count(&self, op: Op) -> usize {
        self.hits().iter().filter(|h| h.op == op).count()
    }

    pub fn tasks_created(&self) -> usize {
        self.inner.tasks.lock().unwrap().len()
    }
}

/// Bound on one request: generous for loopback, short enough for a stalled answer to fail.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The request the real composer builds for the starter board.
pub fn composed(provider: Provider, external_task_id: &str) -> ComposedRequest {
    compose(
        &Board::starter(),
        provider,
        &PlaceholderImages,
        external_task_id,
    )
    .expect("starter board composes")
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let segments: Vec<String> = uri
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect();
    let (kind, id) = match segments.as_slice() {
        [v1, videos, kind] if v1 == "v1" && videos == "videos" => (kind.clone(), None),
        [v1, videos, kind, id] if v1 == "v1" && videos == "videos" => {
            (kind.clone(), Some(id.clone()))
        }
        _ => {
            return respond(
                404,
                &json!({"code": 1202, "message": "no such route"}),
                None,
            );
        }
    };
    let query = uri.query().map(str::to_string);
    let looks_up = query
        .as_deref()
        .is_some_and(|q| q.contains("external_task_id="));
    let op = match (&method, &id) {
        (&Method::POST, None) => Op::Create,
        (&Method::GET, Some(_)) => Op::Query,
        (&Method::GET, None) if looks_up => Op::Lookup,
        (&Method::GET, None) => Op::List,
        _ => {
            return respond(
                405,
                &json!({"code": 1201, "message": "method not allowed"}),
                None,
            );
        }
    };
    let body: Option<Value> = serde_json::from_slice(&body).ok();
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    inner.hits.lock().unwrap().push(Hit {
        op,
        authorization: authorization.clone(),
        query: query.clone(),
        body: body.clone(),
        at: Instant::now(),
    });
    if let Some(refusal) = check_auth(&inner.auth, authorization.as_deref()) {
        return refusal;
    }
    let scripted = {
        let mut script = inner.script.lock().unwrap();
        let pos = script.iter().position(|(o, _)| *o == op);
        pos.and_then(|p| script.remove(p)).map(|(_, r)| r)
    };
    let gateway = matches!(inner.auth, Auth::Bearer(_));
    match scripted {
        Some(Reply::Json {
            status,
            body,
            retry_after,
        }) => respond(status, &body, retry_after),
        Some(Reply::Raw { status, body }) => Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap(),
        Some(Reply::CreateThenDrop) => {
            let _ = create(&inner, &kind, body.as_ref(), gateway);
            let broken = futures::stream::iter([Err::<Bytes, std::io::Error>(
                std::io::Error::other("dropped"),
            )]);
            Response::builder()
                .status(200)
                .body(Body::from_stream(broken))
                .unwrap()
        }
        Some(Reply::CreateThenStall { secs }) => {
            let answer = create(&inner, &kind, body.as_ref(), gateway);
            tokio::time::sleep(Duration::from_secs(secs)).await;
            answer
        }
        None => match op {
            Op::Create => create(&inner, &kind, body.as_ref(), gateway),
            Op::Query => query_task(&inner, id.as_deref().unwrap_or_default(), gateway),
            Op::Lookup => lookup(&inner, query.as_deref().unwrap_or_default()),
            Op::List => list(&inner, &kind),
        },
    }
}

/// `None` when the credentials are good, else the refusal the real service would send.
fn check_auth(auth: &Auth, header: Option<&str>) -> Option<Response> {
    let token = header.and_then(|h| h.strip_prefix("Bearer "));
    match auth {
        Auth::Bearer(key) if token == Some(key.as_str()) => None,
        Auth::Bearer(_) => Some(respond(
            401,
            &json!({"error": {"message": "invalid api key", "type": "authentication_error", "param": null, "code": "invalid_api_key"}}),
            None,
        )),
        Auth::Jwt {
            access_key,
            secret_key,
        } => {
            let Some(token) = token else {
                return Some(respond(
                    401,
                    &json!({"code": 1001, "message": "authorization is empty"}),
                    None,
                ));
            };
            let mut v = Validation::new(Algorithm::HS256);
            v.set_required_spec_claims(&["iss", "exp", "nbf"]);
            v.set_issuer(&[access_key]);
            v.validate_nbf = true;
            v.leeway = 0;
            let code = match jsonwebtoken::decode::<Claims>(
                token,
                &DecodingKey::from_secret(secret_key.as_bytes()),
                &v,
            ) {
                Ok(_) => return None,
                Err(e) => match e.kind() {
                    ErrorKind::ExpiredSignature => 1004,
                    ErrorKind::ImmatureSignature => 1003,
                    _ => 1002,
                },
            };
            Some(respond(
                401,
                &json!({"code": code, "message": "authorization is invalid"}),
                None,
            ))
        }
    }
}
