//! The official API's short-lived tokens: HS256 JWTs signed with the secret key.
//!
//! A token is valid for 30 minutes; one is cached and reused until less than a minute of it
//! remains, so polling many jobs does not sign a token per request.

use std::fmt;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use super::errors::ProviderError;
use shotdeck_files::credentials::{KlingKeys, Secret};

/// Lifetime the API documents for a token.
pub const TOKEN_LIFETIME_SECS: u64 = 1800;
/// `nbf` is back-dated so a server clock slightly behind ours still accepts the token.
pub const NOT_BEFORE_SKEW_SECS: u64 = 5;
/// A cached token with less than this left is replaced before use.
pub const RESIGN_MARGIN_SECS: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub exp: u64,
    pub nbf: u64,
}

/// Signs one token for `now` (Unix seconds).
pub fn sign(access_key: &Secret, secret_key: &Secret, now: u64) -> Result<String, ProviderError> {
    let claims = Claims {
        iss: access_key.expose().to_string(),
        exp: now + TOKEN_LIFETIME_SECS,
        nbf: now.saturating_sub(NOT_BEFORE_SKEW_SECS),
    };
    // `Header::new` writes {"alg":"HS256","typ":"JWT"}, the header the API documents.
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret_key.expose().as_bytes()),
    )
    // The error names the failure (e.g. a crypto backend problem), never the key.
    .map_err(|e| ProviderError::Config(format!("cannot sign the Kling API token: {e}")))
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

struct Cached {
    token: String,
    exp: u64,
}

/// Keys plus the cached token. `Debug` shows neither.
pub struct TokenSigner {
    access_key: Secret,
    secret_key: Secret,
    cached: Mutex<Option<Cached>>,
}

impl TokenSigner {
    pub fn new(access_key: Secret, secret_key: Secret) -> Self {
        TokenSigner {
            access_key,
            secret_key,
            cached: Mutex::new(None),
        }
    }

    /// The token to send now.
    pub fn token(&self) -> Result<String, ProviderError> {
        self.token_at(unix_now())
    }

    /// The cached token if it has at least [`RESIGN_MARGIN_SECS`] left at `now`, else a fresh one.
    pub fn token_at(&self, now: u64) -> Result<String, ProviderError> {
        // A poisoned lock only means another thread panicked mid-update; the cache is a
        // plain value, so recover it rather than propagate the panic.
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cached
            .as_ref()
            .filter(|c| c.exp >= now + RESIGN_MARGIN_SECS)
        {
            return Ok(c.token.clone());
        }
        let token = sign(&self.access_key, &self.secret_key, now)?;
        *cached = Some(Cached {
            token: token.clone(),
            exp: now + TOKEN_LIFETIME_SECS,
        });
        Ok(token)
    }

    /// Drops the cached token: the server said it is expired or not yet valid.
    pub fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSigner")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .finish_non_exhaustive()
    }
}

/// What follows `Bearer ` on every official-API request: a token signed from the access and
/// secret keys, or Kling's plain API key as it is. `Debug` shows neither.
#[derive(Debug)]
pub enum KlingAuth {
    Signed(TokenSigner),
    ApiKey(Secret),
}

impl KlingAuth {
    pub fn from_keys(keys: KlingKeys) -> Self {
        match keys {
            KlingKeys::AccessSecret { access, secret } => {
                KlingAuth::Signed(TokenSigner::new(access, secret))
            }
            KlingKeys::ApiKey(key) => KlingAuth::ApiKey(key),
        }
    }

    /// The credential to send now.
    pub fn bearer(&self) -> Result<String, ProviderError> {
        match self {
            KlingAuth::Signed(signer) => signer.token(),
            KlingAuth::ApiKey(key) => Ok(key.expose().to_string()),
        }
    }

    /// After "token expired / not yet valid" (1003/1004): drops a signed token so the next
    /// request signs afresh, and says whether that can help. A plain API key has no expiry
    /// of ours to fix, so for it the refusal stands as an auth error.
    pub fn resign(&self) -> bool {
        match self {
            KlingAuth::Signed(signer) => {
                signer.invalidate();
                true
            }
            KlingAuth::ApiKey(_) => false,
        }
    }

    /// "API key" or "access/secret key pair", for diagnoses that say which was used.
    pub fn describe(&self) -> &'static str {
        match self {
            KlingAuth::Signed(_) => "access/secret key pair (signed token)",
            KlingAuth::ApiKey(_) => "API key",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};

    fn signer() -> TokenSigner {
        TokenSigner::new(Secret::new("ak-test"), Secret::new("sk-test"))
    }

    fn claims_of(token: &str, secret: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        let mut v = Validation::new(Algorithm::HS256);
        // Tokens here are signed for fixed past instants: check the signature and fields only.
        v.validate_exp = false;
        v.validate_nbf = false;
        v.set_required_spec_claims(&["iss", "exp", "nbf"]);
        decode::<Claims>(token, &DecodingKey::from_secret(secret.as_bytes()), &v).map(|d| d.claims)
    }

    #[test]
    fn token_has_documented_header_and_claims() {
        let token = sign(&Secret::new("ak-test"), &Secret::new("sk-test"), 1_000_000).unwrap();
        let header = decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::HS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        let claims = claims_of(&token, "sk-test").unwrap();
        assert_eq!(
            claims,
            Claims {
                iss: "ak-test".into(),
                exp: 1_001_800,
                nbf: 999_995
            }
        );
        assert!(
            claims_of(&token, "another-secret").is_err(),
            "signed with the secret key"
        );
    }

    #[test]
    fn cached_token_is_reused_until_a_minute_is_left() {
        let s = signer();
        let first = s.token_at(1_000_000).unwrap();
        assert_eq!(s.token_at(1_000_001).unwrap(), first);
        let last_reuse = 1_000_000 + TOKEN_LIFETIME_SECS - RESIGN_MARGIN_SECS;
        assert_eq!(s.token_at(last_reuse).unwrap(), first);
        let fresh = s.token_at(last_reuse + 1).unwrap();
        assert_ne!(fresh, first);
        assert_eq!(
            claims_of(&fresh, "sk-test").unwrap().exp,
            last_reuse + 1 + TOKEN_LIFETIME_SECS
        );
    }

    #[test]
    fn invalidate_forces_a_new_signature() {
        let s = signer();
        let first = s.token_at(2_000_000).unwrap();
        s.invalidate();
        let second = s.token_at(2_000_001).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn an_api_key_is_sent_as_it_is_and_never_re_signed() {
        let auth = KlingAuth::from_keys(KlingKeys::ApiKey(Secret::new("kling-api-key-1")));
        assert_eq!(auth.bearer().unwrap(), "kling-api-key-1");
        assert!(!auth.resign());
        assert!(!format!("{auth:?}").contains("kling-api-key-1"));
        let signed = KlingAuth::from_keys(KlingKeys::AccessSecret {
            access: Secret::new("ak-test"),
            secret: Secret::new("sk-test"),
        });
        let token = signed.bearer().unwrap();
        assert_eq!(claims_of(&token, "sk-test").unwrap().iss, "ak-test");
        assert!(signed.resign());
    }

    #[test]
    fn debug_shows_no_key_or_token() {
        let s = signer();
        let token = s.token_at(3_000_000).unwrap();
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("ak-test") && !shown.contains("sk-test") && !shown.contains(&token)
        );
    }
}
