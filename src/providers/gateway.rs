//! A Bearer-key gateway (`Authorization: Bearer sk-…`) speaking the form in
//! kling-v3-api.txt. Paths vary by vendor; the create path comes from the composed request
//! and a vendor prefix goes into the base URL.

use std::time::Duration;

use reqwest::{Method, Url};

use super::errors::ProviderError;
use super::http;
use super::parse::{parse_gateway_list, parse_gateway_task};
use super::{TaskSnapshot, ensure_method};
use crate::core::compose::ComposedRequest;
use crate::files::credentials::Secret;

/// The environment variable holding the gateway's base URL (there is no built-in default:
/// which vendor to trust with the key is the user's choice).
pub const GATEWAY_BASE_ENV: &str = "SHOTDECK_GATEWAY_URL";

#[derive(Debug)]
pub struct GatewayClient {
    http: reqwest::Client,
    base: Url,
    api_key: Secret,
    /// Bound on each single request, sending and reading the answer included.
    request_timeout: Duration,
}

impl GatewayClient {
    pub fn new(
        base: &str,
        api_key: Secret,
        request_timeout: Duration,
    ) -> Result<GatewayClient, ProviderError> {
        let base = http::parse_base(base, GATEWAY_BASE_ENV)?;
        Ok(GatewayClient {
            http: http::build_client(&base)?,
            base,
            api_key,
            request_timeout,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `POST {path}` (normally `/v1/videos/generations`) with the composed body.
    pub async fn create(&self, req: &ComposedRequest) -> Result<TaskSnapshot, ProviderError> {
        let method = ensure_method(req)?;
        let url = http::endpoint(&self.base, &req.path, None)?;
        let request = self.http.request(method, url).json(&req.body);
        self.send(request, parse_gateway_task).await
    }

    /// `GET {create_path}/{task_id}`.
    pub async fn query(
        &self,
        create_path: &str,
        task_id: &str,
    ) -> Result<TaskSnapshot, ProviderError> {
        let url = http::endpoint(&self.base, create_path, Some(task_id))?;
        self.send(self.http.request(Method::GET, url), parse_gateway_task)
            .await
    }

    /// `GET {create_path}?external_task_id=X`: the task created with that id, if any.
    pub async fn find_by_external_id(
        &self,
        create_path: &str,
        external_task_id: &str,
    ) -> Result<Option<TaskSnapshot>, ProviderError> {
        let url = http::endpoint(&self.base, create_path, None)?;
        let request = self
            .http
            .request(Method::GET, url)
            .query(&[("external_task_id", external_task_id)]);
        let tasks = match self.send(request, parse_gateway_list).await {
            Err(ProviderError::NotFound { .. }) => return Ok(None),
            other => other?,
        };
        // A gateway that ignores the filter would hand back unrelated tasks: keep only ours.
        Ok(tasks
            .into_iter()
            .find(|t| t.external_task_id.as_deref() == Some(external_task_id)))
    }

    async fn send<T>(
        &self,
        request: reqwest::RequestBuilder,
        parse: fn(u16, &[u8]) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let request = request.bearer_auth(self.api_key.expose());
        let answer = http::exchange(request, self.request_timeout).await?;
        parse(answer.status, &answer.body).map_err(|e| e.with_retry_after(answer.retry_after))
    }
}
