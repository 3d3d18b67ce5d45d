//! Resuming only the same file: a partial file is continued with `Range` only when the
//! response that started it named its version (a strong `ETag`, else `Last-Modified`),
//! sent back as `If-Range` so a server whose file changed answers the whole new file
//! instead of the rest of it. The validator is kept beside the part file
//! (`NAME.mp4.part.validator`); a part file without one is started over.

use std::path::{Path, PathBuf};

use reqwest::header::{ETAG, HeaderMap, LAST_MODIFIED};

use super::DownloadError;
use super::part::{io, remove};
use shotdeck_files::safe_read;

/// Longer than any real ETag or HTTP date: anything else is not a validator.
const MAX_VALIDATOR_CHARS: usize = 512;

/// The file beside `part` that names the version it holds.
pub(super) fn validator_path(part: &Path) -> PathBuf {
    let mut name = part.file_name().unwrap_or_default().to_os_string();
    name.push(".validator");
    part.with_file_name(name)
}

/// The response's strong validator: a strong ETag, else Last-Modified. A weak ETag
/// (`W/"…"`) may not be used in `If-Range`.
pub(super) fn validator_of(headers: &HeaderMap) -> Option<String> {
    strong_etag(headers).or_else(|| header(headers, LAST_MODIFIED.as_str()))
}

/// Whether a 206 answer is part of the version `validator` names (a server that ignores
/// `If-Range` still says which version it sent).
pub(super) fn same_version(headers: &HeaderMap, validator: &str) -> bool {
    let sent = if validator.starts_with('"') {
        strong_etag(headers)
    } else {
        header(headers, LAST_MODIFIED.as_str())
    };
    sent.as_deref() == Some(validator)
}

fn strong_etag(headers: &HeaderMap) -> Option<String> {
    header(headers, ETAG.as_str()).filter(|tag| tag.starts_with('"'))
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    let usable = !value.is_empty() && value.len() <= MAX_VALIDATOR_CHARS;
    usable.then(|| value.to_string())
}

/// The validator saved for `part`, if one was and it is still a usable header value.
/// Read like every other file shotdeck opens: a FIFO or device there is refused without
/// blocking, and an oversized file is not read (either way the part is started over).
pub(super) async fn load(part: &Path) -> Option<String> {
    let path = validator_path(part);
    // Room for a trailing newline or spaces around the longest usable value.
    let limit = 2 * MAX_VALIDATOR_CHARS as u64;
    let read = tokio::task::spawn_blocking(move || safe_read::read_string(&path, limit));
    let text = read.await.ok()?.ok()?;
    let value = text.trim();
    let usable = !value.is_empty()
        && value.len() <= MAX_VALIDATOR_CHARS
        && reqwest::header::HeaderValue::from_str(value).is_ok();
    usable.then(|| value.to_string())
}

/// Records which version a fresh part file holds (none: it can only be started over).
pub(super) async fn save(part: &Path, validator: Option<&str>) -> Result<(), DownloadError> {
    let path = validator_path(part);
    match validator {
        Some(v) => tokio::fs::write(&path, v).await.map_err(io(&path)),
        None => remove(&path).await,
    }
}

/// Removes the part file and its validator.
pub(super) async fn discard(part: &Path) -> Result<(), DownloadError> {
    remove(part).await?;
    remove(&validator_path(part)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn strong_etags_win_weak_ones_fall_back_to_the_date() {
        let date = "Wed, 21 Oct 2026 07:28:00 GMT";
        let strong = headers(&[("etag", "\"v1\""), ("last-modified", date)]);
        assert_eq!(validator_of(&strong).as_deref(), Some("\"v1\""));
        let weak = headers(&[("etag", "W/\"v1\""), ("last-modified", date)]);
        assert_eq!(validator_of(&weak).as_deref(), Some(date));
        assert_eq!(validator_of(&headers(&[("etag", "W/\"v1\"")])), None);
        assert!(same_version(&strong, "\"v1\""));
        assert!(same_version(&strong, date));
        assert!(!same_version(&headers(&[("etag", "\"v2\"")]), "\"v1\""));
        assert!(!same_version(&HeaderMap::new(), "\"v1\""));
    }

    #[tokio::test]
    async fn a_validator_that_is_not_a_regular_small_file_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("a.mp4.part");
        std::fs::write(validator_path(&part), "\"v1\"\n").unwrap();
        assert_eq!(load(&part).await.as_deref(), Some("\"v1\""));
        std::fs::write(validator_path(&part), "x".repeat(4096)).unwrap();
        assert_eq!(load(&part).await, None);
        #[cfg(unix)]
        {
            // Nobody writes to the FIFO: a plain open would block the download forever.
            std::fs::remove_file(validator_path(&part)).unwrap();
            let made = std::process::Command::new("mkfifo")
                .arg(validator_path(&part))
                .status()
                .unwrap();
            assert!(made.success());
            assert_eq!(load(&part).await, None);
        }
    }

    #[test]
    fn the_validator_sits_beside_the_part_file() {
        assert_eq!(
            validator_path(Path::new("/r/a.mp4.part")),
            PathBuf::from("/r/a.mp4.part.validator")
        );
    }
}
