//! The one save rule for every exit that cannot ask the user: the terminal hung up (SIGHUP,
//! or reading it failed or ended), SIGTERM, or a panic.
//!
//! The board is written over only when this editor may write it (not read-only) and
//! nobody else changed it (no outside change held or waiting). Otherwise the edits go
//! beside it (`noir.unsaved.json`), and when its folder takes nothing either (read-only,
//! full, gone) into the data dir (`<data dir>/rescued/noir-<time>.json`), with a note the
//! next start shows. Once kept, the edits are not written again: a panic during the exit
//! (a hung-up terminal makes printing fail) finds nothing left to save.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::model::disk::{DiskCopy, OutsideChange};
use shotdeck_core::{Board, printable_path};
use shotdeck_files::{board_file, paths, safe_read};

/// The latest unsaved board, readable from a panic hook (which must not wait on the UI).
pub type RescueSlot = Arc<Mutex<Option<Pending>>>;

/// Unsaved edits and what decides where they may go.
#[derive(Debug, Clone)]
pub struct Pending {
    pub path: PathBuf,
    pub board: Board,
    /// Why the file may not be written over (read-only, an outside change the user has
    /// not decided about), if it may not.
    pub blocked: Option<String>,
    /// The file as last loaded or saved: a change nobody has looked at yet also blocks.
    pub disk: Option<DiskCopy>,
}

/// Where the edits went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// Over the board: it could be written.
    Board(PathBuf),
    /// Beside it (`noir.unsaved.json`): the board may not be written over.
    Beside { path: PathBuf, why: String },
    /// Into the data dir: the board's folder takes nothing.
    Rescued { path: PathBuf, why: String },
}

impl Kept {
    pub fn path(&self) -> &Path {
        match self {
            Kept::Board(p) | Kept::Beside { path: p, .. } | Kept::Rescued { path: p, .. } => p,
        }
    }

    /// One line for the log and stderr.
    pub fn describe(&self) -> String {
        match self {
            Kept::Board(p) => format!("your unsaved edits were saved to {}", printable_path(p)),
            Kept::Beside { path, why } | Kept::Rescued { path, why } => format!(
                "{why}: your unsaved edits were written to {}",
                printable_path(path)
            ),
        }
    }
}

/// The rule: see the module comment. `Err` only when the edits could be written nowhere.
pub fn keep(p: &Pending) -> Result<Kept, String> {
    keep_with(p, &paths::data_dir())
}

/// [`keep`] with the data dir named.
pub fn keep_with(p: &Pending, data_dir: &Path) -> Result<Kept, String> {
    let blocked = p.blocked.clone().or_else(|| {
        OutsideChange::check(&p.path, p.disk.as_ref())
            .map(|c| format!("the board changed on disk ({})", c.summary))
    });
    let why = match blocked {
        Some(why) => why,
        None => match board_file::save(&p.path, &p.board) {
            Ok(()) => return Ok(Kept::Board(p.path.clone())),
            Err(e) => e.to_string(),
        },
    };
    match save_beside(&p.path, &p.board) {
        Ok(path) => return Ok(Kept::Beside { path, why }),
        Err(e) => tracing::warn!("{why}; not beside the board either: {e}"),
    }
    let why = format!(
        "{} could not be written ({why})",
        printable_path(&board_file::board_dir(&p.path))
    );
    match rescue_into(data_dir, &p.path, &p.board) {
        Ok(path) => Ok(Kept::Rescued { path, why }),
        Err(e) => Err(format!("{why}; the data dir did not take them either: {e}")),
    }
}

/// Saves the slot's edits by [`keep`] and empties it, so nothing is written twice. For the
/// panic hook: never blocks on the lock. `None` when there was nothing to save.
pub fn rescue_save(slot: &RescueSlot) -> Option<Result<Kept, String>> {
    let mut guard = slot.try_lock().ok()?;
    let pending = guard.take()?;
    let kept = keep(&pending);
    log_kept(&kept);
    Some(kept)
}

pub fn log_kept(kept: &Result<Kept, String>) {
    match kept {
        Ok(Kept::Board(p)) => tracing::info!("saved {} on exit", p.display()),
        Ok(other) => tracing::warn!("{}", other.describe()),
        Err(e) => tracing::error!("the unsaved edits could not be kept: {e}"),
    }
}

/// Writes the board beside `board_path`, never over anything: `noir.unsaved.json` (or
/// `noir.unsaved-2.json`, …).
pub fn save_beside(board_path: &Path, board: &Board) -> Result<PathBuf, board_file::SaveError> {
    let stem = stem(board_path);
    let dir = board_file::board_dir(board_path);
    let free = first_free(&dir, |n| format!("{stem}.unsaved{n}.json"));
    board_file::save(&free, board)?;
    Ok(free)
}

/// The first name in `dir` nothing has yet: `name("")`, then `name("-2")`, `name("-3")`, …
/// (past 99, `name("-<pid>")`). Never over an existing file.
fn first_free(dir: &Path, name: impl Fn(&str) -> String) -> PathBuf {
    (1..100)
        .map(|n| match n {
            1 => dir.join(name("")),
            n => dir.join(name(&format!("-{n}"))),
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(name(&format!("-{}", std::process::id()))))
}

fn stem(board_path: &Path) -> String {
    board_path
        .file_stem()
        .map_or("board".into(), |s| s.to_string_lossy().into_owned())
}

/// The folder under the data dir that takes edits no board folder would.
fn rescued_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("rescued")
}

/// The notes the next start reads: one `board<TAB>rescued copy` line per rescue.
fn notes_path(data_dir: &Path) -> PathBuf {
    rescued_dir(data_dir).join("unannounced.tsv")
}

/// Writes the board to `<data_dir>/rescued/NAME-<unix seconds>.json` and notes it for the
/// next start.
pub fn rescue_into(
    data_dir: &Path,
    board_path: &Path,
    board: &Board,
) -> Result<PathBuf, std::io::Error> {
    let dir = rescued_dir(data_dir);
    std::fs::create_dir_all(&dir)?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = stem(board_path);
    let free = first_free(&dir, |n| format!("{name}-{secs}{n}.json"));
    board_file::save(&free, board).map_err(|e| e.source)?;
    let mut notes = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(notes_path(data_dir))?;
    // Tabs and newlines in a path would break the line format; such a path is still
    // announced, only less exactly.
    let clean = |p: &Path| p.display().to_string().replace(['\t', '\n'], " ");
    writeln!(notes, "{}\t{}", clean(board_path), clean(&free))?;
    Ok(free)
}

/// The rescues no start has announced yet, as messages, and forgets them: each is shown
/// once (status line and message log), and logged.
pub fn take_rescue_notes(data_dir: &Path) -> Vec<String> {
    let path = notes_path(data_dir);
    let Ok(text) = safe_read::read_string(&path, safe_read::MAX_SETTINGS_BYTES) else {
        return Vec::new();
    };
    let _ = std::fs::remove_file(&path);
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(board, copy)| {
            let note = format!(
                "unsaved edits of {} were rescued to {} (its folder could not be written)",
                shotdeck_core::printable(board),
                shotdeck_core::printable(copy)
            );
            tracing::warn!("{note}");
            note
        })
        .collect()
}

#[cfg(test)]
#[path = "exit_save_tests.rs"]
mod tests;
