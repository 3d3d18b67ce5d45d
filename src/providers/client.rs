//! [`Client`]: either provider behind one type, plus the retry and reconciliation rules
//! that make a submit safe to repeat.
//!
//! The rule that matters most: a create that may have reached the provider (5xx, dropped
//! connection, timeout, unreadable answer) is never blindly re-sent. The task is first
//! looked up by its `external_task_id`; only when the provider says it does not exist is
//! the create sent again. Should the lookup lag behind the create, the provider's uniqueness
//! check on `external_task_id` turns the re-send into a conflict, which is resolved by the
//! same lookup, so the user is never billed twice for one job.

use std::future::Future;
use std::path::Path;

use serde_json::Value;

use super::errors::ProviderError;
use super::gateway::{GATEWAY_BASE_ENV, GatewayClient};
use super::kling::{DEFAULT_KLING_BASE, KLING_BASE_ENV, KlingClient};
use super::retry::RetryPolicy;
use super::{ProviderSettings, TaskSnapshot};
use crate::core::compose::ComposedRequest;
use crate::core::provider::Provider;
use crate::files::credentials::{CREDENTIALS_FILE, Credentials};
use crate::files::paths;

#[derive(Debug)]
pub enum Client {
    Kling(KlingClient),
    Gateway(GatewayClient),
}

impl Client {
    /// A client for `provider` from the process environment and `credentials.toml`.
    pub fn from_env(provider: Provider, cfg: &ProviderSettings) -> Result<Client, ProviderError> {
        let file = paths::config_dir().join(CREDENTIALS_FILE);
        Client::from_sources(provider, cfg, &|name| std::env::var(name).ok(), &file)
    }

