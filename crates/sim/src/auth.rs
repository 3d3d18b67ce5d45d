//! Authentication for both wire forms: the official API's HS256 JWT and the gateway's key.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde::Deserialize;

use super::keys::SimKeys;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub(crate) const LEEWAY_SECS: u64 = 5;

/// Why the official API refused a token, with its documented code.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JwtError {
    /// 1001: no `Authorization: Bearer …`.
    Missing,
    /// 1002: bad signature, wrong issuer or not a JWT.
    Invalid(&'static str),
    /// 1003: `nbf` is in the future.
    NotYetValid,
    /// 1004: `exp` has passed.
    Expired,
}

impl JwtError {
    pub(crate) fn code(&self) -> u32 {
        match self {
            JwtError::Missing => 1001,
            JwtError::Invalid(_) => 1002,
            JwtError::NotYetValid => 1003,
            JwtError::Expired => 1004,
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            JwtError::Missing => "Authorization header is empty: send Bearer <JWT>".into(),
            JwtError::Invalid(why) => format!("Authorization is not valid: {why}"),
            JwtError::NotYetValid => "token is not yet valid (nbf is in the future)".into(),
            JwtError::Expired => "token has expired (exp has passed): sign a new one".into(),
        }
    }
}

#[derive(Deserialize)]
struct Claims {
    #[allow(dead_code)] // Checked by `Validation::set_issuer`; kept to require its type.
    iss: String,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Verifies the HS256 signature with the secret key, `iss` against the access key, and
/// `exp`/`nbf` with a few seconds of leeway.
pub(crate) fn verify_jwt(headers: &HeaderMap, keys: &SimKeys) -> Result<(), JwtError> {
    let token = bearer(headers).ok_or(JwtError::Missing)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[&keys.access_key]);
    validation.set_required_spec_claims(&["exp", "iss"]);
    let key = DecodingKey::from_secret(keys.secret_key.as_bytes());
    match decode::<Claims>(token, &key, &validation) {
        Ok(_) => Ok(()),
        Err(e) => Err(match e.kind() {
            ErrorKind::ExpiredSignature => JwtError::Expired,
            ErrorKind::ImmatureSignature => JwtError::NotYetValid,
            ErrorKind::InvalidSignature => {
                JwtError::Invalid("signature does not match the secret key")
            }
            ErrorKind::InvalidIssuer => JwtError::Invalid("iss does not match the access key"),
            ErrorKind::MissingRequiredClaim(_) => {
                JwtError::Invalid("token lacks the iss or exp claim")
            }
            ErrorKind::InvalidAlgorithm => JwtError::Invalid("token must be signed with HS256"),
            _ => JwtError::Invalid("not a well-formed JWT"),
        }),
    }
}

/// True when the request carries the gateway's API key.
pub(crate) fn api_key_ok(headers: &HeaderMap, keys: &SimKeys) -> bool {
    bearer(headers).is_some_and(|token| same(token.as_bytes(), keys.api_key.as_bytes()))
}

/// Compares without stopping at the first difference, so timing does not reveal the key.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    fn now() -> i64 {
        jsonwebtoken::get_current_timestamp() as i64
    }

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, value.parse().expect("header value"));
        h
    }

    fn token(iss: &str, secret: &str, exp: i64, nbf: i64) -> HeaderMap {
        let claims = json!({"iss": iss, "exp": exp, "nbf": nbf});
        let jwt = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .expect("signs");
        headers(&format!("Bearer {jwt}"))
    }

    #[test]
    fn each_failure_has_its_code() {
        let keys = SimKeys::demo();
        let (ak, sk, t) = (&keys.access_key, &keys.secret_key, now());
        assert_eq!(verify_jwt(&token(ak, sk, t + 1800, t - 5), &keys), Ok(()));
        assert_eq!(
            verify_jwt(&HeaderMap::new(), &keys).unwrap_err().code(),
            1001
        );
        assert_eq!(
            verify_jwt(&headers("Bearer "), &keys).unwrap_err().code(),
            1001
        );
        assert_eq!(
            verify_jwt(&token(ak, "wrong", t + 1800, t), &keys)
                .unwrap_err()
                .code(),
            1002
        );
        assert_eq!(
            verify_jwt(&token("someone", sk, t + 1800, t), &keys)
                .unwrap_err()
                .code(),
            1002
        );
        assert_eq!(
            verify_jwt(&token(ak, sk, t - 60, t - 120), &keys),
            Err(JwtError::Expired)
        );
        assert_eq!(
            verify_jwt(&token(ak, sk, t + 1800, t + 60), &keys),
            Err(JwtError::NotYetValid)
        );
        assert_eq!(
            verify_jwt(&headers("Bearer abc.def"), &keys)
                .unwrap_err()
                .code(),
            1002
        );
    }

    #[test]
    fn small_clock_skew_is_tolerated() {
        let keys = SimKeys::demo();
        let t = now();
        let skewed = token(&keys.access_key, &keys.secret_key, t + 1800, t + 2);
        assert_eq!(verify_jwt(&skewed, &keys), Ok(()));
    }

    #[test]
    fn api_key_must_match_exactly() {
        let keys = SimKeys::demo();
        assert!(api_key_ok(&headers("Bearer sk-demo"), &keys));
        assert!(api_key_ok(&headers("bearer sk-demo"), &keys));
        assert!(!api_key_ok(&headers("Bearer sk-dem"), &keys));
        assert!(!api_key_ok(&HeaderMap::new(), &keys));
    }
}
