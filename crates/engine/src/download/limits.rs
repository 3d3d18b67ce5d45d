//! The limits every download runs under; tests shrink the timeouts to about a second.

use std::time::Duration;

/// The environment variable that sets [`DownloadLimits::min_free_bytes`], in MiB.
pub const RESERVE_ENV: &str = "SHOTDECK_DOWNLOAD_RESERVE_MB";
const DEFAULT_RESERVE_MIB: u64 = 512;

/// What a download may cost the machine, and how long a server may keep it waiting.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadLimits {
    /// Redirects followed before giving up (CDNs use one or two).
    pub max_redirects: usize,
    /// How long the server may take to send its response headers (redirects included).
    pub header_timeout: Duration,
    /// No byte for this long and the attempt is cut (the next one resumes).
    pub stall: Duration,
    /// Fewer bytes a second than this over a whole `rate_window` and the attempt is cut
    /// (0: no minimum).
    pub min_rate: u64,
    pub rate_window: Duration,
    /// The most a video may be: a 15 s 4K clip is a few hundred MB.
    pub max_bytes: u64,
    /// Space left on the disk after the file, so a video never fills it
    /// (`SHOTDECK_DOWNLOAD_RESERVE_MB`, default 512 MiB).
    pub min_free_bytes: u64,
}

impl Default for DownloadLimits {
    fn default() -> Self {
        DownloadLimits {
            max_redirects: 5,
            header_timeout: Duration::from_secs(30),
            stall: Duration::from_secs(30),
            min_rate: 1024,
            rate_window: Duration::from_secs(30),
            max_bytes: 4 << 30,
            min_free_bytes: reserve_mib(std::env::var(RESERVE_ENV).ok().as_deref()) << 20,
        }
    }
}

/// The reserve in MiB from `SHOTDECK_DOWNLOAD_RESERVE_MB`; unreadable values keep the
/// default (and say so in the log).
fn reserve_mib(value: Option<&str>) -> u64 {
    let Some(raw) = value else {
        return DEFAULT_RESERVE_MIB;
    };
    match raw.trim().parse::<u64>() {
        Ok(mib) if mib <= u64::MAX >> 20 => mib,
        _ => {
            tracing::warn!(
                "{RESERVE_ENV}={raw:?} is not a whole number of MiB; keeping {DEFAULT_RESERVE_MIB}"
            );
            DEFAULT_RESERVE_MIB
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserve_reads_whole_mib_and_keeps_the_default_otherwise() {
        assert_eq!(reserve_mib(None), 512);
        assert_eq!(reserve_mib(Some(" 64 ")), 64);
        assert_eq!(reserve_mib(Some("0")), 0);
        for bad in ["-1", "1.5", "lots", ""] {
            assert_eq!(reserve_mib(Some(bad)), 512, "{bad}");
        }
    }
}
