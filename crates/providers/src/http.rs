//! The reqwest plumbing both clients share: building the client, joining URLs, sending one
//! request with a deadline and reading a bounded body.

use std::time::{Duration, SystemTime};

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, DATE, HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Url};
use serde_json::Value;

use super::errors::ProviderError;
use super::json_stream::{JsonPieces, PIECE_BYTES, json_len};

pub const USER_AGENT: &str = concat!("shotdeck/", env!("CARGO_PKG_VERSION"));

/// JSON answers are small; a body beyond this is not one of them.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What came back: enough for the pure parsers plus the one header they cannot see.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    /// The server's `Date` header: how far our clock is off when a token is refused as not
    /// yet valid or expired.
    pub server_date: Option<SystemTime>,
    pub body: Vec<u8>,
}

/// A base URL checked once, up front, so a typo is a config error naming the setting.
pub(crate) fn parse_base(raw: &str, setting: &str) -> Result<Url, ProviderError> {
    let bad = |why: String| {
        ProviderError::Config(format!(
            "{setting} = {raw:?} is not a usable base URL: {why}"
        ))
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| bad(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!(
            "scheme {} (expected http or https)",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Not `bad`: that would echo the URL, and with it the credentials.
        return Err(ProviderError::Config(format!(
            "{setting} contains a user name or password: keys belong in credentials.toml, \
             not in the URL"
        )));
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        tracing::warn!(base = %url, "{setting} uses plain http: API keys cross the network unencrypted");
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Whether the base points at this machine (the simulated backend, a local gateway).
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // IPv6 hosts come bracketed: `[::1]`.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// The HTTP client for one base URL.
///
/// Proxies: reqwest honours `HTTP(S)_PROXY`, which users behind a corporate proxy need to
/// reach the real API, so they are kept for remote hosts. A loopback base bypasses them (a
/// proxy cannot reach our 127.0.0.1). Redirects are not followed: an API that redirects is
/// misconfigured, and following one could carry the credentials somewhere unexpected.
pub(crate) fn build_client(base: &Url) -> Result<reqwest::Client, ProviderError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none());
    if is_loopback(base) {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| ProviderError::Config(format!("cannot build the HTTP client: {}", chain(&e))))
}

/// `base` + `path`, with `id` appended as one percent-encoded path segment.
pub(crate) fn endpoint(base: &Url, path: &str, id: Option<&str>) -> Result<Url, ProviderError> {
    if !path.starts_with('/') || path.contains(['?', '#']) {
        return Err(ProviderError::Config(format!(
            "request path {path:?} must start with / and carry no query"
        )));
    }
    let mut url = base.clone();
    url.set_path(&format!("{}{}", base.path().trim_end_matches('/'), path));
    if let Some(id) = id {
        if id.trim().is_empty() {
            return Err(ProviderError::Config("empty task id".into()));
        }
        // `.` and `..` would be dropped as path steps: the collection would be asked.
        if id.chars().all(|c| c == '.') {
            return Err(ProviderError::Config(format!(
                "task id {id:?} is a path step, not an id"
            )));
        }
        url.path_segments_mut()
            .map_err(|()| ProviderError::Config(format!("{base} cannot take a path")))?
            .pop_if_empty()
            .push(id);
    }
    Ok(url)
}

/// `id` percent-encoded as one path segment: everything but RFC 3986's unreserved
/// characters is escaped, so `/`, `?`, `#` and `%` stay inside the segment.
pub(crate) fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends one request and reads the whole answer within `timeout`.
pub(crate) async fn exchange(
    request: RequestBuilder,
    timeout: Duration,
) -> Result<Answer, ProviderError> {
    let mut response = request
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| transport(&e, timeout))?;
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let server_date = response
        .headers()
        .get(DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(&e, timeout))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ProviderError::Malformed(format!(
                "HTTP {status} answer is larger than {} MiB",
                MAX_BODY_BYTES / (1024 * 1024)
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        retry_after,
        server_date,
        body,
    })
}

/// [`exchange`] with `body` as the JSON body. A body past a few pieces is streamed as it
/// is serialised (with its length said up front, so no chunked encoding): a reference
/// board's ~90 MB of Base64 is never copied whole beside the request it comes from.
pub(crate) async fn exchange_json(
    request: RequestBuilder,
    body: &Value,
    timeout: Duration,
) -> Result<Answer, ProviderError> {
    let len = json_len(body);
    if len <= 4 * PIECE_BYTES as u64 {
        return exchange(request.json(body), timeout).await;
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(2);
    let pieces = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|piece| (Ok::<_, std::io::Error>(piece), rx))
    });
    let request = request
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_LENGTH, len)
        .body(reqwest::Body::wrap_stream(pieces));
    let produce = async move {
        for piece in JsonPieces::new(body) {
            // The request is gone (answered early, or failed): nothing more to send.
            if tx.send(piece).await.is_err() {
                break;
            }
        }
        // The sender is dropped here: the body ends.
    };
    let send = exchange(request, timeout);
    tokio::pin!(send);
    // An answer before the last piece (an early refusal, a timeout) ends the producer.
    tokio::select! {
        answer = &mut send => return answer,
        () = produce => {}
    }
    send.await
}

