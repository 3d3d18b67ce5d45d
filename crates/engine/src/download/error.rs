//! What can go wrong with a download, and which of it is worth another try.

use std::path::PathBuf;

use super::limits::RESERVE_ENV;

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("download failed: HTTP {status} from {url}")]
    Status { url: String, status: u16 },
    #[error("download interrupted after {bytes_done} bytes: {reason}")]
    Interrupted { bytes_done: u64, reason: String },
    #[error(
        "download is {got} bytes but the server announced {expected}; the partial file was discarded"
    )]
    SizeMismatch { got: u64, expected: u64 },
    #[error("the video URL is not an http(s) URL ({reason}): {url}")]
    BadUrl { url: String, reason: String },
    #[error("the download's redirect was refused: {reason}")]
    Redirect { reason: String },
    #[error("the video is larger than {limit} bytes; refused")]
    TooLarge { limit: u64 },
    #[error(
        "not enough disk space in {}: {needed} bytes needed, {available} free (kept free: {reserve})",
        dir.display()
    )]
    NoSpace {
        dir: PathBuf,
        needed: u64,
        available: u64,
        reserve: u64,
    },
    #[error(
        "not enough disk space in {}: stopped after {bytes_done} bytes with {available} free \
         (kept free: {reserve}, {RESERVE_ENV}); the partial file was removed",
        dir.display()
    )]
    DiskFull {
        dir: PathBuf,
        bytes_done: u64,
        available: u64,
        reserve: u64,
    },
    #[error(
        "{} already exists with other content; it is never replaced (move it away to download again)",
        path.display()
    )]
    Exists { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl DownloadError {
    /// Worth trying again at once (resuming): the network, not the URL or the disk.
    pub fn is_transient(&self) -> bool {
        match self {
            DownloadError::Interrupted { .. } | DownloadError::SizeMismatch { .. } => true,
            DownloadError::Status { status, .. } => *status >= 500 || *status == 429,
            DownloadError::BadUrl { .. }
            | DownloadError::Redirect { .. }
            | DownloadError::TooLarge { .. }
            | DownloadError::NoSpace { .. }
            | DownloadError::DiskFull { .. }
            | DownloadError::Exists { .. }
            | DownloadError::Io { .. } => false,
        }
    }
}

fn chain(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason
}

pub(super) fn interrupted(bytes_done: u64, e: &reqwest::Error) -> DownloadError {
    // reqwest's Display stops at the outermost layer ("error decoding response body");
    // the cause chain says what actually happened.
    DownloadError::Interrupted {
        bytes_done,
        reason: chain(e),
    }
}
