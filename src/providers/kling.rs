//! The official Kling API (legacy request design), authenticated with a signed JWT.
//!
//! Each method makes one logical attempt; the only repeat here is the documented one: a
//! token the server calls expired or not yet valid (1003/1004) is re-signed and the request
//! sent once more. The lookup after a doubtful create is [`super::Client::submit`]'s; waiting
//! and retrying are the job engine's.

use std::time::Duration;

use reqwest::{Method, Url};
use serde_json::Value;

use super::errors::ProviderError;
use super::http::{self, Answer};
use super::jwt::TokenSigner;
use super::parse::{parse_kling_list, parse_kling_task};
use super::{TaskSnapshot, ensure_method};
use crate::core::compose::ComposedRequest;
use crate::files::credentials::Secret;

pub const DEFAULT_KLING_BASE: &str = "https://api-singapore.klingai.com";
/// The environment variable that overrides the base URL.
pub const KLING_BASE_ENV: &str = "KLING_API_BASE";

/// The list endpoint's page size: the most recent tasks are what reconciliation needs.
const LIST_PAGE_SIZE: &str = "30";

#[derive(Debug)]
pub struct KlingClient {
    http: reqwest::Client,
    base: Url,
    signer: TokenSigner,
    /// Bound on each single request, sending and reading the answer included.
    request_timeout: Duration,
}

impl KlingClient {
    pub fn new(
        base: &str,
        access_key: Secret,
        secret_key: Secret,
        request_timeout: Duration,
    ) -> Result<KlingClient, ProviderError> {
        let base = http::parse_base(base, KLING_BASE_ENV)?;
        Ok(KlingClient {
            http: http::build_client(&base)?,
            base,
            signer: TokenSigner::new(access_key, secret_key),
            request_timeout,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `POST {path}` with the composed body.
    pub async fn create(&self, req: &ComposedRequest) -> Result<TaskSnapshot, ProviderError> {
        let method = ensure_method(req)?;
        let url = http::endpoint(&self.base, &req.path, None)?;
        self.call(method, url, Some(&req.body), &[], parse_kling_task)
            .await
    }

    /// `GET {create_path}/{id}`; the id may be the task id or the external task id.
    pub async fn query(
        &self,
        create_path: &str,
        task_id: &str,
    ) -> Result<TaskSnapshot, ProviderError> {
        let url = http::endpoint(&self.base, create_path, Some(task_id))?;
        self.call(Method::GET, url, None, &[], parse_kling_task)
            .await
    }

    /// The task created with `external_task_id`, or `None` if the API does not know it.
    pub async fn find_by_external_id(
        &self,
        create_path: &str,
        external_task_id: &str,
    ) -> Result<Option<TaskSnapshot>, ProviderError> {
        match self.query(create_path, external_task_id).await {
            // Guard against the id matching some other task's `task_id`.
            Ok(task)
                if task
                    .external_task_id
                    .as_deref()
                    .is_some_and(|e| e != external_task_id) =>
            {
                Ok(None)
            }
            Ok(task) => Ok(Some(task)),
            Err(ProviderError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The most recent tasks of one kind (`GET {create_path}?pageNum=1&pageSize=30`).
    pub async fn list(&self, create_path: &str) -> Result<Vec<TaskSnapshot>, ProviderError> {
        let url = http::endpoint(&self.base, create_path, None)?;
        let query = [("pageNum", "1"), ("pageSize", LIST_PAGE_SIZE)];
        self.call(Method::GET, url, None, &query, parse_kling_list)
            .await
    }

    async fn call<T>(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        query: &[(&str, &str)],
        parse: fn(u16, &[u8]) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let mut resigned = false;
        loop {
            let token = self.signer.token()?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token)
                .query(query);
            if let Some(body) = body {
                request = request.json(body);
            }
            let Answer {
                status,
                retry_after,
                body: bytes,
            } = http::exchange(request, self.request_timeout).await?;
            match parse(status, &bytes) {
                Err(e) if e.is_token_timing() && !resigned => {
                    tracing::debug!(code = ?e.code(), "Kling token rejected as expired or not yet valid; re-signing once");
                    self.signer.invalidate();
                    resigned = true;
                }
                result => return result.map_err(|e| e.with_retry_after(retry_after)),
            }
        }
    }
}
