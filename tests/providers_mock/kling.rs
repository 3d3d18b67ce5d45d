//! Shared by the official-API client tests: the keys the mock accepts and a client for it.

use serde_json::json;
use shotdeck::files::credentials::Secret;
use shotdeck::providers::{Client, KlingClient};

use super::{Mock, REQUEST_TIMEOUT};

pub const AK: &str = "ak-test-access";
pub const SK: &str = "sk-test-secret-value";
pub const TEXT2VIDEO: &str = "/v1/videos/text2video";

pub fn client_for(mock: &Mock, secret: &str) -> Client {
    let c = KlingClient::new(
        &mock.base,
        Secret::new(AK),
        Secret::new(secret),
        REQUEST_TIMEOUT,
    )
    .unwrap();
    Client::Kling(c)
}

pub fn kling_error(code: i64, message: &str) -> serde_json::Value {
    json!({"code": code, "message": message, "request_id": "req-err"})
}
