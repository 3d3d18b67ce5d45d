//! The terminal going away under the editor (a tmux session killed, an SSH link dropped):
//! the pseudo-terminal's master closes, so the editor gets SIGHUP and its reads fail. Every
//! such exit keeps the edits by one rule: over the board only when this editor may write
//! it, else beside it (`noir.unsaved.json`), else (a folder that takes nothing) in the
//! data dir, announced on the next start. The board's lock goes with the editor.
//!
//! expectrl cannot close a master while its child lives, so the pty is made here: the
//! editor runs under `setsid -c` with the slave as its controlling terminal.

#![cfg(unix)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{Winsize, tcsetwinsize};

struct Pty {
    /// Dropping it is the hangup.
    master: Option<File>,
    child: Child,
    parser: vt100::Parser,
}

fn noir_in(dir: &Path) -> PathBuf {
    let board = dir.join("noir.json");
    std::fs::copy("examples/noir-3-shot.json", &board).unwrap();
    board
}

/// The editor on `board` in a fresh 80×24 pty, once it has drawn.
fn open_editor(home: &Path, board: &Path) -> Pty {
    // CLOEXEC: a master the editor inherited would keep its terminal open.
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let size = Winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    tcsetwinsize(&master, size).unwrap();
    rustix::io::ioctl_fionbio(&master, true).unwrap();
    let slave = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(rustix::fs::OFlags::NOCTTY.bits() as i32)
        .open(name.to_str().unwrap())
        .unwrap();
    let child = Command::new("setsid")
        .arg("-c")
        .arg(env!("CARGO_BIN_EXE_shotdeck"))
        .arg(board)
        .env("SHOTDECK_CONFIG_DIR", home.join("config"))
        .env("SHOTDECK_STATE_DIR", home.join("state"))
        .env("SHOTDECK_DATA_DIR", home.join("data"))
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave)
        .spawn()
        .unwrap();
    let mut pty = Pty {
        master: Some(File::from(master)),
        child,
        parser: vt100::Parser::new(24, 80, 0),
    };
    pty.wait_for("the editor", |c| c.contains("1 Shots"));
    pty
}

impl Pty {
    /// Reads output until `pred` holds for the screen, or fails after 10 s.
    fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 65536];
        loop {
            if pred(&self.parser.screen().contents()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{}",
                self.parser.screen().contents()
            );
            match self.master.as_mut().unwrap().read(&mut buf) {
                Ok(n @ 1..) => self.parser.process(&buf[..n]),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        let m = self.master.as_mut().unwrap();
        m.write_all(bytes).unwrap();
        m.flush().unwrap();
    }

    fn signal(&mut self, sig: rustix::process::Signal) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, sig).unwrap();
    }

    /// Closes the terminal, as killing its tmux session does, and waits for the exit.
    fn hang_up(mut self) -> std::process::ExitStatus {
        drop(self.master.take());
        self.wait()
    }

    fn wait(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the editor did not exit");
            // Keep the pty drained so a last frame never blocks the exit.
            if let Some(m) = self.master.as_mut() {
                let _ = m.read(&mut [0u8; 65536]);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_read_only_editor_whose_terminal_closes_writes_beside_the_board_never_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    // Another shotdeck (on another host) has the board open: this one is read-only.
    let lock = dir.path().join(".noir.json.shotdeck-lock");
    std::fs::write(&lock, "1 some-other-host\n").unwrap();
    let before = std::fs::read(&board).unwrap();
    let mut pty = open_editor(dir.path(), &board);
    pty.wait_for("the read-only badge", |c| c.contains("READ-ONLY"));
    pty.send(b"+");
    pty.wait_for("the edit", |c| c.contains("13 / 15 s"));
    pty.hang_up();
    assert_eq!(
        std::fs::read(&board).unwrap(),
        before,
        "the board is untouched"
    );
    let beside = shotdeck::files::board_file::load(&dir.path().join("noir.unsaved.json"))
        .expect("the edits are kept beside the board");
    assert_eq!(beside.shots.iter().map(|s| s.duration).sum::<f64>(), 13.0);
    // The other shotdeck's lock is not this editor's to remove.
    assert_eq!(
        std::fs::read_to_string(&lock).unwrap(),
        "1 some-other-host\n"
    );
}

#[test]
fn an_editor_whose_terminal_closes_saves_the_board_and_removes_its_lock() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let mut pty = open_editor(dir.path(), &board);
    assert!(dir.path().join(".noir.json.shotdeck-lock").exists());
    pty.send(b"+");
    pty.wait_for("the edit", |c| c.contains("13 / 15 s"));
    pty.hang_up();
    let saved = shotdeck::files::board_file::load(&board).unwrap();
    assert_eq!(saved.shots.iter().map(|s| s.duration).sum::<f64>(), 13.0);
    assert!(!dir.path().join("noir.unsaved.json").exists());
    assert!(
        !dir.path().join(".noir.json.shotdeck-lock").exists(),
        "the lock goes with the editor"
    );
}

#[test]
fn sighup_with_a_folder_that_takes_nothing_rescues_the_edits_and_says_where_next_time() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("boards");
    std::fs::create_dir(&folder).unwrap();
    let board = noir_in(&folder);
    let mut pty = open_editor(dir.path(), &board);
    pty.send(b"+");
    pty.wait_for("the edit", |c| c.contains("13 / 15 s"));
    // The folder goes away under the editor (an unmounted share, a removed checkout):
    // neither the board nor a copy beside it can be written. (A read-only folder does the
    // same, but root writes into one anyway.)
    std::fs::remove_dir_all(&folder).unwrap();
    pty.signal(rustix::process::Signal::HUP);
    let status = pty.wait();
    assert_eq!(status.code(), Some(129), "{status:?}");
    drop(pty);
    let rescued: Vec<_> = std::fs::read_dir(dir.path().join("data/rescued"))
        .expect("a rescued folder in the data dir")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(rescued.len(), 1, "{rescued:?}");
    let name = rescued[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("noir-"), "{name}");
    let kept = shotdeck::files::board_file::load(&rescued[0]).unwrap();
    assert_eq!(kept.shots.iter().map(|s| s.duration).sum::<f64>(), 13.0);
    // The next start says where they went, once.
    let other = noir_in(dir.path());
    let mut next = open_editor(dir.path(), &other);
    next.wait_for("the rescue note", |c| c.contains("unsaved edits of"));
    next.send(b"q");
    next.wait();
    let log = std::fs::read_to_string(dir.path().join("state/shotdeck.log")).unwrap_or_default();
    assert!(log.contains(&name), "the log names the copy: {log}");
}
