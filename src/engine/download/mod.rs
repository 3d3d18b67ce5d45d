//! Resumable downloads: stream to `<file>.part`, continue with an HTTP Range request after an
//! interruption, and rename into place only once the size matches what the server said.
//!
//! A finished file therefore never exists half-written under its final name, and an
//! interrupted one costs only the bytes that were missing. Result URLs point at CDNs, which
//! redirect: a bounded number of http(s) redirects is followed. A body that stalls is cut
//! and resumed; a body larger than announced (or than a sane cap) is refused; free space is
//! checked before the first byte; a URL that is not http(s) is said to be one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};
use tokio::io::AsyncWriteExt;

mod part;
use part::{finish, io, open_part, remove};

/// How far one download has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub bytes_done: u64,
    /// From Content-Length / Content-Range; `None` when the server did not say.
    pub bytes_total: Option<u64>,
}

/// What a download may cost the machine.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadLimits {
    /// Redirects followed before giving up (CDNs use one or two).
    pub max_redirects: usize,
    /// No byte for this long and the attempt is cut (the next one resumes).
    pub stall: Duration,
    /// The most a video may be: a 15 s 4K clip is a few hundred MB.
    pub max_bytes: u64,
    /// Space left on the disk after the file, so a video never fills it.
    pub min_free_bytes: u64,
}

impl Default for DownloadLimits {
    fn default() -> Self {
        DownloadLimits {
            max_redirects: 5,
            stall: Duration::from_secs(30),
            max_bytes: 4 << 30,
            min_free_bytes: 64 << 20,
        }
    }
}

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
    #[error("the download was redirected too often or somewhere unusable: {reason}")]
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
            | DownloadError::Exists { .. }
            | DownloadError::Io { .. } => false,
        }
    }
}

/// The partial file beside `dest`.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// Downloads videos within [`DownloadLimits`]. No credentials are ever sent: result URLs
/// are signed by the provider.
pub struct Downloader {
    /// For remote hosts: honours `HTTP(S)_PROXY` like the provider clients.
    remote: reqwest::Client,
    /// For 127.0.0.1 (the simulator): a proxy could not reach it.
    local: reqwest::Client,
    limits: DownloadLimits,
}

