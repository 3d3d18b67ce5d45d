//! Resumable downloads: stream to `<file>.part`, continue with an HTTP Range request after an
//! interruption, and rename into place only once the size matches what the server said.
//!
//! A finished file therefore never exists half-written under its final name, and an
//! interrupted one costs only the bytes that were missing. A part file is continued only
//! from the same version of the file (`If-Range` with the validator the first answer gave,
//! see `resume.rs`); without one it is started over, so two versions are never spliced.
//! Result URLs point at CDNs, which redirect: a bounded number of http(s) redirects is
//! followed, never from a public host to a private address (`redirect.rs`). Headers that
//! never come, and a body that stalls or trickles, cut the attempt (`pace.rs`; the next
//! resumes); a body larger than announced (or than a sane cap) is refused; free space is
//! checked before the first byte and as the file grows (`space.rs`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::CONTENT_RANGE;
use tokio::io::AsyncWriteExt;

mod error;
mod limits;
mod pace;
mod part;
mod redirect;
mod resume;
mod space;
pub use error::DownloadError;
use error::interrupted;
pub use limits::{DownloadLimits, RESERVE_ENV};
use part::{finish, io, open_part};
pub use redirect::{AddressPolicy, is_private};

/// How far one download has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub bytes_done: u64,
    /// From Content-Length / Content-Range; `None` when the server did not say.
    pub bytes_total: Option<u64>,
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
    private: AddressPolicy,
}