/// `Retry-After` in whole seconds. The HTTP-date form is not read: the backoff applies then.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn transport(e: &reqwest::Error, timeout: Duration) -> ProviderError {
    if e.is_timeout() {
        let url = e.url().map(Url::as_str).unwrap_or("the provider");
        return ProviderError::Transport(format!(
            "no complete answer from {url} within {} s",
            timeout.as_secs_f64()
        ));
    }
    if e.is_connect() {
        return ProviderError::Unreachable(chain(e));
    }
    ProviderError::Transport(chain(e))
}

/// An error and its causes on one line: reqwest's top-level message alone ("error sending
/// request") hides whether DNS, TLS or the connection failed.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_keep_a_base_prefix_and_encode_ids() {
        let base = parse_base("http://127.0.0.1:9/gw/", "SHOTDECK_GATEWAY_URL").unwrap();
        let url = endpoint(&base, "/v1/videos/generations", Some("a b/c")).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/gw/v1/videos/generations/a%20b%2Fc"
        );
        let plain = parse_base("https://api-singapore.klingai.com", "KLING_API_BASE").unwrap();
        let url = endpoint(&plain, "/v1/videos/text2video", None).unwrap();
        assert_eq!(
            url.as_str(),
            "https://api-singapore.klingai.com/v1/videos/text2video"
        );
        assert!(endpoint(&plain, "v1/x", None).is_err());
        assert!(endpoint(&plain, "/v1/x", Some(" ")).is_err());
        // Dropped as path steps, these would ask for the collection itself.
        assert!(endpoint(&plain, "/v1/x", Some("..")).is_err());
        assert!(endpoint(&plain, "/v1/x", Some(".")).is_err());
        assert_eq!(path_segment("a b/c?d#e%f.g"), "a%20b%2Fc%3Fd%23e%25f.g");
    }

    #[test]
    fn bad_bases_are_config_errors_naming_the_setting() {
        for raw in ["ftp://x", "not a url", "http://user:pw-secret@host"] {
            let err = parse_base(raw, "KLING_API_BASE").unwrap_err();
            assert!(matches!(err, ProviderError::Config(_)));
            assert!(err.to_string().contains("KLING_API_BASE"), "{err}");
            assert!(!err.to_string().contains("pw-secret"), "{err}");
        }
    }

    #[test]
    fn loopback_detection() {
        let yes = ["http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1"];
        let no = ["https://api-singapore.klingai.com", "http://10.0.0.1"];
        assert!(yes.iter().all(|u| is_loopback(&Url::parse(u).unwrap())));
        assert!(!no.iter().any(|u| is_loopback(&Url::parse(u).unwrap())));
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }
}
