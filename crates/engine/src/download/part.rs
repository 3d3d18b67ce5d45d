//! The partial file on disk: opened for appending or afresh, size-checked, and placed under
//! its final name without ever replacing a file that is already there.

use std::path::Path;

use super::DownloadError;

/// Size-checks the part file and renames it into place.
pub(super) async fn finish(
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
    place(part, dest).await?;
    Ok(on_disk)
}

/// Moves the finished part file to `dest` without ever replacing a file already there (a
/// paid video from another job, a file the user made). A hard link is the atomic
/// "create only if absent"; where a filesystem has none, a check before the rename stands in.
/// An existing file with the same bytes is this video already: it is kept as it is.
async fn place(part: &Path, dest: &Path) -> Result<(), DownloadError> {
    let linked = tokio::fs::hard_link(part, dest).await;
    let exists = match &linked {
        Ok(()) => false,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => true,
        Err(_) => tokio::fs::try_exists(dest).await.unwrap_or(false),
    };
    if exists {
        if same_bytes(part, dest).await.map_err(io(dest))? {
            return remove(part).await;
        }
        return Err(DownloadError::Exists {
            path: dest.to_path_buf(),
        });
    }
    match linked {
        Ok(()) => remove(part).await,
        Err(_) => tokio::fs::rename(part, dest).await.map_err(io(dest)),
    }
}

async fn same_bytes(a: &Path, b: &Path) -> std::io::Result<bool> {
    use tokio::io::AsyncReadExt;
    let (ma, mb) = (tokio::fs::metadata(a).await?, tokio::fs::metadata(b).await?);
    if ma.len() != mb.len() {
        return Ok(false);
    }
    let (mut fa, mut fb) = (
        tokio::fs::File::open(a).await?,
        tokio::fs::File::open(b).await?,
    );
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = fa.read(&mut ba).await?;
        if n == 0 {
            return Ok(true);
        }
        fb.read_exact(&mut bb[..n]).await?;
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

pub(super) async fn open_part(part: &Path, append: bool) -> Result<tokio::fs::File, DownloadError> {
    let mut opts = tokio::fs::OpenOptions::new();
    opts.create(true).write(true);
    if append {
        opts.append(true);
    } else {
        opts.truncate(true);
    }
    opts.open(part).await.map_err(io(part))
}

pub(super) async fn remove(path: &Path) -> Result<(), DownloadError> {
    match tokio::fs::remove_file(path).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(DownloadError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DownloadError + '_ {
    move |source| DownloadError::Io {
        path: path.to_path_buf(),
        source,
    }
}
