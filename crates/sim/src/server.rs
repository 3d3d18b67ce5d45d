//! The simulated backend's HTTP server: routes, shared state, start and shutdown.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::elements::{ELEMENTS_PATH, Library};
use super::faults::{Faults, Outcome};
use super::keys::SimKeys;
use super::responses::{Style, balance_exhausted};
use super::stats::SimStats;
use super::store::Store;
use super::task::Account;
use super::validate::{self, Invalid};
use super::{
    control, elements, fault_layer, gateway_api, kling_api, kling_v2_api, responses, video,
};

/// How long a task takes from create to its end unless configured otherwise.
pub const DEFAULT_TASK_SECONDS: f64 = 3.0;

/// Create bodies carry Base64 images (up to 10 MB each, several per request): axum's 2 MB
/// default would refuse valid requests.
const MAX_BODY_BYTES: usize = 128 * 1024 * 1024;

/// How long `shutdown` waits for open connections before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub keys: SimKeys,
    /// Seconds from create until a task ends (it is `submitted` for the first fifth).
    pub task_seconds: f64,
    pub faults: Faults,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            keys: SimKeys::demo(),
            task_seconds: DEFAULT_TASK_SECONDS,
            faults: Faults::default(),
        }
    }
}

/// What every handler shares.
pub(crate) struct SimState {
    pub keys: SimKeys,
    pub run_for: Duration,
    pub base_url: String,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    /// The account's element library (see `elements.rs`).
    pub(crate) elements: Library,
}

pub(crate) type Shared = Arc<SimState>;

impl SimState {
    // A handler that panicked mid-update leaves counters at worst slightly off; the server
    // keeps serving rather than failing every later request.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What every create does before its wire form's own validation: read the JSON object,
    /// count the attempt by external id (refused ones too, so duplicates show), refuse when
    /// the balance is gone, and roll the new task's fate. `invalid` answers in the wire
    /// form's error shape.
    pub(crate) fn create_intake(
        &self,
        body: &[u8],
        style: Style,
        invalid: fn(Invalid) -> Response,
    ) -> Result<(Map<String, Value>, Outcome), Box<Response>> {
        let map = validate::parse_object(body).map_err(|e| Box::new(invalid(e)))?;
        // The gateway form may carry the key in `metadata` only.
        let key = map
            .get("external_task_id")
            .or_else(|| map.get("metadata").and_then(|m| m.get("external_task_id")));
        if let Some(id) = key.and_then(Value::as_str) {
            self.store().count_create_attempt(id);
        }
        let faults = self.faults();
        if faults.balance_exhausted {
            return Err(Box::new(balance_exhausted(style)));
        }
        Ok((map, faults.roll_outcome()))
    }

    pub(crate) fn video_url(&self, task_id: &str) -> String {
        format!("{}/sim/videos/{task_id}.mp4", self.base_url)
    }
}

/// A running simulated backend. Dropping it stops the server as well.
pub struct SimServer {
    addr: SocketAddr,
    state: Shared,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimServer {
    /// Binds `addr` (port 0 picks a free port) and serves on the current tokio runtime.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> io::Result<SimServer> {
        let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
        if !config.task_seconds.is_finite() || config.task_seconds < 0.0 {
            return Err(invalid(format!(
                "task_seconds must be a finite number ≥ 0, got {}",
                config.task_seconds
            )));
        }
        config.faults.validate().map_err(invalid)?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(SimState {
            keys: config.keys,
            run_for: Duration::from_secs_f64(config.task_seconds),
            base_url: format!("http://{}", reachable(addr)),
            store: Mutex::new(Store::new()),
            faults: Mutex::new(config.faults),
            elements: Library::new(&format!("http://{}", reachable(addr))),
        });
        let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("simulated backend stopped: {e}");
            }
        });
        Ok(SimServer {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Replaces all faults, including the script. Rates outside 0..=1 act as clamped.
    pub fn set_faults(&self, faults: Faults) {
        *self.state.faults() = faults;
    }

    pub fn faults(&self) -> Faults {
        self.state.faults().clone()
    }

    /// What a gateway's dashboard shows the user: the task id made for `external_task_id`
    /// in any account. The API itself offers no such lookup at the gateway; tests use this
    /// to play the user who enters the id (`shotdeck jobs attach`).
    pub fn dashboard_task_id(&self, external_task_id: &str) -> Option<String> {
        let store = self.state.store();
        [Account::Kling, Account::Gateway]
            .into_iter()
            .find_map(|a| store.find_external(a, external_task_id))
            .map(|t| t.task_id.clone())
    }

    /// The reference videos (`video_list` URLs) the create with `external_task_id` carried,
    /// as accepted; `None` when no task has that id. Tests read what a create sent.
    pub fn video_references(&self, external_task_id: &str) -> Option<Vec<String>> {
        let store = self.state.store();
        [Account::Kling, Account::Gateway]
            .into_iter()
            .find_map(|a| store.find_external(a, external_task_id))
            .map(|t| t.spec.video_urls.clone())
    }

    pub fn stats(&self) -> SimStats {
        self.state.store().stats()
    }

    /// Stops accepting, lets open requests finish for a moment, then cuts the rest.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An address clients can reach: a wildcard bind is reached through loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    }
}

fn router(state: Shared) -> Router {
    // The gateway's generic form lives under `/v1/video/` (singular), its Kling relay under
    // `/kling`; neither clashes with the official `/v1/videos/{kind}`. Create and list share
    // a path per kind.
    let api = Router::new()
        .route(responses::GATEWAY_PREFIX, post(gateway_api::create))
        .route(
            &format!("{}/{{task_id}}", responses::GATEWAY_PREFIX),
            get(gateway_api::query),
        )
        .route(
            &format!("{}/v1/videos/{{kind}}", responses::RELAY_PREFIX),
            post(kling_api::relay_create),
        )
        .route(
            &format!("{}/v1/videos/{{kind}}/{{id}}", responses::RELAY_PREFIX),
            get(kling_api::relay_query),
        )
        .route(
            "/v1/videos/{kind}",
            get(kling_api::list).post(kling_api::create),
        )
        .route("/v1/videos/{kind}/{id}", get(kling_api::query))
        .route(ELEMENTS_PATH, get(elements::list).post(elements::create))
        .route(
            &format!("{ELEMENTS_PATH}/{{task_id}}"),
            get(elements::query),
        )
        .route("/text-to-video/{model}", post(kling_v2_api::create_text))
        .route("/image-to-video/{model}", post(kling_v2_api::create_image))
        .route("/omni-video/{model}", post(kling_v2_api::create_omni))
        .route("/tasks", get(kling_v2_api::lookup))
        .layer(from_fn_with_state(state.clone(), fault_layer::inject))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    Router::new()
        .merge(api)
        .route("/sim/videos/{file}", get(video::serve))
        .route("/sim/elements/{file}", get(elements::image))
        .route(
            "/__sim/faults",
            get(control::get_faults).put(control::put_faults),
        )
        .route("/__sim/stats", get(control::get_stats))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found(method: Method, uri: Uri) -> Response {
    responses::kling_error(
        StatusCode::NOT_FOUND,
        1203,
        format!("no such endpoint: {method} {}", uri.path()),
    )
}