    /// [`Client::from_env`] with the environment and credentials file given. Environment
    /// variables win over `cfg`, which wins over the built-in default.
    pub fn from_sources(
        provider: Provider,
        cfg: &ProviderSettings,
        env: &dyn Fn(&str) -> Option<String>,
        credentials_file: &Path,
    ) -> Result<Client, ProviderError> {
        let setting = |var: &str, configured: &Option<String>| {
            env(var)
                .or_else(|| configured.clone())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let creds = Credentials::load_from(env, credentials_file);
        let retry = cfg.retry.clone();
        match provider {
            Provider::Kling => {
                let base = setting(KLING_BASE_ENV, &cfg.kling_base)
                    .unwrap_or_else(|| DEFAULT_KLING_BASE.to_string());
                let (access, secret) = creds
                    .kling_keys()
                    .map_err(|e| ProviderError::Config(e.to_string()))?;
                Ok(Client::Kling(KlingClient::new(
                    &base, access, secret, retry,
                )?))
            }
            Provider::Gateway => {
                let base = setting(GATEWAY_BASE_ENV, &cfg.gateway_base).ok_or_else(|| {
                    ProviderError::Config(format!(
                        "the gateway base URL is not set: set the environment variable {GATEWAY_BASE_ENV} \
                         or the gateway base URL in shotdeck's config.toml"
                    ))
                })?;
                let key = creds
                    .gateway_key()
                    .map_err(|e| ProviderError::Config(e.to_string()))?;
                Ok(Client::Gateway(GatewayClient::new(&base, key, retry)?))
            }
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            Client::Kling(_) => Provider::Kling,
            Client::Gateway(_) => Provider::Gateway,
        }
    }

    /// The HTTP client, for the engine's downloads (loopback bases already bypass proxies).
    pub fn http(&self) -> &reqwest::Client {
        match self {
            Client::Kling(c) => c.http(),
            Client::Gateway(c) => c.http(),
        }
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        match self {
            Client::Kling(c) => c.retry_policy(),
            Client::Gateway(c) => c.retry_policy(),
        }
    }

    /// One create attempt, no retry (the engine owns reconciliation).
    pub async fn create(&self, req: &ComposedRequest) -> Result<TaskSnapshot, ProviderError> {
        match self {
            Client::Kling(c) => c.create(req).await,
            Client::Gateway(c) => c.create(req).await,
        }
    }

    /// Create with retries and reconciliation (see the module docs). A rate limit is
    /// retried after a backoff; an answer that leaves the task's existence in doubt is
    /// settled by [`Client::find_by_external_id`] before any re-send, and a "this
    /// external_task_id exists" answer returns the existing task.
    pub async fn submit(
        &self,
        req: &ComposedRequest,
        external_task_id: &str,
    ) -> Result<TaskSnapshot, ProviderError> {
        check_external_id(req, external_task_id)?;
        let policy = self.retry_policy();
        let mut attempt = 1;
        loop {
            let err = match self.create(req).await {
                Ok(task) => return Ok(task),
                Err(e) => e,
            };
            if matches!(err, ProviderError::Conflict { .. }) {
                tracing::info!(
                    external_task_id,
                    "create answered conflict; looking the task up"
                );
                return match self.find_by_external_id(&req.path, external_task_id).await {
                    Ok(Some(task)) => Ok(task),
                    _ => Err(err),
                };
            }
            if err.may_have_created() {
                tracing::warn!(external_task_id, error = %err, "create answer lost; looking the task up before any re-send");
                match self.find_by_external_id(&req.path, external_task_id).await {
                    Ok(Some(task)) => return Ok(task),
                    Ok(None) => {}
                    Err(lookup) => {
                        // Cannot tell whether the task exists: report the create's error,
                        // which says "may have created", and let the engine look again later.
                        tracing::warn!(external_task_id, error = %lookup, "lookup after a lost create failed");
                        return Err(err);
                    }
                }
            }
            if !err.is_retryable() || attempt >= policy.max_attempts {
                return Err(err);
            }
            let wait = policy.delay(attempt, &err);
            tracing::info!(external_task_id, attempt, ?wait, error = %err, "create will be retried");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One task by id, retrying errors that may pass.
    pub async fn query(
        &self,
        create_path: &str,
        task_id: &str,
    ) -> Result<TaskSnapshot, ProviderError> {
        self.with_retries(|| async move {
            match self {
                Client::Kling(c) => c.query(create_path, task_id).await,
                Client::Gateway(c) => c.query(create_path, task_id).await,
            }
        })
        .await
    }

    /// The task created with `external_task_id`, `None` if the provider has none.
    pub async fn find_by_external_id(
        &self,
        create_path: &str,
        external_task_id: &str,
    ) -> Result<Option<TaskSnapshot>, ProviderError> {
        self.with_retries(|| async move {
            match self {
                Client::Kling(c) => c.find_by_external_id(create_path, external_task_id).await,
                Client::Gateway(c) => c.find_by_external_id(create_path, external_task_id).await,
            }
        })
        .await
    }

    /// The most recent tasks of one kind. The gateway form has no list endpoint.
    pub async fn list(&self, create_path: &str) -> Result<Vec<TaskSnapshot>, ProviderError> {
        match self {
            Client::Kling(c) => self.with_retries(|| c.list(create_path)).await,
            Client::Gateway(_) => Err(ProviderError::Config(
                "listing tasks is not supported by the gateway provider".into(),
            )),
        }
    }

    async fn with_retries<T, F, Fut>(&self, op: F) -> Result<T, ProviderError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let policy = self.retry_policy();
        let mut attempt = 1;
        loop {
            match op().await {
                Err(e) if e.is_retryable() && attempt < policy.max_attempts => {
                    let wait = policy.delay(attempt, &e);
                    tracing::debug!(attempt, ?wait, error = %e, "request will be retried");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}

/// Reconciliation looks the task up by `external_task_id`; if the body carried another id
/// (or none), a lost answer could not be matched and a re-send might bill twice.
fn check_external_id(req: &ComposedRequest, external_task_id: &str) -> Result<(), ProviderError> {
    let in_body = req.body.get("external_task_id").and_then(Value::as_str);
    if external_task_id.trim().is_empty() || in_body != Some(external_task_id) {
        return Err(ProviderError::Config(format!(
            "refusing to submit: the request body's external_task_id ({}) must equal the job's id ({external_task_id:?})",
            in_body.map_or_else(|| "missing".to_string(), |s| format!("{s:?}"))
        )));
    }
    Ok(())
}
