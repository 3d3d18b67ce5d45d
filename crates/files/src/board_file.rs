//! Reading and atomically saving board files.
//!
//! A malformed file is reported with line and column and never written over. Saving writes
//! a temporary file beside the board, fsyncs it, renames it over the old one and fsyncs the
//! folder, so a crash at any moment leaves the old or the new board, never a torn one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::safe_read::{self, ReadError};
use shotdeck_core::model::{Board, SCHEMA_VERSION};
use shotdeck_core::printable_path;

#[derive(Debug, thiserror::Error)]
pub enum BoardFileError {
    #[error("cannot read {}: {source}", printable_path(path))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", printable_path(path))]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{}: board schema version {found} is newer than this shotdeck reads ({SCHEMA_VERSION}); upgrade shotdeck",
        printable_path(path)
    )]
    NewerVersion { path: PathBuf, found: u32 },
    /// A FIFO would block the read forever and a device (`/dev/zero`) never ends.
    #[error("{} is {kind}, not a board file", printable_path(path))]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(
        "{} is {bytes} bytes; a board is at most {limit} (is it really a board?)",
        printable_path(path)
    )]
    TooLarge {
        path: PathBuf,
        bytes: u64,
        limit: u64,
    },
    #[error(
        "{}:{line}:{column}: not UTF-8 text (invalid byte at offset {offset}); boards are UTF-8 JSON",
        printable_path(path)
    )]
    NotUtf8 {
        path: PathBuf,
        offset: usize,
        line: usize,
        column: usize,
    },
}

/// Boards are a few kilobytes; a file this large is not one, and reading it whole would cost
/// the memory it claims.
pub const MAX_BOARD_BYTES: u64 = 16 << 20;

/// The UTF-8 byte order mark some Windows editors write first. It is skipped on reading
/// (and not written back): JSON has no room for it.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A board that could not be written; the file on disk is the previous version, untouched.
#[derive(Debug, thiserror::Error)]
#[error("cannot save {}: {source}", printable_path(path))]
pub struct SaveError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Parses board JSON; `path` only labels errors.
pub fn parse(text: &str, path: &Path) -> Result<Board, BoardFileError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let board: Board = serde_path_to_error::deserialize(&mut de).map_err(|e| {
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
    // Text after the board (a merge conflict's `=======`, a second object) would be lost by
    // the next save: refuse it with its position instead.
    de.end().map_err(|e| BoardFileError::Parse {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: "text after the board's JSON (a merge conflict, or a second object?)".into(),
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
    let text = read_text(path)?;
    parse(&text, path)
}

/// The board file's text: a regular file (through any symlink), at most
/// [`MAX_BOARD_BYTES`], UTF-8 with an optional byte order mark.
pub fn read_text(path: &Path) -> Result<String, BoardFileError> {
    let bytes = read_bytes(path)?;
    let skip = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    match std::str::from_utf8(&bytes[skip..]) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = &bytes[skip..skip + e.valid_up_to()];
            let before = String::from_utf8_lossy(valid);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            Err(BoardFileError::NotUtf8 {
                path: path.to_path_buf(),
                offset: skip + e.valid_up_to(),
                line,
                column,
            })
        }
    }
}

/// The board file's bytes, through the one special-file and size check
/// ([`safe_read`]): a FIFO or a device is refused without blocking.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, BoardFileError> {
    safe_read::read_bytes(path, MAX_BOARD_BYTES).map_err(|e| match e {
        ReadError::NotAFile { path, kind } => BoardFileError::NotAFile { path, kind },
        ReadError::TooLarge { path, bytes, limit } => {
            BoardFileError::TooLarge { path, bytes, limit }
        }
        ReadError::Io { path, source } => BoardFileError::Read { path, source },
    })
}

/// Refuses, before anything is written, a board this shotdeck would then refuse to open:
/// one from a newer schema, or larger than [`MAX_BOARD_BYTES`] (`new --from` and opening
/// a sidecar write boards taken from elsewhere). Returns the text to write.
pub fn check_before_writing(path: &Path, board: &Board) -> Result<String, BoardFileError> {
    let text = to_json(board);
    if text.len() as u64 > MAX_BOARD_BYTES {
        return Err(BoardFileError::TooLarge {
            path: path.to_path_buf(),
            bytes: text.len() as u64,
            limit: MAX_BOARD_BYTES,
        });
    }
    parse(&text, path)?;
    Ok(text)
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

/// Where a write to `path` must land: a symlinked board is saved through its link (the
/// target is replaced atomically, the link stays a link), following a chain of links.
pub fn write_target(path: &Path) -> PathBuf {
    let mut target = path.to_path_buf();
    // A loop of links ends the walk; the rename then fails and says so.
    for _ in 0..32 {
        match fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => match fs::read_link(&target) {
                Ok(next) if next.is_absolute() => target = next,
                Ok(next) => target = board_dir(&target).join(next),
                Err(_) => break,
            },
            _ => break,
        }
    }
    target
}

/// Write-temp, fsync, rename, fsync-folder. Used for boards and other user-owned files.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = write_target(path);
    let path = target.as_path();
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

/// One name per board, whichever way it was written (`../x.json`, `./x.json`, the absolute
/// path, a symlink to it): jobs record it, and "this board's jobs" compares it. An existing
/// file is canonicalized; a board not yet saved gets its folder's canonical path, which is
/// what canonicalizing it will give once it exists.
pub fn identity(path: &Path) -> PathBuf {
    let abs = lexical(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    if let Ok(canonical) = fs::canonicalize(&abs) {
        return canonical;
    }
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or(abs.clone()),
        _ => abs,
    }
}

/// `a/./b/../c` → `a/c`, without asking the filesystem.
pub fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The folder a board's relative image paths and renders are resolved against.
pub fn board_dir(board_path: &Path) -> PathBuf {
    match board_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
