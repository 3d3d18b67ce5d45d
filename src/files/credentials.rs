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
/// variable added later is covered without a list to keep in step). Child processes (the
/// video opener) get an environment without them.
pub fn is_secret_env(name: &str) -> bool {
    if [ENV_ACCESS_KEY, ENV_SECRET_KEY, ENV_API_KEY, ENV_GATEWAY_KEY].contains(&name) {
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
    #[error("{what} is not set: set the environment variable {env} or `{key} = \"…\"` in {path}")]
    Missing {
        what: &'static str,
        env: &'static str,
        key: &'static str,
        path: String,
    },
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
    let text = std::fs::read_to_string(file).map_err(|e| CredentialsError::Unreadable {
        path: path.clone(),
        reason: e.to_string(),
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
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn write_file(dir: &Path, text: &str, mode: u32) -> PathBuf {
        let file = dir.join(CREDENTIALS_FILE);
        std::fs::write(&file, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        #[cfg(not(unix))]
        let _ = mode;
        file
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("sk-very-secret");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        let creds = Credentials {
            access_key: Some(Secret::new("ak-visible?")),
            secret_key: Some(Secret::new("sk-very-secret")),
            api_key: Some(Secret::new("sk-gateway")),
            gateway_key: Some(Secret::new("sk-own-gateway")),
            file: PathBuf::from("/x/credentials.toml"),
            file_problem: None,
        };
        let shown = format!("{creds:?}");
        for needle in [
            "ak-visible?",
            "sk-very-secret",
            "sk-gateway",
            "sk-own-gateway",
        ] {
            assert!(!shown.contains(needle), "{shown}");
        }
    }

    #[test]
    fn environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = write_file(
            dir.path(),
            "kling_access_key = \"file-ak\"\nkling_secret_key = \"file-sk\"\n",
            0o600,
        );
        let creds = Credentials::load_from(&env_of(&[(ENV_ACCESS_KEY, "env-ak")]), &file);
        let (ak, sk) = creds.kling_keys().unwrap();
        assert_eq!(ak.expose(), "env-ak");
        assert_eq!(sk.expose(), "file-sk");
        assert!(creds.gateway_key().is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_readable_by_others_is_refused_naming_file_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = write_file(dir.path(), "kling_api_key = \"sk-x\"\n", 0o644);
        let creds = Credentials::load_from(&env_of(&[]), &file);
        let msg = creds.gateway_key().unwrap_err().to_string();
        assert!(msg.contains(&file.display().to_string()), "{msg}");
        assert!(msg.contains("0644") && msg.contains("chmod 600"), "{msg}");
        assert!(!msg.contains("sk-x"));
        // Keys the environment provides still work; the file is simply not used.
        let creds = Credentials::load_from(&env_of(&[(ENV_API_KEY, "sk-env")]), &file);
        assert_eq!(creds.gateway_key().unwrap().expose(), "sk-env");
        assert!(creds.kling_keys().unwrap_err().to_string().contains("0644"));
    }

    #[test]
    fn the_gateway_prefers_its_own_key_over_kling_api_key() {
        let file = PathBuf::from("/nowhere/credentials.toml");
        let both = env_of(&[(ENV_API_KEY, "sk-kling"), (ENV_GATEWAY_KEY, "sk-gw")]);
        let creds = Credentials::load_from(&both, &file);
        assert_eq!(creds.gateway_key().unwrap().expose(), "sk-gw");
        let fallback = Credentials::load_from(&env_of(&[(ENV_API_KEY, "sk-kling")]), &file);
        assert_eq!(fallback.gateway_key().unwrap().expose(), "sk-kling");
        assert!(is_secret_env(ENV_GATEWAY_KEY));
    }

    #[test]
    fn missing_keys_name_the_variable_and_the_file() {
        let file = PathBuf::from("/nowhere/credentials.toml");
        let creds = Credentials::load_from(&env_of(&[]), &file);
        let msg = creds.kling_keys().unwrap_err().to_string();
        assert!(
            msg.contains(ENV_ACCESS_KEY) && msg.contains("kling_access_key"),
            "{msg}"
        );
        assert!(msg.contains("/nowhere/credentials.toml"), "{msg}");
        let msg = creds.gateway_key().unwrap_err().to_string();
        assert!(
            msg.contains(ENV_API_KEY) && msg.contains("/nowhere/credentials.toml"),
            "{msg}"
        );
    }

    #[test]
    fn a_broken_file_reports_the_line_without_echoing_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = write_file(
            dir.path(),
            "# keys\nkling_secret_key = sk-unquoted-secret\n",
            0o600,
        );
        let msg = Credentials::load_from(&env_of(&[]), &file)
            .kling_keys()
            .unwrap_err()
            .to_string();
        assert!(msg.contains("line 2"), "{msg}");
        assert!(!msg.contains("sk-unquoted-secret"), "{msg}");
    }

    #[test]
    fn unknown_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = write_file(dir.path(), "kling_acess_key = \"a\"\n", 0o600);
        let msg = Credentials::load_from(&env_of(&[]), &file)
            .kling_keys()
            .unwrap_err()
            .to_string();
        assert!(msg.contains("kling_acess_key"), "{msg}");
    }
}
