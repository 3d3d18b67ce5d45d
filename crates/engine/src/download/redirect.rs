//! Following a CDN's redirects by hand, so that every hop is checked before it is
//! requested: http(s) only (a `file:` or `ftp:` target is named, not reported as the 302
//! it came in), a bounded number of hops, and never from a public host into this machine or
//! its private network. A result URL on a public CDN that redirects to `127.0.0.1:8080`
//! would otherwise save a local service's page as the paid video. The simulator on
//! 127.0.0.1 may still redirect to itself: the rule is "public origin → private target".

use std::net::IpAddr;
use std::sync::Arc;

use reqwest::Url;
use reqwest::header::{IF_RANGE, LOCATION, RANGE};

use super::{DownloadError, Downloader, interrupted};

/// Says whether an address is private (loopback, link-local, private network, …).
/// [`is_private`] normally; tests swap it to treat their 127.0.0.1 server as public.
pub type AddressPolicy = Arc<dyn Fn(IpAddr) -> bool + Send + Sync>;

/// Addresses a public host must never redirect to: this machine, link-local (cloud
/// metadata at 169.254.169.254), private and carrier-grade NAT ranges, unique-local IPv6,
/// and IPv4 addresses written as IPv6.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// Where `url`'s host resolves. A name that does not resolve here gives none (behind a
/// proxy only the proxy may know it; without one the request fails on its own).
async fn addresses(url: &Url) -> Vec<IpAddr> {
    let Some(host) = url.host_str() else {
        return Vec::new();
    };
    // IPv6 literals come bracketed: `[::1]`.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return vec![ip];
    }
    let port = url.port_or_known_default().unwrap_or(80);
    match tokio::net::lookup_host((bare, port)).await {
        Ok(found) => found.map(|a| a.ip()).collect(),
        Err(_) => Vec::new(),
    }
}

impl Downloader {
    /// GETs `url` (with `Range` + `If-Range` when resuming), following redirects as the
    /// module docs say, and returns the first answer that is not a redirect.
    pub(super) async fn follow(
        &self,
        url: &Url,
        resume: Option<(u64, &str)>,
    ) -> Result<reqwest::Response, DownloadError> {
        let origin = addresses(url).await;
        let origin_private = !origin.is_empty() && origin.iter().all(|ip| (self.private)(*ip));
        let max = self.limits.max_redirects;
        let offset = resume.map_or(0, |(at, _)| at);
        let mut at = url.clone();
        for hop in 0.. {
            let http = if shotdeck_providers::is_loopback_url(&at) {
                &self.local
            } else {
                &self.remote
            };
            let mut req = http.get(at.clone());
            if let Some((from, validator)) = resume {
                req = req
                    .header(RANGE, format!("bytes={from}-"))
                    .header(IF_RANGE, validator);
            }
            let resp = req.send().await.map_err(|e| interrupted(offset, &e))?;
            let location = resp.headers().get(LOCATION);
            if !resp.status().is_redirection() || location.is_none() {
                return Ok(resp);
            }
            let refused = |reason: String| DownloadError::Redirect { reason };
            let next = location
                .and_then(|l| l.to_str().ok())
                .and_then(|l| at.join(l).ok())
                .ok_or_else(|| {
                    refused(format!(
                        "HTTP {} with an unreadable Location",
                        resp.status()
                    ))
                })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(refused(format!(
                    "it points to a {}: URL ({next}), which is never fetched",
                    next.scheme()
                )));
            }
            if hop >= max {
                return Err(refused(format!("more than {max} redirects")));
            }
            if !origin_private
                && let Some(ip) = addresses(&next)
                    .await
                    .into_iter()
                    .find(|ip| (self.private)(*ip))
            {
                return Err(refused(format!(
                    "it leads from {} (a public host) to {} ({ip}, a private or loopback \
                     address), which is never fetched",
                    url.host_str().unwrap_or("?"),
                    next.host_str().unwrap_or("?"),
                )));
            }
            at = next;
        }
        unreachable!("the loop returns by the last hop")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_recognised_in_both_families() {
        let private = [
            "127.0.0.1",
            "127.0.0.2",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ];
        let public = ["93.184.216.34", "8.8.8.8", "100.128.0.1", "2606:4700::1111"];
        for ip in private {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in public {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn names_are_resolved_before_they_are_judged() {
        let url = Url::parse("http://localhost:9/v.mp4").unwrap();
        let found = addresses(&url).await;
        assert!(
            !found.is_empty() && found.iter().all(|ip| is_private(*ip)),
            "{found:?}"
        );
    }
}
