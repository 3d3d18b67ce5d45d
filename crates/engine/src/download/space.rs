//! Disk space: checked before the first byte when the size is known, and again as the file
//! grows (a body with no length, or another program filling the disk), so a download stops
//! while `min_free_bytes` are still free instead of filling the disk.

use std::path::{Path, PathBuf};

use super::DownloadError;

/// How often, in bytes written, free space is read again while a body grows.
const CHECK_EVERY: u64 = 1 << 20;

/// Free bytes on the filesystem holding `dir`. Unknown free space (an odd filesystem) is
/// not a reason to refuse a download.
fn available(dir: &Path) -> Option<u64> {
    fs4::available_space(dir).ok()
}

/// Refuses before writing when the rest of the file would not leave the reserve free.
pub(super) fn check_room(dir: &Path, needed: u64, reserve: u64) -> Result<(), DownloadError> {
    let Some(available) = available(dir) else {
        return Ok(());
    };
    if available < needed.saturating_add(reserve) {
        return Err(DownloadError::NoSpace {
            dir: dir.to_path_buf(),
            needed,
            available,
            reserve,
        });
    }
    Ok(())
}

/// Reads free space every [`CHECK_EVERY`] bytes while a body is written.
pub(super) struct SpaceWatch {
    dir: PathBuf,
    reserve: u64,
    next_check: u64,
}

impl SpaceWatch {
    pub(super) fn new(dir: &Path, reserve: u64, written: u64) -> SpaceWatch {
        SpaceWatch {
            dir: dir.to_path_buf(),
            reserve,
            next_check: written,
        }
    }

    /// `Err` once fewer than the reserve are free; the caller removes the partial file.
    pub(super) fn check(&mut self, written: u64) -> Result<(), DownloadError> {
        if written < self.next_check {
            return Ok(());
        }
        self.next_check = written.saturating_add(CHECK_EVERY);
        match available(&self.dir) {
            Some(available) if available < self.reserve => Err(DownloadError::DiskFull {
                dir: self.dir.clone(),
                bytes_done: written,
                available,
                reserve: self.reserve,
            }),
            _ => Ok(()),
        }
    }
}
