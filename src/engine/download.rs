//! Resumable downloads: stream to `<file>.part`, continue with an HTTP Range request after an
//! interruption, and rename into place only once the size matches what the server said.
//!
//! A finished file therefore never exists half-written under its final name, and an
//! interrupted one costs only the bytes that were missing.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};
use tokio::io::AsyncWriteExt;

/// How far one download has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub bytes_done: u64,
    /// From Content-Length / Content-Range; `None` when the server did not say.
    pub bytes_total: Option<u64>,
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
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The partial file beside `dest`.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// Downloads `url` to `dest`, resuming `dest.part` if an earlier attempt left one.
/// `on_progress` is called after every chunk (callers coalesce). Returns the file's size.
pub async fn download(
    http: &reqwest::Client,
    url: &str,
    dest: &Path,
    mut on_progress: impl FnMut(Progress),
) -> Result<u64, DownloadError> {
    let part = part_path(dest);
    if let Some(dir) = dest.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
    }
    // At most one restart from zero (a server that ignores or rejects our range).
    for _ in 0..2 {
        let offset = match tokio::fs::metadata(&part).await {
            Ok(m) => m.len(),
            Err(_) => 0,
        };
        let mut req = http.get(url);
        if offset > 0 {
            req = req.header(RANGE, format!("bytes={offset}-"));
        }
        let mut resp = req.send().await.map_err(|e| interrupted(offset, &e))?;
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
        let mut file = open_part(&part, start > 0).await?;
        let mut done = start;
        on_progress(Progress {
            bytes_done: done,
            bytes_total: total,
        });
        loop {
            match resp.chunk().await {
                Ok(Some(bytes)) => {
                    file.write_all(&bytes).await.map_err(io(&part))?;
                    done += bytes.len() as u64;
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

/// Size-checks the part file and renames it into place.
async fn finish(
    part: &Path,
    dest: &Path,
    done: u64,
    total: Option<u64>,
) -> Result<u64, DownloadError> {
    let on_disk = tokio::fs::metadata(part).await.map_err(io(part))?.len();
    if let Some(expected) = total {
        if on_disk < expected {
            return Err(DownloadError::Interrupted {
                bytes_done: on_disk,
                reason: format!("the connection closed at {done} of {expected} bytes"),
            });
        }
        if on_disk > expected {
            remove(part).await?;
            return Err(DownloadError::SizeMismatch {
                got: on_disk,
                expected,
            });
        }
    }
    tokio::fs::rename(part, dest).await.map_err(io(dest))?;
    Ok(on_disk)
}

async fn open_part(part: &Path, append: bool) -> Result<tokio::fs::File, DownloadError> {
    let mut opts = tokio::fs::OpenOptions::new();
    opts.create(true).write(true);
    if append {
        opts.append(true);
    } else {
        opts.truncate(true);
    }
    opts.open(part).await.map_err(io(part))
}

async fn remove(path: &Path) -> Result<(), DownloadError> {
    match tokio::fs::remove_file(path).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(DownloadError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DownloadError + '_ {
    move |source| DownloadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn interrupted(bytes_done: u64, e: &reqwest::Error) -> DownloadError {
    // reqwest's Display stops at the outermost layer ("error decoding response body");
    // the cause chain says what actually happened.
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    DownloadError::Interrupted { bytes_done, reason }
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
