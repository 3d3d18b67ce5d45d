//! Where a shared job store lives: `SHOTDECK_STORE_URL` or `[store] url` in config.toml.
//!
//! The URL may hold a password (`postgres://me:secret@db/shotdeck`, or `password=secret` in
//! the key-value form). [`StoreUrl`] keeps it out of every place text goes: `Display`,
//! `Debug` and `Serialize` show the URL with each password replaced by `***`, and parse
//! errors name the scheme only, never the text. Only [`StoreUrl::expose_secret`] gives the
//! real string, for the one call that connects.

use std::fmt;

/// What the redacted forms put where a password was.
pub const REDACTED: &str = "***";

/// A PostgreSQL connection string whose password never leaves it by accident.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct StoreUrl(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreUrlError {
    /// The text itself is not repeated: it may be a password pasted in the wrong place.
    #[error("unknown scheme \"{0}\": a shared job store is postgres://… or postgresql://…")]
    UnknownScheme(String),
    #[error("not a store URL: expected postgres://user@host/database (or host=… dbname=…)")]
    NotAUrl,
}

impl StoreUrl {
    /// A `postgres://` / `postgresql://` URL, or a libpq key-value string
    /// (`host=/tmp/pg user=postgres dbname=postgres`).
    pub fn parse(text: &str) -> Result<StoreUrl, StoreUrlError> {
        let text = text.trim();
        if let Some((scheme, _)) = text.split_once("://") {
            let scheme_ok = !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if !scheme_ok {
                return Err(StoreUrlError::NotAUrl);
            }
            return match scheme.to_ascii_lowercase().as_str() {
                "postgres" | "postgresql" => Ok(StoreUrl(text.to_string())),
                _ => Err(StoreUrlError::UnknownScheme(scheme.to_string())),
            };
        }
        match key_value_pairs(text) {
            Some(pairs) if !pairs.is_empty() => Ok(StoreUrl(text.to_string())),
            _ => Err(StoreUrlError::NotAUrl),
        }
    }

    /// The real connection string, password included: for connecting, nothing else.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The string with every password replaced by [`REDACTED`].
    pub fn redacted(&self) -> String {
        let s = &self.0;
        let Some(after) = s.find("://").map(|i| i + 3) else {
            return redact_key_value(s);
        };
        let (head, query) = match s[after..].find('?') {
            Some(q) => s.split_at(after + q),
            None => (s.as_str(), ""),
        };
        // The userinfo ends at the last '@' before the query: hosts never hold one, while an
        // unencoded password might.
        let head = match head[after..].rfind('@') {
            Some(at) => {
                let userinfo = &head[after..after + at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        format!("{}{user}:{REDACTED}{}", &head[..after], &head[after + at..])
                    }
                    None => head.to_string(),
                }
            }
            None => head.to_string(),
        };
        let query = match query.strip_prefix('?') {
            Some(q) => {
                let params: Vec<String> = q
                    .split('&')
                    .map(|p| match p.split_once('=') {
                        Some((k, _)) if k.eq_ignore_ascii_case("password") => {
                            format!("{k}={REDACTED}")
                        }
                        _ => p.to_string(),
                    })
                    .collect();
                format!("?{}", params.join("&"))
            }
            None => String::new(),
        };
        head + &query
    }
}

impl TryFrom<String> for StoreUrl {
    type Error = StoreUrlError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        StoreUrl::parse(&text)
    }
}

impl std::str::FromStr for StoreUrl {
    type Err = StoreUrlError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        StoreUrl::parse(text)
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({:?})", self.redacted())
    }
}

/// Serialized redacted: a config written back out or shown as JSON must not carry it.
impl serde::Serialize for StoreUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// `key=value` pairs of a libpq connection string (values may be 'quoted' with \-escapes),
/// as `(key, value start, value end)`; `None` when it is not one.
fn key_value_pairs(s: &str) -> Option<Vec<(&str, usize, usize)>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == b.len() {
            return Some(out);
        }
        let key_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let key = &s[key_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if key.is_empty() || b.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        if b.get(i) == Some(&b'\'') {
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = i.min(b.len());
        }
        out.push((key, start, i));
    }
}

fn redact_key_value(s: &str) -> String {
    let Some(pairs) = key_value_pairs(s) else {
        // Not parseable (cannot happen for a parsed StoreUrl): show nothing of it.
        return REDACTED.to_string();
    };
    let mut out = String::new();
    let mut last = 0;
    for (key, start, end) in pairs {
        if key.eq_ignore_ascii_case("password") {
            out.push_str(&s[last..start]);
            out.push_str(REDACTED);
            last = end;
        }
    }
    out.push_str(&s[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_in_display_debug_or_serialize() {
        for (text, shown) in [
            (
                "postgres://me:s3cret@db.example:5432/shotdeck?sslmode=require",
                "postgres://me:***@db.example:5432/shotdeck?sslmode=require",
            ),
            (
                "postgresql://me:p@ss/w0rd@db/x?password=s3cret&application_name=a",
                "postgresql://me:***@db/x?password=***&application_name=a",
            ),
            ("postgres://me@db/x", "postgres://me@db/x"),
            (
                "host=/tmp/pg user=postgres password='s3cret word\\' x' dbname=postgres",
                "host=/tmp/pg user=postgres password=*** dbname=postgres",
            ),
            ("host=db password=s3cret", "host=db password=***"),
        ] {
            let url = StoreUrl::parse(text).unwrap();
            assert_eq!(url.to_string(), shown, "{text}");
            for out in [
                format!("{url:?}"),
                format!("{url:#?}"),
                serde_json::to_string(&url).unwrap(),
            ] {
                assert!(!out.contains("s3cret") && !out.contains("ss/w0rd"), "{out}");
                assert!(out.contains(REDACTED) || !text.contains("s3cret"), "{out}");
            }
            assert_eq!(url.expose_secret(), text);
        }
    }

    #[test]
    fn other_schemes_are_refused_by_name_without_echoing_the_text() {
        let e = StoreUrl::parse("mysql://root:s3cret@db/x").unwrap_err();
        assert_eq!(e, StoreUrlError::UnknownScheme("mysql".into()));
        assert!(e.to_string().contains("\"mysql\""), "{e}");
        let e = StoreUrl::parse("s3cret").unwrap_err();
        assert_eq!(e, StoreUrlError::NotAUrl);
        assert!(!e.to_string().contains("s3cret"));
        assert!(StoreUrl::parse("host=/tmp user=postgres").is_ok());
        assert!(StoreUrl::parse("POSTGRES://db/x").is_ok());
    }
}
