//! Which job store this process uses, chosen by one setting: `SHOTDECK_STORE_URL` (or
//! `[store] url` in config.toml) set to a postgres URL opens the team's PostgreSQL store;
//! otherwise the SQLite file in the data dir, as always. Errors name the setting and show
//! the URL only redacted.

use std::sync::Arc;

#[cfg(feature = "postgres")]
use crate::engine::store::pg::{PgOptions, PgStore};
use crate::engine::store::{JobStore, StoreError, default_path};
use crate::files::config::{Config, STORE_URL_ENV};

/// The schema a shared store's tables live in, when not `shotdeck`.
pub const STORE_SCHEMA_ENV: &str = "SHOTDECK_STORE_SCHEMA";

/// Where the jobs are kept, as `doctor` and errors describe it.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreChoice {
    Sqlite(std::path::PathBuf),
    Postgres {
        url: crate::core::store_url::StoreUrl,
        /// The setting that chose it: the variable or the config key.
        setting: &'static str,
        /// The Kling account its jobs go to (`SHOTDECK_ACCOUNT`, `[store] account`).
        account: String,
    },
}

impl StoreChoice {
    /// The choice `config` (and the environment) make; a bad URL is an error naming its
    /// setting, never its password.
    pub fn of(config: &Config) -> Result<StoreChoice, String> {
        let from_env = std::env::var(STORE_URL_ENV).is_ok_and(|v| !v.trim().is_empty());
        Ok(match config.store_url()? {
            Some(url) => StoreChoice::Postgres {
                url,
                account: config.account()?,
                setting: if from_env {
                    STORE_URL_ENV
                } else {
                    "[store] url in config.toml"
                },
            },
            None => StoreChoice::Sqlite(default_path()),
        })
    }

    /// One line: which store, where (redacted).
    pub fn describe(&self) -> String {
        match self {
            StoreChoice::Sqlite(path) => format!("SQLite at {}", path.display()),
            StoreChoice::Postgres { url, setting, .. } => {
                format!("PostgreSQL at {} (from {setting})", url.redacted())
            }
        }
    }

    /// Opens (creating and migrating if need be) the chosen store.
    pub async fn open(&self) -> Result<Arc<dyn JobStore>, OpenError> {
        match self {
            StoreChoice::Sqlite(path) => Ok(crate::engine::store::open(path)?),
            #[cfg(feature = "postgres")]
            StoreChoice::Postgres {
                url,
                setting,
                account,
            } => {
                let mut options = PgOptions::new(url.clone()).account(account.clone());
                // Several teams (or tests) on one database: a schema each.
                if let Ok(schema) = std::env::var(STORE_SCHEMA_ENV)
                    && !schema.trim().is_empty()
                {
                    options = options.schema(schema.trim());
                }
                let store = PgStore::connect(options).await.map_err(|e| {
                    OpenError::Shared(format!("{setting} ({}): {e}", url.redacted()))
                })?;
                Ok(Arc::new(store))
            }
            #[cfg(not(feature = "postgres"))]
            StoreChoice::Postgres { setting, .. } => Err(OpenError::Shared(format!(
                "{setting}: this shotdeck was built without the postgres feature"
            ))),
        }
    }
}

/// Why the store did not open.
#[derive(Debug)]
pub enum OpenError {
    Local(StoreError),
    /// The shared store: names the setting, the URL redacted.
    Shared(String),
}

impl From<StoreError> for OpenError {
    fn from(e: StoreError) -> Self {
        OpenError::Local(e)
    }
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Local(e) => e.fmt(f),
            OpenError::Shared(why) => write!(f, "job store {why}"),
        }
    }
}

impl std::error::Error for OpenError {}

impl OpenError {
    /// Another process holds the SQLite file's write lock: opening again later may work.
    pub fn is_busy(&self) -> bool {
        matches!(self, OpenError::Local(e) if e.is_busy())
    }
}

/// `doctor`'s line about the store: which one (the URL redacted) and whether it answers.
/// The SQLite file is named, not created; a shared store is connected to and counted.
pub async fn check(config: &Config) -> Result<String, String> {
    let choice = StoreChoice::of(config)?;
    let what = choice.describe();
    if let StoreChoice::Sqlite(_) = choice {
        return Ok(what);
    }
    let store = choice.open().await.map_err(|e| e.to_string())?;
    let counts = store.counts().await.map_err(|e| format!("{what}: {e}"))?;
    let account = match store.account().await {
        Ok(Some(a)) => format!(", account {}", a.name),
        _ => String::new(),
    };
    Ok(format!(
        "{what}: answers, {} job(s){account}",
        counts.of(None)
    ))
}

/// The store `config` chooses, opened.
pub async fn open_configured(config: &Config) -> Result<Arc<dyn JobStore>, OpenError> {
    StoreChoice::of(config)
        .map_err(OpenError::Shared)?
        .open()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::store_url::StoreUrl;

    #[tokio::test]
    async fn a_store_that_does_not_answer_is_named_by_its_setting_without_the_password() {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let url = StoreUrl::parse("postgres://me:s3cret@127.0.0.1:1/team").unwrap();
        let choice = StoreChoice::Postgres {
            url,
            setting: STORE_URL_ENV,
            account: "default".into(),
        };
        assert_eq!(
            choice.describe(),
            "PostgreSQL at postgres://me:***@127.0.0.1:1/team (from SHOTDECK_STORE_URL)"
        );
        let e = choice.open().await.err().expect("nothing listens there");
        let said = e.to_string();
        assert!(said.contains("SHOTDECK_STORE_URL"), "{said}");
        assert!(
            said.contains("127.0.0.1:1") && !said.contains("s3cret"),
            "{said}"
        );
        assert!(!e.is_busy());
    }
}
