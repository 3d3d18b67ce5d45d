//! The real binary in an 80×24 pseudo-terminal, read through a terminal emulator (vt100),
//! shared by the benches that drive it (`terminal`, `history`).

// Each bench uses a part of this module.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use expectrl::Session;
use expectrl::session::OsSession;

/// No output for this long after a key means its frame is complete.
pub const QUIET: Duration = Duration::from_millis(40);
pub const PATIENCE: Duration = Duration::from_secs(10);

pub struct Pty {
    session: OsSession,
    pub pid: i32,
    chunks: Receiver<(Instant, Vec<u8>)>,
    screen: vt100::Parser,
    /// When the last chunk read arrived.
    last_at: Option<Instant>,
}

impl Pty {
    /// Starts `shotdeck ARGS` with every config, data, state and temp path inside `dir`.
    pub fn spawn(dir: &Path, args: &[&str]) -> (Pty, Instant) {
        let mut cmd = Command::new(binary());
        cmd.args(args)
            .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
            .env("SHOTDECK_STATE_DIR", dir.join("state"))
            .env("SHOTDECK_DATA_DIR", dir.join("data"))
            // The demo keeps its job store under the temp dir: keep it inside ours.
            .env("TMPDIR", dir);
        Pty::spawn_command(cmd)
    }

    /// Starts `cmd` (any TUI) in the 80×24 pty, as `spawn` does shotdeck.
    pub fn spawn_command(mut cmd: Command) -> (Pty, Instant) {
        cmd.env("TERM", "xterm-256color").env_remove("NO_COLOR");
        let started = Instant::now();
        // ptyprocess opens the pty at 80×24 before the child runs.
        let session = Session::spawn(cmd).expect("spawn shotdeck in a pty");
        let pid = session.get_process().pid().as_raw();
        let mut reader = session
            .get_process()
            .get_raw_handle()
            .expect("a handle on the pty");
        let (tx, chunks) = channel();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            // Ends when the child exits (the pty reports EIO) or the receiver is gone.
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                // Answer a device status report as every terminal does ("OK"): shotdeck
                // asks one at start, ending its graphics query, which would otherwise wait
                // out its timeout here. A terminal with no graphics answers no more.
                if buf[..n].windows(4).any(|w| w == b"\x1b[5n") {
                    let _ = reader.write_all(b"\x1b[0n");
                }
                if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
        let pty = Pty {
            session,
            pid,
            chunks,
            screen: vt100::Parser::new(24, 80, 0),
            last_at: None,
        };
        (pty, started)
    }

    /// Reads until the screen satisfies `pred`; returns when the chunk that did it arrived
    /// (the last chunk read, when the screen already does).
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> Instant {
        if let Some(at) = self.last_at
            && pred(&self.screen.screen().contents())
        {
            return at;
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.chunks.recv_timeout(left) {
                Ok((at, bytes)) => {
                    self.screen.process(&bytes);
                    self.last_at = Some(at);
                    if pred(&self.screen.screen().contents()) {
                        return at;
                    }
                }
                Err(_) => panic!(
                    "timed out waiting for {what}:\n{}",
                    self.screen.screen().contents()
                ),
            }
        }
    }

    /// Bytes received until the output has been quiet for `QUIET` (waiting up to `first`
    /// for anything at all).
    pub fn settle(&mut self, first: Duration) -> usize {
        let mut total = 0;
        let mut wait = first;
        loop {
            match self.chunks.recv_timeout(wait) {
                Ok((at, bytes)) => {
                    self.screen.process(&bytes);
                    self.last_at = Some(at);
                    total += bytes.len();
                    wait = QUIET;
                }
                Err(RecvTimeoutError::Timeout) => return total,
                Err(RecvTimeoutError::Disconnected) => panic!("shotdeck exited"),
            }
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.session.write_all(bytes).expect("write to the pty");
        self.session.flush().expect("flush the pty");
    }

    /// Leaves with q (from the shot list); the process is killed if it is still there
    /// after `PATIENCE`.
    pub fn quit(self) {
        self.quit_within(PATIENCE);
    }

    /// Sends q and waits up to `patience` for the process to end; then it is killed.
    pub fn quit_within(mut self, patience: Duration) {
        self.send(b"q");
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if !self.session.get_process().is_alive().unwrap_or(false) {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        eprintln!("the program did not quit; killing it");
        // Dropping the session terminates the child.
    }
}

/// The binary measured: this build's, or `SHOTDECK_BIN` (an older build kept aside, to
/// measure a change before and after in one run).
pub fn binary() -> PathBuf {
    std::env::var_os("SHOTDECK_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_shotdeck")),
        PathBuf::from,
    )
}

/// The first frame: every pane drawn (the Jobs pane may still say `loading…`).
pub fn full_frame(screen: &str) -> bool {
    screen.contains("Timeline") && screen.contains("Jobs") && screen.contains("? help")
}

/// The complete screen: the first frame with the job history in the Jobs pane and the
/// day's spend in the header, both of which come from the job store.
pub fn complete_frame(screen: &str) -> bool {
    full_frame(screen) && !screen.contains("loading…") && screen.contains("today $")
}

/// A fresh temp dir holding the noir example board.
pub fn board_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let board = dir.path().join("noir.json");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/noir-3-shot.json");
    std::fs::copy(example, &board).expect("copy the example board");
    (dir, board)
}

/// A `Name:   value` line of a /proc status file, as a number (kB for memory lines).
pub fn status_field(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

pub fn memory_kb(pid: i32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
    (
        status_field(&status, "VmRSS"),
        status_field(&status, "VmHWM"),
    )
}

pub fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort_unstable();
    v[v.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
