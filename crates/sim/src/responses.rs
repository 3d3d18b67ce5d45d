//! Response shapes of both wire forms, and the damaged responses faults produce.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};

/// Which wire form a path belongs to, so an injected fault answers in that form's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Kling,
    Gateway,
}

/// The new-api family's generic video route.
pub(crate) const GATEWAY_PREFIX: &str = "/v1/video/generations";
/// new-api's native Kling route: Kling's paths and bodies below it. Its faults answer in
/// Kling's shape (what the relay passes on from Kling).
pub(crate) const RELAY_PREFIX: &str = "/kling";

impl Style {
    pub(crate) fn for_path(path: &str) -> Style {
        if path == GATEWAY_PREFIX || path.starts_with("/v1/video/generations/") {
            Style::Gateway
        } else {
            Style::Kling
        }
    }
}

pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `{"code":0,"message":"SUCCEED","request_id":…,"data":…}`
pub(crate) fn kling_ok(data: Value) -> Response {
    Json(json!({"code": 0, "message": "SUCCEED", "request_id": request_id(), "data": data}))
        .into_response()
}

/// `{"code":N,"message":…,"request_id":…}` with the documented HTTP status.
pub(crate) fn kling_error(status: StatusCode, code: u32, message: impl Into<String>) -> Response {
    let body = json!({"code": code, "message": message.into(), "request_id": request_id()});
    (status, Json(body)).into_response()
}

/// new-api's task errors: `{"code":"…","message":"…","data":null}` with the HTTP status.
pub(crate) fn task_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({"code": code, "message": message.into(), "data": null});
    (status, Json(body)).into_response()
}

/// `{"error":{"message","type","param","code"}}`
pub(crate) fn gateway_error(
    status: StatusCode,
    kind: &str,
    code: &str,
    message: impl Into<String>,
    param: Option<String>,
) -> Response {
    let body =
        json!({"error": {"message": message.into(), "type": kind, "param": param, "code": code}});
    (status, Json(body)).into_response()
}

pub(crate) fn rate_limited(style: Style, retry_after_secs: u64) -> Response {
    let mut response = match style {
        Style::Kling => kling_error(
            StatusCode::TOO_MANY_REQUESTS,
            1302,
            "request rate exceeds the limit: slow down and retry",
        ),
        Style::Gateway => gateway_error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_error",
            "rate_limit_exceeded",
            "rate limit exceeded: retry later",
            None,
        ),
    };
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

pub(crate) fn server_error(style: Style) -> Response {
    match style {
        Style::Kling => kling_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            5000,
            "internal server error",
        ),
        Style::Gateway => gateway_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "server_error",
            "internal server error",
            None,
        ),
    }
}

pub(crate) fn balance_exhausted(style: Style) -> Response {
    match style {
        Style::Kling => kling_error(
            StatusCode::TOO_MANY_REQUESTS,
            1102,
            "resource pack exhausted: the account balance is used up",
        ),
        // What new-api's task relay answers when the user's quota is short.
        Style::Gateway => task_error(
            StatusCode::FORBIDDEN,
            "quota_not_enough",
            "user quota is not enough",
        ),
    }
}

/// Kling's 429/1303: the account already runs as many tasks as it may. new-api's task relay
/// passes a non-200 upstream body on as its message (`relay/relay_task.go`:
/// `TaskErrorWrapper(fmt.Errorf("%s", string(responseBody)), "fail_to_fetch_task", …)`).
pub(crate) fn parallel_limit(style: Style) -> Response {
    const MESSAGE: &str = "parallel task over resource pack limit";
    match style {
        Style::Kling => kling_error(StatusCode::TOO_MANY_REQUESTS, 1303, MESSAGE),
        Style::Gateway => {
            let upstream = json!({"code": 1303, "message": MESSAGE, "request_id": request_id()});
            task_error(
                StatusCode::TOO_MANY_REQUESTS,
                "fail_to_fetch_task",
                upstream.to_string(),
            )
        }
    }
}

/// 200 with JSON that stops mid-object.
pub(crate) fn malformed(style: Style) -> Response {
    let body = match style {
        Style::Kling => r#"{"code":0,"message":"SUCCEED","data":{"task_status":"#,
        Style::Gateway => r#"{"task_id":"gw_"#,
    };
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

/// A response whose body fails at once: hyper aborts the connection, so the client never
/// gets a complete message.
pub(crate) fn dropped() -> Response {
    cut_stream(StatusCode::OK, "application/json", Bytes::new(), 64)
}

/// Sends `prefix` and then aborts, having promised `declared_len` bytes.
pub(crate) fn cut_stream(
    status: StatusCode,
    content_type: &str,
    prefix: Bytes,
    declared_len: u64,
) -> Response {
    let pause = !prefix.is_empty();
    let sent = pause.then_some(Ok(prefix));
    let abort = futures::stream::once(async move {
        if pause {
            // hyper flushes what it has buffered only when the body stops being ready; without
            // this pause the prefix would be thrown away with the connection.
            tokio::task::yield_now().await;
        }
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "simulated connection drop",
        ))
    });
    let body = futures::stream::iter(sent).chain(abort);
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, HeaderValue::from(declared_len));
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    response
}

/// The same response with only the first half of its body: a complete HTTP message whose
/// JSON is cut short.
pub(crate) async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped();
    };
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
}
