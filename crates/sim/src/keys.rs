//! The credentials the simulated backend accepts.

use std::fmt;

/// The access key used when `KLING_ACCESS_KEY` is unset: public, documented, demo only.
pub const DEMO_ACCESS_KEY: &str = "demo-access-key";
/// The secret key used when `KLING_SECRET_KEY` is unset: public, documented, demo only.
pub const DEMO_SECRET_KEY: &str = "demo-secret-key";
/// The gateway API key used when neither `SHOTDECK_GATEWAY_KEY` nor `KLING_API_KEY` is set:
/// public, documented, demo only.
pub const DEMO_API_KEY: &str = "sk-demo";

/// Keys for both wire forms: the official API's JWT pair and the gateway's Bearer key.
#[derive(Clone, PartialEq, Eq)]
pub struct SimKeys {
    pub access_key: String,
    pub secret_key: String,
    pub api_key: String,
}

impl SimKeys {
    /// `KLING_ACCESS_KEY`, `KLING_SECRET_KEY` and the gateway key, each falling back to its
    /// demo default when unset or empty. The gateway key is read as the clients read it:
    /// `SHOTDECK_GATEWAY_KEY`, else `KLING_API_KEY`.
    pub fn from_env() -> Self {
        Self::from_vars(&|name| std::env::var(name).ok())
    }

    fn from_vars(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let var = |name: &str, default: &str| set(name).unwrap_or_else(|| default.to_string());
        SimKeys {
            access_key: var("KLING_ACCESS_KEY", DEMO_ACCESS_KEY),
            secret_key: var("KLING_SECRET_KEY", DEMO_SECRET_KEY),
            api_key: set("SHOTDECK_GATEWAY_KEY")
                .or_else(|| set("KLING_API_KEY"))
                .unwrap_or_else(|| DEMO_API_KEY.to_string()),
        }
    }

    /// The documented demo keys.
    pub fn demo() -> Self {
        SimKeys {
            access_key: DEMO_ACCESS_KEY.into(),
            secret_key: DEMO_SECRET_KEY.into(),
            api_key: DEMO_API_KEY.into(),
        }
    }

    /// The access key as it may be shown: the value when it is the public demo key,
    /// otherwise only where it came from (user keys never reach stdout or logs).
    pub fn access_key_display(&self) -> String {
        shown(&self.access_key, DEMO_ACCESS_KEY, "KLING_ACCESS_KEY")
    }

    /// The gateway key as it may be shown (see [`SimKeys::access_key_display`]).
    pub fn api_key_display(&self) -> String {
        shown(
            &self.api_key,
            DEMO_API_KEY,
            "SHOTDECK_GATEWAY_KEY or KLING_API_KEY",
        )
    }
}

fn shown(value: &str, demo: &str, var: &str) -> String {
    if value == demo {
        value.to_string()
    } else {
        format!("<from {var}>")
    }
}

impl fmt::Debug for SimKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimKeys")
            .field("access_key", &"<redacted>")
            .field("secret_key", &"<redacted>")
            .field("api_key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_values() {
        let keys = SimKeys {
            access_key: "ak-visible?".into(),
            secret_key: "sk-visible?".into(),
            api_key: "api-visible?".into(),
        };
        let shown = format!("{keys:?}");
        assert!(!shown.contains("visible"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn display_shows_only_demo_values() {
        assert_eq!(SimKeys::demo().api_key_display(), DEMO_API_KEY);
        assert_eq!(SimKeys::demo().access_key_display(), DEMO_ACCESS_KEY);
        let user = SimKeys {
            api_key: "sk-user-secret".into(),
            ..SimKeys::demo()
        };
        assert_eq!(
            user.api_key_display(),
            "<from SHOTDECK_GATEWAY_KEY or KLING_API_KEY>"
        );
    }

    #[test]
    fn the_gateway_key_is_read_as_the_clients_read_it() {
        let both = |name: &str| match name {
            "SHOTDECK_GATEWAY_KEY" => Some("sk-gw".to_string()),
            "KLING_API_KEY" => Some("sk-kling".to_string()),
            _ => None,
        };
        assert_eq!(SimKeys::from_vars(&both).api_key, "sk-gw");
        let old = |name: &str| (name == "KLING_API_KEY").then(|| "sk-kling".to_string());
        assert_eq!(SimKeys::from_vars(&old).api_key, "sk-kling");
        assert_eq!(SimKeys::from_vars(&|_| None), SimKeys::demo());
    }
}
