//! API keys: from the environment first, else from `credentials.toml` in the config dir.
//!
//! The file must be private to its owner (mode 0600 on unix): a key readable by other users
//! is refused rather than used, so the user finds out before someone else does. Values are
//! wrapped in [`Secret`], whose `Debug` and `Display` print `***`, so a stray `{:?}` in a log
//! line or an error cannot leak them.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::paths;

pub const CREDENTIALS_FILE: &str = "credentials.toml";

pub const ENV_ACCESS_KEY: &str = "KLING_ACCESS_KEY";
pub const ENV_SECRET_KEY: &str = "KLING_SECRET_KEY";
pub const ENV_API_KEY: &str = "KLING_API_KEY";
/// The gateway's own key; `KLING_API_KEY` is its fallback, so older setups keep working.
pub const ENV_GATEWAY_KEY: &str = "SHOTDECK_GATEWAY_KEY";

/// True for environment variables that hold (or may hold) a key: the ones shotdeck reads,
/// and any other `KLING_…`/`SHOTDECK_…` variable whose name says key, secret or token (so a
/// variable added later is covered without a list to keep in step), and the ones that may
/// carry a database password (the team store's URL, libpq's `PGPASSWORD`). Child processes
/// (the video opener) get an environment without them.
pub fn is_secret_env(name: &str) -> bool {
    if [ENV_ACCESS_KEY, ENV_SECRET_KEY, ENV_API_KEY, ENV_GATEWAY_KEY].contains(&name) {
        return true;
    }
    if ["SHOTDECK_STORE_URL", "PGPASSWORD"].contains(&name) {
        return true;
    }
    let upper = name.to_ascii_uppercase();
    (upper.starts_with("KLING_") || upper.starts_with("SHOTDECK_"))
        && ["KEY", "SECRET", "TOKEN"].iter().any(|w| upper.contains(w))
}

/// A credential value. Only [`Secret::expose`] gives the text back.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CredentialsError {
    #[error(
        "{path} has mode {mode:04o} but holds API keys: it must be readable by you only \
         (run `chmod 600 {path}`)"
    )]
    TooOpen { path: String, mode: u32 },
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "no Kling API credentials{}: set {ENV_ACCESS_KEY} and {ENV_SECRET_KEY} (or \
         `kling_access_key`/`kling_secret_key` in {path}) to sign tokens, or {ENV_API_KEY} \
         (or `kling_api_key` in {path}) to send an API key",
        half_missing.map(|m| format!(" ({m} is missing)")).unwrap_or_default()
    )]
    NoKlingKeys {
        path: String,
        half_missing: Option<&'static str>,
    },
    #[error("{what} is not set: set the environment variable {env} or `{key} = \"…\"` in {path}")]
    Missing {
        what: &'static str,
        env: &'static str,
        key: &'static str,
        path: String,
    },
}

/// How the official API is to be authenticated, as chosen from the keys found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KlingKeys {
    /// Access key + secret key: a short-lived HS256 JWT is signed from them.
    AccessSecret { access: Secret, secret: Secret },
    /// Kling's plain API key, sent as `Authorization: Bearer <key>` as it is.
    ApiKey(Secret),
}

/// The keys found, each from the environment or the file.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub access_key: Option<Secret>,
    pub secret_key: Option<Secret>,
    pub api_key: Option<Secret>,
    /// `SHOTDECK_GATEWAY_KEY` or `gateway_api_key`: preferred over `api_key` by gateways.
    pub gateway_key: Option<Secret>,
    /// Where the file was (or would be) read, for messages that tell the user where to put keys.
    pub file: PathBuf,
    /// Why the file could not be used (too open, unreadable, invalid). Reported when a key
    /// the environment lacks is asked for, so keys set in the environment keep working.
    file_problem: Option<CredentialsError>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    kling_access_key: Option<String>,
    kling_secret_key: Option<String>,
    kling_api_key: Option<String>,
    gateway_api_key: Option<String>,
}

impl Credentials {
    /// Reads the process environment and `credentials.toml` in [`paths::config_dir`].
    pub fn load() -> Credentials {
        let file = paths::config_dir().join(CREDENTIALS_FILE);
        Credentials::load_from(&|name| std::env::var(name).ok(), &file)
    }

