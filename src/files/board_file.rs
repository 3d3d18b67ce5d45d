//! Reading and atomically saving board files.
//!
//! A malformed file is reported with line and column and never written over. Saving writes
//! a temporary file beside the board, fsyncs it, renames it over the old one and fsyncs the
//! folder, so a crash at any moment leaves the old or the new board, never a torn one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::core::model::{Board, SCHEMA_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum BoardFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{}: board schema version {found} is newer than this shotdeck reads ({SCHEMA_VERSION}); upgrade shotdeck",
        path.display()
    )]
    NewerVersion { path: PathBuf, found: u32 },
}

/// A board that could not be written; the file on disk is the previous version, untouched.
#[derive(Debug, thiserror::Error)]
#[error("cannot save {}: {source}", path.display())]
pub struct SaveError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Parses board JSON; `path` only labels errors.
pub fn parse(text: &str, path: &Path) -> Result<Board, BoardFileError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let board: Board = serde_path_to_error::deserialize(de).map_err(|e| {
        // Name the field as well as the position: `shots[0].duration: invalid type…`.
        let field = e.path().to_string();
        let inner = e.into_inner();
        let message =
            strip_position(&inner.to_string()).replace("expected f64", "expected a number");
        BoardFileError::Parse {
            path: path.to_path_buf(),
            line: inner.line(),
            column: inner.column(),
            message: if field.is_empty() || field == "." {
                message
            } else {
                format!("{field}: {message}")
            },
        }
    })?;
    if board.version > SCHEMA_VERSION {
        return Err(BoardFileError::NewerVersion {
            path: path.to_path_buf(),
            found: board.version,
        });
    }
    Ok(board)
}

/// serde_json appends " at line L column C"; we print the position up front instead.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

pub fn load(path: &Path) -> Result<Board, BoardFileError> {
    let text = fs::read_to_string(path).map_err(|source| BoardFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// The bytes shotdeck writes for a board: pretty JSON with a trailing newline.
pub fn to_json(board: &Board) -> String {
    let mut s = serde_json::to_string_pretty(board).expect("a Board always serializes");
    s.push('\n');
    s
}

/// Writes the board atomically. Existing permissions are kept.
pub fn save(path: &Path, board: &Board) -> Result<(), SaveError> {
    write_atomic(path, to_json(board).as_bytes()).map_err(|source| SaveError {
        path: path.to_path_buf(),
        source,
    })
}

/// Write-temp, fsync, rename, fsync-folder. Used for boards and other user-owned files.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "board".into());
    let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), unique()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        if let Ok(meta) = fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        // The rename is durable only once the folder entry is.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    } else {
        sweep_orphans(&dir, &name);
    }
    result
}

/// Removes temp files that a killed shotdeck left beside `name` (`.{name}.{pid}.{n}.tmp`
/// whose process is gone). Never touches a live process's file.
fn sweep_orphans(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.strip_suffix(".tmp").and_then(|r| r.split('.').next()) else {
            continue;
        };
        if let Ok(pid) = pid.parse::<u32>()
            && super::process_alive(pid) == Some(false)
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The folder a board's relative image paths and renders are resolved against.
pub fn board_dir(board_path: &Path) -> PathBuf {
    match board_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
