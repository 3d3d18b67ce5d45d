//! The new-api family's routes with `Authorization: Bearer sk-…`: `POST
//! {base}/v1/video/generations`, polled at `GET {base}/v1/video/generations/{task_id}`
//! (`--provider gateway` and `--provider newapi`; paths, status words and URL fields from
//! the [`GatewayProfile`]), and the Kling relay (`--provider kling-relay`): Kling's own body
//! and paths under a prefix, same key.
//!
//! Neither can find a task by our `external_task_id` (new-api looks tasks up only by its own
//! `task_…` id), so there is no lookup here: an ambiguous create waits for the user.

use std::time::Duration;

use reqwest::{Method, Url};

use super::errors::ProviderError;
use super::http;
use super::parse::{parse_gateway_created, parse_gateway_task, parse_relay_task};
use super::{TaskSnapshot, ensure_method};
use shotdeck_core::Provider;
use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::gateway_profile::GatewayProfile;
use shotdeck_files::credentials::Secret;

/// The environment variable holding the gateway's base URL (there is no built-in default:
/// which vendor to trust with the key is the user's choice).
pub const GATEWAY_BASE_ENV: &str = "SHOTDECK_GATEWAY_URL";

/// Which route the client speaks: `/v1/video/generations` in the seed's ModelStream form
/// (`gateway`) or as stock new-api (`newapi`), both read by their profile; or Kling's body
/// through a relay (`kling-relay`).
#[derive(Debug, Clone, PartialEq)]
pub enum GatewayForm {
    ModelStream(Box<GatewayProfile>),
    NewApi(Box<GatewayProfile>),
    KlingRelay,
}

impl GatewayForm {
    /// The profile of a `/v1/video/generations` route; `None` for the relay.
    pub fn profile(&self) -> Option<&GatewayProfile> {
        match self {
            GatewayForm::ModelStream(p) | GatewayForm::NewApi(p) => Some(p),
            GatewayForm::KlingRelay => None,
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            GatewayForm::ModelStream(_) => Provider::Gateway,
            GatewayForm::NewApi(_) => Provider::NewApi,
            GatewayForm::KlingRelay => Provider::KlingRelay,
        }
    }
}

#[derive(Debug)]
pub struct GatewayClient {
    http: reqwest::Client,
    base: Url,
    api_key: Secret,
    form: GatewayForm,
    /// Bound on each single request, sending and reading the answer included.
    request_timeout: Duration,
}

impl GatewayClient {
    pub fn new(
        base: &str,
        api_key: Secret,
        form: GatewayForm,
        request_timeout: Duration,
    ) -> Result<GatewayClient, ProviderError> {
        let base = http::parse_base(base, GATEWAY_BASE_ENV)?;
        Ok(GatewayClient {
            http: http::build_client(&base)?,
            base,
            api_key,
            form,
            request_timeout,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn form(&self) -> &GatewayForm {
        &self.form
    }

    /// `POST {path}` with the composed body: one attempt.
    pub async fn create(&self, req: &ComposedRequest) -> Result<TaskSnapshot, ProviderError> {
        let method = ensure_method(req)?;
        let url = http::endpoint(&self.base, &req.path, None)?;
        let request = self
            .http
            .request(method, url)
            .bearer_auth(self.api_key.expose());
        let answer = http::exchange_json(request, &req.body, self.request_timeout).await?;
        match self.form.profile() {
            Some(_) => parse_gateway_created(answer.status, &answer.body),
            None => parse_relay_task(answer.status, &answer.body),
        }
        .map_err(|e| e.with_retry_after(answer.retry_after))
    }

    /// The task's state: at the profile's poll path for new-api gateways, at
    /// `{create_path}/{task_id}` (Kling's query path under the prefix) for a relay.
    pub async fn query(
        &self,
        create_path: &str,
        task_id: &str,
    ) -> Result<TaskSnapshot, ProviderError> {
        let url = match self.form.profile() {
            Some(p) => poll_url(&self.base, p, task_id)?,
            None => http::endpoint(&self.base, create_path, Some(task_id))?,
        };
        let answer = self.send(self.http.request(Method::GET, url)).await?;
        match self.form.profile() {
            Some(p) => parse_gateway_task(answer.status, &answer.body, task_id, p),
            None => parse_relay_task(answer.status, &answer.body),
        }
        .map_err(|e| e.with_retry_after(answer.retry_after))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<http::Answer, ProviderError> {
        let request = request.bearer_auth(self.api_key.expose());
        http::exchange(request, self.request_timeout).await
    }
}

/// The poll URL, the task id escaped as one path segment wherever the path holds it.
fn poll_url(base: &Url, profile: &GatewayProfile, task_id: &str) -> Result<Url, ProviderError> {
    if let Some(dir) = profile.poll_path.strip_suffix("/{task_id}") {
        return http::endpoint(base, dir, Some(task_id));
    }
    if task_id.trim().is_empty() || task_id.chars().all(|c| c == '.') {
        return Err(ProviderError::Config(format!(
            "task id {task_id:?} cannot be placed inside the poll path {:?}",
            profile.poll_path
        )));
    }
    http::endpoint(
        base,
        &profile.poll_path_for(&http::path_segment(task_id)),
        None,
    )
}
