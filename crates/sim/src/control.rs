//! `/__sim/*`: read and replace faults, read counters. No auth, loopback peers only.

use std::net::SocketAddr;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::faults::Faults;
use super::server::Shared;

fn refuse_remote(peer: SocketAddr) -> Option<Response> {
    (!peer.ip().is_loopback()).then(|| {
        let body = json!({"error": "the control endpoints answer loopback clients only"});
        (StatusCode::FORBIDDEN, Json(body)).into_response()
    })
}

pub(crate) async fn get_faults(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    if let Some(refused) = refuse_remote(peer) {
        return refused;
    }
    let faults = state.faults().clone();
    Json(faults).into_response()
}

/// Replaces all faults (fields left out take their defaults) and answers the new set.
pub(crate) async fn put_faults(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Response {
    if let Some(refused) = refuse_remote(peer) {
        return refused;
    }
    let faults = match serde_json::from_slice::<Faults>(&body) {
        Ok(f) => f,
        Err(e) => return bad_request(format!("faults are not valid: {e}")),
    };
    if let Err(e) = faults.validate() {
        return bad_request(e);
    }
    *state.faults() = faults.clone();
    Json(faults).into_response()
}

pub(crate) async fn get_stats(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    if let Some(refused) = refuse_remote(peer) {
        return refused;
    }
    let stats = state.store().stats();
    Json(stats).into_response()
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}