impl Downloader {
    pub fn new(limits: DownloadLimits) -> Result<Downloader, DownloadError> {
        let build = |local: bool| {
            // Redirects are followed by hand, each hop checked (`redirect.rs`).
            let mut b = reqwest::Client::builder()
                .user_agent(shotdeck_providers::USER_AGENT)
                .connect_timeout(Duration::from_secs(20))
                .redirect(reqwest::redirect::Policy::none());
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
            private: Arc::new(is_private),
        })
    }

    /// Replaces which addresses count as private (tests make their 127.0.0.1 "public").
    pub fn with_address_policy(mut self, private: AddressPolicy) -> Downloader {
        self.private = private;
        self
    }

    pub fn limits(&self) -> &DownloadLimits {
        &self.limits
    }

    /// Downloads `url` to `dest`, resuming `dest.part` if an earlier attempt left one of the
    /// same version. `on_progress` is called after every chunk (callers coalesce). Returns
    /// the file's size.
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
        let part = part_path(dest);
        let dir = dest.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
        // At most one restart from zero (a server that ignores or rejects our range).
        for _ in 0..2 {
            let (offset, validator) = self.resumable(&part).await?;
            let resume = validator.as_deref().map(|v| (offset, v));
            let mut resp = self.answer(&parsed, resume).await?;
            let (start, total) = match resp.status() {
                StatusCode::PARTIAL_CONTENT => match (content_range(&resp), resume) {
                    (Some((start, total)), Some((offset, v)))
                        if start == offset && resume::same_version(resp.headers(), v) =>
                    {
                        (start, total)
                    }
                    // A range we did not ask for, or of another version: start over rather
                    // than splice wrong bytes.
                    _ => {
                        resume::discard(&part).await?;
                        continue;
                    }
                },
                StatusCode::OK => (0, resp.content_length()),
                StatusCode::RANGE_NOT_SATISFIABLE => {
                    let total = unsatisfied_total(&resp);
                    if resume.is_some() && total == Some(offset) {
                        // The previous attempt got every byte and stopped before the rename.
                        return self.finish(&part, dest, offset, total).await;
                    }
                    resume::discard(&part).await?;
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
                self.check_size(dir, total, start)?;
            }
            if start == 0 {
                resume::save(&part, resume::validator_of(resp.headers()).as_deref()).await?;
            }
            let mut file = open_part(&part, start > 0).await?;
            let mut done = start;
            on_progress(Progress {
                bytes_done: done,
                bytes_total: total,
            });
            let mut pace = pace::Pace::new(&self.limits, tokio::time::Instant::now());
            let mut room = space::SpaceWatch::new(dir, self.limits.min_free_bytes, done);
            loop {
                let next = tokio::time::timeout_at(pace.deadline(), resp.chunk()).await;
                let chunk = match next {
                    Ok(chunk) => chunk,
                    Err(_) => match pace.check(tokio::time::Instant::now()) {
                        Ok(()) => continue,
                        Err(reason) => {
                            file.flush().await.map_err(io(&part))?;
                            return Err(DownloadError::Interrupted {
                                bytes_done: done,
                                reason,
                            });
                        }
                    },
                };
                match chunk {
                    Ok(Some(bytes)) => {
                        done += bytes.len() as u64;
                        let refused = self
                            .over_limit(done, total)
                            .or_else(|| room.check(done).err());
                        if let Some(err) = refused {
                            drop(file);
                            resume::discard(&part).await?;
                            return Err(err);
                        }
                        file.write_all(&bytes).await.map_err(io(&part))?;
                        on_progress(Progress {
                            bytes_done: done,
                            bytes_total: total,
                        });
                        let now = tokio::time::Instant::now();
                        pace.arrived(bytes.len() as u64, now);
                        if let Err(reason) = pace.check(now) {
                            file.flush().await.map_err(io(&part))?;
                            return Err(DownloadError::Interrupted {
                                bytes_done: done,
                                reason,
                            });
                        }
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
            return self.finish(&part, dest, done, total).await;
        }
        Err(DownloadError::Interrupted {
            bytes_done: 0,
            reason: "the server kept answering a range other than the one requested".into(),
        })
    }

    /// How much of `part` may be continued, and the version it holds. A part file without
    /// a validator cannot be proven to be the same file: it is started over.
    async fn resumable(&self, part: &Path) -> Result<(u64, Option<String>), DownloadError> {
        let offset = match tokio::fs::metadata(part).await {
            Ok(m) => m.len(),
            Err(_) => 0,
        };
        if offset == 0 {
            return Ok((0, None));
        }
        match resume::load(part).await {
            Some(v) => Ok((offset, Some(v))),
            None => {
                resume::discard(part).await?;
                Ok((0, None))
            }
        }
    }

    /// The first non-redirect answer, within the header timeout.
    async fn answer(
        &self,
        url: &reqwest::Url,
        resume: Option<(u64, &str)>,
    ) -> Result<reqwest::Response, DownloadError> {
        let limit = self.limits.header_timeout;
        match tokio::time::timeout(limit, self.follow(url, resume)).await {
            Ok(answer) => answer,
            Err(_) => Err(DownloadError::Interrupted {
                bytes_done: resume.map_or(0, |(at, _)| at),
                reason: format!(
                    "no response headers within {} s; the next try resumes",
                    limit.as_secs_f64()
                ),
            }),
        }
    }

    /// Size-checks the part file, places it and forgets its validator.
    async fn finish(
        &self,
        part: &Path,
        dest: &Path,
        done: u64,
        total: Option<u64>,
    ) -> Result<u64, DownloadError> {
        let placed = finish(part, dest, done, total).await;
        // A short file stays to be resumed, with its validator; otherwise both are gone.
        if !matches!(placed, Err(DownloadError::Interrupted { .. })) {
            part::remove(&resume::validator_path(part)).await?;
        }
        placed
    }

    /// An announced size over the cap, or a rest that would not leave the reserve free.
    fn check_size(&self, dir: &Path, total: u64, have: u64) -> Result<(), DownloadError> {
        if total > self.limits.max_bytes {
            return Err(DownloadError::TooLarge {
                limit: self.limits.max_bytes,
            });
        }
        space::check_room(dir, total.saturating_sub(have), self.limits.min_free_bytes)
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