    /// The same with the environment and file given, so it can be tested without touching
    /// the process environment. The file is only opened when the environment lacks a key.
    pub fn load_from(env: &dyn Fn(&str) -> Option<String>, file: &Path) -> Credentials {
        let lookup = |name: &str| {
            env(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut creds = Credentials {
            access_key: lookup(ENV_ACCESS_KEY).map(Secret),
            secret_key: lookup(ENV_SECRET_KEY).map(Secret),
            api_key: lookup(ENV_API_KEY).map(Secret),
            gateway_key: lookup(ENV_GATEWAY_KEY).map(Secret),
            file: file.to_path_buf(),
            file_problem: None,
        };
        let complete = creds.access_key.is_some()
            && creds.secret_key.is_some()
            && creds.api_key.is_some()
            && creds.gateway_key.is_some();
        if complete || !file.exists() {
            return creds;
        }
        let stored = match read_file(file) {
            Ok(stored) => stored,
            Err(problem) => {
                tracing::warn!(%problem, "credentials file not used");
                creds.file_problem = Some(problem);
                return creds;
            }
        };
        let from_file = |v: Option<String>| {
            v.map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .map(Secret)
        };
        creds.access_key = creds.access_key.or(from_file(stored.kling_access_key));
        creds.secret_key = creds.secret_key.or(from_file(stored.kling_secret_key));
        creds.api_key = creds.api_key.or(from_file(stored.kling_api_key));
        creds.gateway_key = creds.gateway_key.or(from_file(stored.gateway_api_key));
        creds
    }

    /// The official API's access key and secret key.
    pub fn kling_keys(&self) -> Result<(Secret, Secret), CredentialsError> {
        let access = self.require(
            &self.access_key,
            "the Kling access key",
            ENV_ACCESS_KEY,
            "kling_access_key",
        )?;
        let secret = self.require(
            &self.secret_key,
            "the Kling secret key",
            ENV_SECRET_KEY,
            "kling_secret_key",
        )?;
        Ok((access, secret))
    }

    /// The official API's credentials. An access/secret key pair wins when both halves are
    /// set (the older, documented form every account has); otherwise Kling's plain API key
    /// is used. Neither → one error naming both ways to provide them.
    pub fn kling_auth(&self) -> Result<KlingKeys, CredentialsError> {
        if let (Some(access), Some(secret)) = (&self.access_key, &self.secret_key) {
            return Ok(KlingKeys::AccessSecret {
                access: access.clone(),
                secret: secret.clone(),
            });
        }
        if let Some(key) = &self.api_key {
            return Ok(KlingKeys::ApiKey(key.clone()));
        }
        if let Some(problem) = &self.file_problem {
            return Err(problem.clone());
        }
        let half = match (&self.access_key, &self.secret_key) {
            (Some(_), None) => Some(ENV_SECRET_KEY),
            (None, Some(_)) => Some(ENV_ACCESS_KEY),
            _ => None,
        };
        Err(CredentialsError::NoKlingKeys {
            path: self.file.display().to_string(),
            half_missing: half,
        })
    }

    /// The gateway's Bearer key (also the Kling relay's): its own key, else `KLING_API_KEY`.
    pub fn gateway_key(&self) -> Result<Secret, CredentialsError> {
        let key = self.gateway_key.clone().or_else(|| self.api_key.clone());
        self.require(
            &key,
            "the gateway API key",
            "SHOTDECK_GATEWAY_KEY (or KLING_API_KEY)",
            "gateway_api_key",
        )
    }

    fn require(
        &self,
        value: &Option<Secret>,
        what: &'static str,
        env: &'static str,
        key: &'static str,
    ) -> Result<Secret, CredentialsError> {
        if let Some(value) = value {
            return Ok(value.clone());
        }
        if let Some(problem) = &self.file_problem {
            return Err(problem.clone());
        }
        Err(CredentialsError::Missing {
            what,
            env,
            key,
            path: self.file.display().to_string(),
        })
    }
}

fn read_file(file: &Path) -> Result<CredentialsFile, CredentialsError> {
    let path = file.display().to_string();
    check_private(file, &path)?;
    // Through the special-file and size check: a FIFO is refused, never waited on.
    let text =
        super::safe_read::read_string(file, super::safe_read::MAX_SETTINGS_BYTES).map_err(|e| {
            CredentialsError::Unreadable {
                path: path.clone(),
                reason: match e {
                    super::safe_read::ReadError::Io { source, .. } => source.to_string(),
                    other => other.to_string(),
                },
            }
        })?;
    // Never toml's own Display: it quotes the offending line, which may hold a key.
    toml::from_str(&text).map_err(|e| CredentialsError::Invalid {
        path,
        reason: super::toml_error::describe(&text, &e),
    })
}

#[cfg(unix)]
fn check_private(file: &Path, path: &str) -> Result<(), CredentialsError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(file).map_err(|e| CredentialsError::Unreadable {
        path: path.to_string(),
        reason: e.to_string(),
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(CredentialsError::TooOpen {
            path: path.to_string(),
            mode,
        });
    }
    Ok(())
}

/// Other systems have no mode bits to check; their ACLs are the user's to manage.
#[cfg(not(unix))]
fn check_private(_file: &Path, _path: &str) -> Result<(), CredentialsError> {
    Ok(())
}

#[cfg(test)]
mod tests;
