//! Middleware on the API routes that injects latency and faults before (or after) the real
//! handler runs. Control and video routes are outside it.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::faults::Injection;
use super::responses::{self, Style};
use super::server::Shared;

pub(crate) async fn inject(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let style = Style::for_path(request.uri().path());
    let (latency_ms, injection, retry_after) = {
        let mut faults = state.faults();
        (
            faults.latency_ms,
            faults.next_injection(),
            faults.retry_after(),
        )
    };
    {
        let mut store = state.store();
        store.count_api_request();
        if injection.is_some() {
            store.count_fault();
        }
    }
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    let Some(injection) = injection else {
        return next.run(request).await;
    };
    tracing::debug!(?injection, path = %request.uri().path(), "injecting fault");
    match injection {
        Injection::RateLimit => responses::rate_limited(style, retry_after),
        Injection::ServerError => responses::server_error(style),
        Injection::Balance => responses::balance_exhausted(style),
        Injection::Malformed => responses::malformed(style),
        Injection::Drop => responses::dropped(),
        Injection::DropAfterCreate => {
            // The request takes effect; only its answer is lost.
            let _handled = next.run(request).await;
            responses::dropped()
        }
        Injection::Truncated => responses::truncated(next.run(request).await).await,
    }
}
