//! One shotdeck writing a board at a time: a lock file beside the board
//! (`.noir.json.shotdeck-lock`, holding `pid host`), taken at start, removed on exit, and
//! taken over when the process that holds it is gone.
//!
//! A plain file rather than an OS lock: `flock` is not reliable on NFS, and the file says
//! who holds the board. A lock from another host cannot be checked and is respected
//! (`--force-write` takes it over).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Who holds a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {} on {}", self.pid, self.host)
    }
}

/// The lock this process holds; dropping it removes the file (unless it was taken over).
#[derive(Debug)]
pub struct BoardLock {
    path: PathBuf,
    me: Holder,
}

/// What trying to lock a board gave.
#[derive(Debug)]
pub enum LockAttempt {
    Taken(BoardLock),
    /// Another live shotdeck (or one on another host) holds it.
    HeldBy(Holder),
    /// Another shotdeck is writing the lock file this very moment (it is empty or torn,
    /// and young): it is about to hold the board.
    BeingTaken,
    /// The lock file cannot be made (a read-only folder): nobody can write there anyway.
    Unavailable(io::Error),
}

/// `.NAME.shotdeck-lock` beside the file the board path leads to (symlinks followed, so
/// two links to one board share a lock).
pub fn lock_path(board: &Path) -> PathBuf {
    let real = fs::canonicalize(board).unwrap_or_else(|_| board.to_path_buf());
    let name = real
        .file_name()
        .map_or("board".into(), |n| n.to_string_lossy().into_owned());
    super::board_file::board_dir(&real).join(format!(".{name}.shotdeck-lock"))
}

fn this_host() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

fn parse(text: &str) -> Option<Holder> {
    let mut parts = text.split_whitespace();
    let pid = parts.next()?.parse().ok()?;
    let host = parts.next()?.to_string();
    Some(Holder { pid, host })
}

/// Locks `board`. `force` takes the lock from whoever holds it.
pub fn acquire(board: &Path, force: bool) -> LockAttempt {
    let path = lock_path(board);
    let me = Holder {
        pid: std::process::id(),
        host: this_host(),
    };
    // Twice at most: once more after removing a lock whose process is gone.
    for _ in 0..2 {
        match create(&path, &me) {
            Ok(()) => return LockAttempt::Taken(BoardLock { path, me }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return LockAttempt::Unavailable(e),
        }
        let holder = read_holder(&path).or_else(|| {
            // Made but not yet written by its taker: its line follows in microseconds.
            std::thread::sleep(std::time::Duration::from_millis(20));
            read_holder(&path)
        });
        let stale = match &holder {
            Some(h) if force => h != &me,
            Some(h) => h.host == me.host && super::process_alive(h.pid) == Some(false),
            // Unreadable or half-written: only a crash mid-write leaves that for long.
            None => force || older_than_a_minute(&path),
        };
        match holder {
            Some(h) if !stale => return LockAttempt::HeldBy(h),
            // Removing it would take the board from the shotdeck writing it.
            None if !stale => return LockAttempt::BeingTaken,
            _ => {
                let _ = fs::remove_file(&path);
            }
        }
    }
    LockAttempt::Unavailable(io::Error::other("the lock kept changing hands"))
}

/// A lock file that is a FIFO or a device (or huge) holds nobody, and is never waited on.
fn read_holder(path: &Path) -> Option<Holder> {
    super::safe_read::read_string(path, super::safe_read::MAX_LOCK_BYTES)
        .ok()
        .and_then(|t| parse(&t))
}

fn older_than_a_minute(path: &Path) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 60)
}

fn create(path: &Path, me: &Holder) -> io::Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    // No fsync: other processes read the page cache, and a lock outlives its process only
    // after a crash, when an empty or torn file reads as nobody's and is taken over. The
    // fsync cost 5–7 ms before the first frame.
    writeln!(f, "{} {}", me.pid, me.host)
}

impl Drop for BoardLock {
    fn drop(&mut self) {
        // Only our own lock: a `--force-write` elsewhere may have taken it over.
        let ours = read_holder(&self.path).is_some_and(|h| h == self.me);
        if ours {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Why this process may not write `board` (an existing file it cannot open for writing),
/// if it may not.
pub fn not_writable(board: &Path) -> Option<String> {
    if !board.exists() {
        return None;
    }
    match fs::OpenOptions::new().write(true).open(board) {
        Ok(_) => None,
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Some("no write permission".into()),
        Err(e) => Some(format!("cannot open it for writing: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_is_exclusive_released_on_drop_and_taken_over_from_the_dead() {
        let dir = tempfile::tempdir().unwrap();
        let board = dir.path().join("b.json");
        let LockAttempt::Taken(lock) = acquire(&board, false) else {
            panic!("first lock")
        };
        let file = dir.path().join(".b.json.shotdeck-lock");
        assert!(file.exists());
        // Same process, same host: a second editor is refused and told who holds it.
        match acquire(&board, false) {
            LockAttempt::HeldBy(h) => assert_eq!(h.pid, std::process::id()),
            other => panic!("{other:?}"),
        }
        drop(lock);
        assert!(!file.exists());
        // A lock left by a process that is gone is taken over.
        fs::write(&file, format!("{} {}\n", u32::MAX - 1, this_host())).unwrap();
        assert!(matches!(acquire(&board, false), LockAttempt::Taken(_)));
    }

    #[test]
    fn force_takes_over_and_the_old_holder_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let board = dir.path().join("b.json");
        let file = lock_path(&board);
        fs::write(&file, "1 some-other-host\n").unwrap();
        assert!(matches!(acquire(&board, false), LockAttempt::HeldBy(_)));
        let LockAttempt::Taken(mine) = acquire(&board, true) else {
            panic!("forced")
        };
        assert!(
            fs::read_to_string(&file)
                .unwrap()
                .starts_with(&std::process::id().to_string())
        );
        drop(mine);
        assert!(!file.exists());
    }

    #[test]
    fn a_lock_being_written_is_left_to_its_taker() {
        let dir = tempfile::tempdir().unwrap();
        let board = dir.path().join("b.json");
        let file = lock_path(&board);
        // Another shotdeck has made the file and not yet written its line.
        fs::write(&file, "").unwrap();
        assert!(matches!(acquire(&board, false), LockAttempt::BeingTaken));
        assert!(file.exists(), "the taker's file stays");
        // Once written, it is an ordinary holder.
        fs::write(&file, "1 some-other-host\n").unwrap();
        assert!(matches!(acquire(&board, false), LockAttempt::HeldBy(_)));
    }
}