impl Downloader {
    pub fn new(limits: DownloadLimits) -> Result<Downloader, DownloadError> {
        let build = |local: bool| {
            let max = limits.max_redirects;
            let policy = reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > max {
                    attempt.error(format!("more than {max} redirects"))
                } else if !matches!(attempt.url().scheme(), "http" | "https") {
                    let to = attempt.url().scheme().to_string();
                    attempt.error(format!("a redirect to a {to}: URL"))
                } else {
                    attempt.follow()
                }
            });
            let mut b = reqwest::Client::builder()
                .user_agent(crate::providers::USER_AGENT)
                .connect_timeout(Duration::from_secs(20))
                .redirect(policy);
            if local {
                b = b.no_proxy();
            }
            b.build().map_err(|e| DownloadError::Interrupted {
                bytes_done: 0,
                reason: format!("cannot build the HTTP client: {e}"),
            })
        };
        Ok(Downloader {
            remote: build(false)?,
            local: build(true)?,
            limits,
        })
    }

    pub fn limits(&self) -> &DownloadLimits {
        &self.limits
    }

    /// Downloads `url` to `dest`, resuming `dest.part` if an earlier attempt left one.
    /// `on_progress` is called after every chunk (callers coalesce). Returns the file's size.
    pub async fn download(
        &self,
        url: &str,
        dest: &Path,
        mut on_progress: impl FnMut(Progress),
    ) -> Result<u64, DownloadError> {
        let parsed = reqwest::Url::parse(url).map_err(|e| DownloadError::BadUrl {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(DownloadError::BadUrl {
                url: url.to_string(),
                reason: format!("{}: is not fetched", parsed.scheme()),
            });
        }
        let http = if crate::providers::is_loopback_url(&parsed) {
            &self.local
        } else {
            &self.remote
        };
        let part = part_path(dest);
        let dir = dest.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
        // At most one restart from zero (a server that ignores or rejects our range).
        for _ in 0..2 {
            let offset = match tokio::fs::metadata(&part).await {
                Ok(m) => m.len(),
                Err(_) => 0,
            };
            let mut req = http.get(parsed.clone());
            if offset > 0 {
                req = req.header(RANGE, format!("bytes={offset}-"));
            }
            let mut resp = req.send().await.map_err(|e| request_error(offset, &e))?;
            let status = resp.status();
            let (start, total) = match status {
                StatusCode::PARTIAL_CONTENT => match content_range(&resp) {
                    Some((start, total)) if start == offset => (start, total),
                    // A range we did not ask for: start over rather than splice wrong bytes.
                    _ => {
                        remove(&part).await?;
                        continue;
                    }
                },
                StatusCode::OK => (0, resp.content_length()),
                StatusCode::RANGE_NOT_SATISFIABLE => {
                    let total = unsatisfied_total(&resp);
                    if offset > 0 && total == Some(offset) {
                        // The previous attempt got every byte and stopped before the rename.
                        return finish(&part, dest, offset, total).await;
                    }
                    remove(&part).await?;
                    continue;
                }
                s => {
                    return Err(DownloadError::Status {
                        url: url.to_string(),
                        status: s.as_u16(),
                    });
                }
            };
            if let Some(total) = total {
                self.check_room(dir, total, start)?;
            }
            let mut file = open_part(&part, start > 0).await?;
            let mut done = start;
            on_progress(Progress {
                bytes_done: done,
                bytes_total: total,
            });
            loop {
                let chunk = match tokio::time::timeout(self.limits.stall, resp.chunk()).await {
                    Ok(c) => c,
                    Err(_) => {
                        file.flush().await.map_err(io(&part))?;
                        return Err(DownloadError::Interrupted {
                            bytes_done: done,
                            reason: format!(
                                "no data for {} s; the next try resumes",
                                self.limits.stall.as_secs_f64()
                            ),
                        });
                    }
                };
                match chunk {
                    Ok(Some(bytes)) => {
                        done += bytes.len() as u64;
                        if let Some(err) = self.over_limit(done, total) {
                            drop(file);
                            remove(&part).await?;
                            return Err(err);
                        }
                        file.write_all(&bytes).await.map_err(io(&part))?;
                        on_progress(Progress {
                            bytes_done: done,
                            bytes_total: total,
                        });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        // Keep what arrived: the next attempt asks for the rest.
                        file.flush().await.map_err(io(&part))?;
                        return Err(interrupted(done, &e));
                    }
                }
            }
            file.flush().await.map_err(io(&part))?;
            file.sync_all().await.map_err(io(&part))?;
            drop(file);
            return finish(&part, dest, done, total).await;
        }
        Err(DownloadError::Interrupted {
            bytes_done: 0,
            reason: "the server kept answering a range other than the one requested".into(),
        })
    }

    /// Refuses before writing when the rest of the file would not leave the reserve free.
    fn check_room(&self, dir: &Path, total: u64, have: u64) -> Result<(), DownloadError> {
        if total > self.limits.max_bytes {
            return Err(DownloadError::TooLarge {
                limit: self.limits.max_bytes,
            });
        }
        let needed = total.saturating_sub(have);
        // Unknown free space (an odd filesystem) is not a reason to refuse.
        let Ok(available) = fs4::available_space(dir) else {
            return Ok(());
        };
        if available < needed.saturating_add(self.limits.min_free_bytes) {
            return Err(DownloadError::NoSpace {
                dir: dir.to_path_buf(),
                needed,
                available,
                reserve: self.limits.min_free_bytes,
            });
        }
        Ok(())
    }

    /// More bytes than announced, or than the cap when nothing was announced.
    fn over_limit(&self, done: u64, total: Option<u64>) -> Option<DownloadError> {
        match total {
            Some(expected) if done > expected => Some(DownloadError::SizeMismatch {
                got: done,
                expected,
            }),
            _ if done > self.limits.max_bytes => Some(DownloadError::TooLarge {
                limit: self.limits.max_bytes,
            }),
            _ => None,
        }
    }
}

/// A request that got no answer: a refused redirect says so; anything else is the network.
fn request_error(bytes_done: u64, e: &reqwest::Error) -> DownloadError {
    if e.is_redirect() {
        return DownloadError::Redirect { reason: chain(e) };
    }
    interrupted(bytes_done, e)
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

fn interrupted(bytes_done: u64, e: &reqwest::Error) -> DownloadError {
    // reqwest's Display stops at the outermost layer ("error decoding response body");
    // the cause chain says what actually happened.
    DownloadError::Interrupted {
        bytes_done,
        reason: chain(e),
    }
}

/// `Content-Range: bytes START-END/TOTAL` → (START, TOTAL); TOTAL may be `*`.
fn content_range(resp: &reqwest::Response) -> Option<(u64, Option<u64>)> {
    let v = resp.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    parse_content_range(v)
}

fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((start.trim().parse().ok()?, total))
}

/// A 416's `Content-Range: bytes */TOTAL`.
fn unsatisfied_total(resp: &reqwest::Response) -> Option<u64> {
    let v = resp.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    v.trim().strip_prefix("bytes */")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            parse_content_range("bytes 100-199/200"),
            Some((100, Some(200)))
        );
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, None)));
        assert_eq!(parse_content_range("bytes */200"), None);
        assert_eq!(parse_content_range("items 0-9/10"), None);
    }

    #[test]
    fn the_part_file_sits_beside_the_target() {
        assert_eq!(
            part_path(Path::new("/r/noir-3.mp4")),
            PathBuf::from("/r/noir-3.mp4.part")
        );
    }
}
