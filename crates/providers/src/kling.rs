//! The official Kling API (legacy request design; the v2 design's calls are in `kling_v2`), authenticated with a signed JWT or with
//! Kling's plain API key (both sent as `Authorization: Bearer …`).
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
use super::jwt::KlingAuth;
use super::parse::{parse_kling_list, parse_kling_list_skipping_unreadable, parse_kling_task};
use super::{TaskSnapshot, ensure_method};
use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::kling_v2::is_v2_path;
use shotdeck_files::credentials::{KlingKeys, Secret};

pub const DEFAULT_KLING_BASE: &str = "https://api-singapore.klingai.com";
/// The environment variable that overrides the base URL.
pub const KLING_BASE_ENV: &str = "KLING_API_BASE";

/// The list endpoint's largest page ("pageSize … 取值范围：[1,500]", the docs' query
/// section): a lost create is among the newest tasks, so few pages are ever read.
pub const LIST_PAGE_SIZE: u32 = 500;
/// Pages of [`LIST_PAGE_SIZE`] scanned for a lost create before concluding it never
/// happened: a thousand tasks of one kind is far more than an account makes between a
/// create and its reconciliation.
const LIST_SCAN_PAGES: u32 = 2;

/// One answer to the cheap authenticated call `shotdeck doctor` makes, kept whole so the
/// diagnosis can read the status and the server's clock as well as the verdict.
#[derive(Debug)]
pub struct Probe {
    pub status: u16,
    pub server_date: Option<std::time::SystemTime>,
    pub result: Result<Vec<TaskSnapshot>, ProviderError>,
}

#[derive(Debug)]
pub struct KlingClient {
    http: reqwest::Client,
    pub(super) base: Url,
    auth: KlingAuth,
    /// Kling's API key, the only credential the v2 design takes (see `kling_v2`).
    pub(super) v2_key: Option<Secret>,
    /// Bound on each single request, sending and reading the answer included.
    pub(super) request_timeout: Duration,
}

impl KlingClient {
    /// A client signing tokens with an access/secret key pair.
    pub fn new(
        base: &str,
        access_key: Secret,
        secret_key: Secret,
        request_timeout: Duration,
    ) -> Result<KlingClient, ProviderError> {
        let keys = KlingKeys::AccessSecret {
            access: access_key,
            secret: secret_key,
        };
        Self::with_keys(base, keys, request_timeout)
    }

    /// A client with either kind of credential (see [`KlingKeys`]).
    pub fn with_keys(
        base: &str,
        keys: KlingKeys,
        request_timeout: Duration,
    ) -> Result<KlingClient, ProviderError> {
        let base = http::parse_base(base, KLING_BASE_ENV)?;
        Ok(KlingClient {
            http: http::build_client(&base)?,
            base,
            auth: KlingAuth::from_keys(keys),
            v2_key: None,
            request_timeout,
        })
    }

    /// The API key the v2 design sends (`None`: a v2 create is refused, nothing sent).
    pub fn with_v2_key(mut self, key: Option<Secret>) -> KlingClient {
        self.v2_key = key;
        self
    }

    /// Which credential this client sends, in words (never the value).
    pub fn auth_kind(&self) -> &'static str {
        self.auth.describe()
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `POST {path}` with the composed body.
    pub async fn create(&self, req: &ComposedRequest) -> Result<TaskSnapshot, ProviderError> {
        if is_v2_path(&req.path) {
            return self.create_v2(req).await;
        }
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
        if is_v2_path(create_path) {
            return self.query_v2(task_id).await;
        }
        let url = http::endpoint(&self.base, create_path, Some(task_id))?;
        self.call(Method::GET, url, None, &[], parse_kling_task)
            .await
    }

    /// The task created with `external_task_id`, or `None` if the API does not know it.
    ///
    /// The docs say a task may be queried by "task_id 或 external_task_id 二选一" but show no
    /// URL for the second form, so one reading is not trusted: the path form is asked first
    /// and believed only when the answer carries our id in `task_info.external_task_id`;
    /// when it says not found, refuses the id, or names another task, the kind's task list
    /// is scanned for our id before the create is taken as never made. A v2 create is
    /// looked up with `GET /tasks?external_task_ids=` instead (see `kling_v2.rs`).
    pub async fn find_by_external_id(
        &self,
        create_path: &str,
        external_task_id: &str,
    ) -> Result<Option<TaskSnapshot>, ProviderError> {
        if is_v2_path(create_path) {
            return self.find_v2_by_external_id(external_task_id).await;
        }
        match self.query(create_path, external_task_id).await {
            Ok(task) if task.external_task_id.as_deref() == Some(external_task_id) => {
                return Ok(Some(task));
            }
            Ok(task) => {
                tracing::debug!(found = %task.task_id, "the path lookup named another task; scanning the list");
            }
            Err(e @ (ProviderError::NotFound { .. } | ProviderError::BadRequest { .. })) => {
                tracing::debug!(error = %e, "the path lookup found nothing; scanning the list");
            }
            Err(e) => return Err(e),
        }
        self.scan_list(create_path, external_task_id).await
    }

