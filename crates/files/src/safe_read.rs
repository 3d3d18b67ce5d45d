//! The one way shotdeck opens a file it reads: boards, sidecars, locks, config,
//! credentials, keymap, themes and images all come through here.
//!
//! A FIFO blocks an `open` until someone writes to it, and a device such as `/dev/zero`
//! never ends, so a path is looked at before it is opened, opened without blocking
//! (`O_NONBLOCK`), looked at again through the open handle (the path may have been swapped
//! in between), and read with a size cap: nothing but a regular file of a sane size is
//! ever read.

use std::fs::{self, File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Caps for what shotdeck reads whole. Boards have their own
/// ([`super::board_file::MAX_BOARD_BYTES`]).
pub const MAX_SETTINGS_BYTES: u64 = 1 << 20;
/// `.NAME.shotdeck-lock` holds `pid host`.
pub const MAX_LOCK_BYTES: u64 = 4 << 10;
/// A sidecar is a board plus its request (images replaced by their hashes).
pub const MAX_SIDECAR_BYTES: u64 = 32 << 20;
/// An image is embedded whole in the request; providers take 10 MB at most, so anything
/// past this is refused before it is read into memory.
pub const MAX_IMAGE_BYTES: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A FIFO would block the read forever and a device (`/dev/zero`) never ends.
    #[error(
        "{} is {kind}, not a regular file",
        shotdeck_core::printable_path(path)
    )]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(
        "{} is {bytes} bytes; at most {limit} is read here",
        shotdeck_core::printable_path(path)
    )]
    TooLarge {
        path: PathBuf,
        bytes: u64,
        limit: u64,
    },
    #[error("cannot read {}: {source}", shotdeck_core::printable_path(path))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReadError {
    /// The file does not exist (callers that have a default for that branch on it).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Opens `path` (through symlinks) only if it is a regular file of at most `limit` bytes,
/// without ever blocking on a FIFO. Returns the handle and its size.
pub fn open_regular(path: &Path, limit: u64) -> Result<(File, u64), ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Looked at before opening: opening a FIFO for reading blocks until a writer comes.
    check(path, &fs::metadata(path).map_err(io)?, limit)?;
    let file = open_nonblocking(path).map_err(io)?;
    // The same checks on what was actually opened.
    let meta = file.metadata().map_err(io)?;
    check(path, &meta, limit)?;
    Ok((file, meta.len()))
}

/// The whole file, if it is a regular file of at most `limit` bytes.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_regular(path, limit)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    // The file may have grown since it was measured.
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            bytes: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// [`read_bytes`] as UTF-8 text.
pub fn read_string(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|e| ReadError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
    })
}

fn check(path: &Path, meta: &Metadata, limit: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotAFile {
            path: path.to_path_buf(),
            kind: file_kind(meta),
        });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            bytes: meta.len(),
            limit,
        });
    }
    Ok(())
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Reads of a regular file ignore O_NONBLOCK; it only keeps a FIFO from blocking.
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// What a path that is not a regular file is, in words.
pub fn file_kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_and_everything_else_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.toml");
        fs::write(&ok, "a = 1\n").unwrap();
        assert_eq!(read_string(&ok, 100).unwrap(), "a = 1\n");
        assert!(matches!(
            read_bytes(&ok, 3),
            Err(ReadError::TooLarge { bytes: 6, .. })
        ));
        assert!(matches!(
            read_bytes(dir.path(), 100),
            Err(ReadError::NotAFile {
                kind: "a folder",
                ..
            })
        ));
        assert!(matches!(
            read_bytes(Path::new("/dev/zero"), 100),
            Err(ReadError::NotAFile {
                kind: "a device",
                ..
            })
        ));
        assert!(
            read_bytes(&dir.path().join("none"), 100)
                .unwrap_err()
                .is_not_found()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Nobody writes to it: a blocking open would never return.
        let err = read_bytes(&fifo, 100).unwrap_err();
        assert!(err.to_string().contains("a FIFO"), "{err}");
        // The handle check alone (a FIFO swapped in after the path was looked at) also
        // refuses it without blocking.
        let opened = open_nonblocking(&fifo).unwrap();
        let meta = opened.metadata().unwrap();
        assert!(check(&fifo, &meta, 100).is_err());
    }
}
