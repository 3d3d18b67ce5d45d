//! [`Client`]: either provider behind one type, one attempt per call.
//!
//! Nothing here waits or retries: the job engine decides when to ask again (its backoff
//! honours `Retry-After`) and never holds one of its request slots while it waits. The one
//! rule kept here is the one that makes a submit safe to repeat: a create whose answer
//! leaves the task's existence in doubt (5xx, dropped connection, timeout, unreadable
//! answer, or "this external_task_id exists") is followed, in the same call, by one lookup
//! by `external_task_id`, so a task that was made is returned instead of an error. When the
//! lookup finds nothing the create's error is returned, and the engine looks again before it
//! ever re-sends (a lookup may lag behind the create; the provider's uniqueness check on
//! `external_task_id` then turns a re-send into a conflict, which is resolved the same way),
//! so the user is never billed twice for one job.
//!
//! Gateways (the new-api form and the Kling relay) cannot look a task up by our id: their
//! doubtful creates are returned as they are, and the engine parks the job for the user
//! ("needs attention") instead of ever sending it again.

use std::path::Path;

use super::errors::ProviderError;
use super::gateway::{GATEWAY_BASE_ENV, GatewayClient, GatewayForm};
use super::kling::{DEFAULT_KLING_BASE, KLING_BASE_ENV, KlingClient};
use super::{ProviderSettings, TaskSnapshot};
use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::provider::Provider;
use shotdeck_files::credentials::{CREDENTIALS_FILE, Credentials};
use shotdeck_files::paths;

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
        let timeout = cfg.request_timeout;
        match provider {
            Provider::Kling => {
                let base = setting(KLING_BASE_ENV, &cfg.kling_base)
                    .unwrap_or_else(|| DEFAULT_KLING_BASE.to_string());
                let keys = creds
                    .kling_auth()
                    .map_err(|e| ProviderError::Config(e.to_string()))?;
                // The v2 design sends the API key even when a key pair is also set.
                let v2_key = creds.api_key.clone();
                Ok(Client::Kling(
                    KlingClient::with_keys(&base, keys, timeout)?.with_v2_key(v2_key),
                ))
            }
            Provider::Gateway | Provider::NewApi | Provider::KlingRelay => {
                let base = setting(GATEWAY_BASE_ENV, &cfg.gateway_base).ok_or_else(|| {
                    ProviderError::Config(format!(
                        "the gateway base URL is not set: set the environment variable {GATEWAY_BASE_ENV} \
                         or the gateway base URL in shotdeck's config.toml"
                    ))
                })?;
                let key = creds
                    .gateway_key()
                    .map_err(|e| ProviderError::Config(e.to_string()))?;
                let form = match provider {
                    Provider::KlingRelay => GatewayForm::KlingRelay,
                    Provider::NewApi => {
                        GatewayForm::NewApi(Box::new(cfg.profiles.newapi.0.clone()))
                    }
                    _ => GatewayForm::ModelStream(Box::new(cfg.profiles.gateway.0.clone())),
                };
                Ok(Client::Gateway(GatewayClient::new(
                    &base, key, form, timeout,
                )?))
            }
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            Client::Kling(_) => Provider::Kling,
            Client::Gateway(c) => c.form().provider(),
        }
    }

    /// The HTTP client, for the engine's downloads (loopback bases already bypass proxies).
    pub fn http(&self) -> &reqwest::Client {
        match self {
            Client::Kling(c) => c.http(),
            Client::Gateway(c) => c.http(),
        }
    }

    /// One create attempt, nothing else: a lost answer is the caller's to reconcile.
    pub async fn create(&self, req: &ComposedRequest) -> Result<TaskSnapshot, ProviderError> {
        match self {
            Client::Kling(c) => c.create(req).await,
            Client::Gateway(c) => c.create(req).await,
        }
    }

    /// One create of `req`, whose body carries `external_task_id` (the job engine checks
    /// that before it records a job). If the answer leaves the task's existence in doubt,
    /// one lookup by that id follows (see the module docs); an error returned after that
    /// still says, through [`ProviderError::task_may_exist`], that the task may exist and
    /// must be looked up before any re-send.
    pub async fn submit(
        &self,
        req: &ComposedRequest,
        external_task_id: &str,
    ) -> Result<TaskSnapshot, ProviderError> {
        let err = match self.create(req).await {
            Ok(task) => return Ok(task),
            Err(e) => e,
        };
        if !err.task_may_exist() || !self.provider().looks_up_by_external_id() {
            return Err(err);
        }
        tracing::warn!(external_task_id, error = %err, "create answer in doubt; looking the task up");
        match self.find_by_external_id(&req.path, external_task_id).await {
            Ok(Some(task)) => Ok(task),
            Ok(None) => Err(err),
            Err(lookup) => {
                // Cannot tell whether the task exists: report the create's error, which
                // says so, and let the engine look again later.
                tracing::warn!(external_task_id, error = %lookup, "lookup after a doubtful create failed");
                Err(err)
            }
        }
    }

    /// One task by id, one attempt.
    pub async fn query(
        &self,
        create_path: &str,
        task_id: &str,
    ) -> Result<TaskSnapshot, ProviderError> {
        match self {
            Client::Kling(c) => c.query(create_path, task_id).await,
            Client::Gateway(c) => c.query(create_path, task_id).await,
        }
    }

    /// The task created with `external_task_id`, `None` if the provider has none. One attempt.
    /// Gateways cannot answer this (see the module docs).
    pub async fn find_by_external_id(
        &self,
        create_path: &str,
        external_task_id: &str,
    ) -> Result<Option<TaskSnapshot>, ProviderError> {
        match self {
            Client::Kling(c) => c.find_by_external_id(create_path, external_task_id).await,
            Client::Gateway(_) => Err(no_lookup()),
        }
    }

    /// The most recent tasks of one kind (unreadable ones left out), one attempt, for
    /// polling many tasks at once. The gateway form has no list endpoint.
    pub async fn list(&self, create_path: &str) -> Result<Vec<TaskSnapshot>, ProviderError> {
        match self {
            Client::Kling(c) => c.list(create_path).await,
            Client::Gateway(_) => Err(ProviderError::Config(
                "listing tasks is not supported by the gateway provider".into(),
            )),
        }
    }

    /// Many v2 tasks with one `GET /tasks?task_ids=a,b` (see `KlingClient::lookup_batch`).
    /// Gateways have no such lookup.
    pub async fn lookup_batch(&self, ids: &[&str]) -> Result<Vec<TaskSnapshot>, ProviderError> {
        match self {
            Client::Kling(c) => c.lookup_batch(ids).await,
            Client::Gateway(_) => Err(ProviderError::Config(
                "the gateway provider has no task lookup by ids".into(),
            )),
        }
    }
}

fn no_lookup() -> ProviderError {
    ProviderError::Config(
        "a gateway cannot look a task up by external_task_id: check its dashboard".into(),
    )
}

pub use shotdeck_core::provider::DEFAULT_REQUEST_TIMEOUT;