    /// Reads the newest pages of the kind's list for a task carrying `external_task_id`.
    async fn scan_list(
        &self,
        create_path: &str,
        external_task_id: &str,
    ) -> Result<Option<TaskSnapshot>, ProviderError> {
        for page in 1..=LIST_SCAN_PAGES {
            let tasks = self.list_page(create_path, page, LIST_PAGE_SIZE).await?;
            let full = tasks.len() >= LIST_PAGE_SIZE as usize;
            if let Some(task) = tasks
                .into_iter()
                .find(|t| t.external_task_id.as_deref() == Some(external_task_id))
            {
                return Ok(Some(task));
            }
            if !full {
                break;
            }
        }
        Ok(None)
    }

    /// The newest tasks of one kind, for polling: the first page of the list, tasks that
    /// cannot be read left out (see [`parse_kling_list_skipping_unreadable`]).
    pub async fn list(&self, create_path: &str) -> Result<Vec<TaskSnapshot>, ProviderError> {
        if is_v2_path(create_path) {
            return Err(ProviderError::Config(
                "the v2 design has no task list per kind: its tasks are looked up by id".into(),
            ));
        }
        let url = http::endpoint(&self.base, create_path, None)?;
        let size = LIST_PAGE_SIZE.to_string();
        let query = [("pageNum", "1"), ("pageSize", size.as_str())];
        self.call(
            Method::GET,
            url,
            None,
            &query,
            parse_kling_list_skipping_unreadable,
        )
        .await
    }

    /// `GET {create_path}?pageNum=N&pageSize=M`.
    pub async fn list_page(
        &self,
        create_path: &str,
        page_num: u32,
        page_size: u32,
    ) -> Result<Vec<TaskSnapshot>, ProviderError> {
        let url = http::endpoint(&self.base, create_path, None)?;
        let (num, size) = (page_num.to_string(), page_size.to_string());
        let query = [("pageNum", num.as_str()), ("pageSize", size.as_str())];
        self.call(Method::GET, url, None, &query, parse_kling_list)
            .await
    }

    /// One `GET {base}{create_path}?pageNum=1&pageSize=1`, at `base` (another region's host,
    /// say) or this client's own, with no re-signing: what the server says is the point.
    /// `Err` only when no answer came (DNS, connect, TLS, timeout).
    pub async fn probe(
        &self,
        base: Option<&Url>,
        create_path: &str,
    ) -> Result<Probe, ProviderError> {
        let url = http::endpoint(base.unwrap_or(&self.base), create_path, None)?;
        let request = self
            .http
            .get(url)
            .bearer_auth(self.auth.bearer()?)
            .query(&[("pageNum", "1"), ("pageSize", "1")]);
        let answer = http::exchange(request, self.request_timeout).await?;
        Ok(Probe {
            status: answer.status,
            server_date: answer.server_date,
            result: parse_kling_list(answer.status, &answer.body),
        })
    }

    pub(crate) async fn call<T>(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        query: &[(&str, &str)],
        parse: fn(u16, &[u8]) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let mut resigned = false;
        loop {
            let token = self.auth.bearer()?;
            let request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token)
                .query(query);
            let answer = match body {
                Some(body) => http::exchange_json(request, body, self.request_timeout).await,
                None => http::exchange(request, self.request_timeout).await,
            };
            let Answer {
                status,
                retry_after,
                body: bytes,
                ..
            } = answer?;
            match parse(status, &bytes) {
                Err(e) if e.is_token_timing() && !resigned && self.auth.resign() => {
                    tracing::debug!(code = ?e.code(), "Kling token rejected as expired or not yet valid; re-signing once");
                    resigned = true;
                }
                result => return result.map_err(|e| e.with_retry_after(retry_after)),
            }
        }
    }
}
