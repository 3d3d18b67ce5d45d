//! The real binary in a pseudo-terminal: `shotdeck BOARD` opens the editor, a typed prompt
//! is saved on quit, and a board that does not parse is refused with its line and column
//! (and left untouched). The terminal going away (SIGHUP, SIGTERM) keeps what was typed and
//! restores the terminal; a burst of typing arrives whole; a second shotdeck on a board
//! opens it read-only; a change on disk is taken silently while clean and asked about while
//! there are unsaved edits; ctrl-z and `fg` under bash bring it back drawn whole. The
//! screen is read through a terminal emulator (vt100), because ratatui writes only the
//! cells that change.

#![cfg(unix)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Session;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;

fn command(dir: &Path, board: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotdeck"));
    c.arg(board)
        .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
        .env("SHOTDECK_STATE_DIR", dir.join("state"))
        .env("SHOTDECK_DATA_DIR", dir.join("data"))
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    c
}

struct Screen {
    session: OsSession,
    parser: vt100::Parser,
    /// Every byte the program wrote, for the sequences that leave no trace on the screen.
    raw: Vec<u8>,
}

/// The editor on `board` in an 80×24 pseudo-terminal, once it has drawn.
fn open_editor(dir: &Path, board: &Path) -> Screen {
    open_command(command(dir, board))
}

/// `cmd` (the editor, as [`command`] builds it and then changed) in an 80×24
/// pseudo-terminal, once it has drawn.
fn open_command(cmd: Command) -> Screen {
    let mut session = Session::spawn(cmd).unwrap();
    session.get_process_mut().set_window_size(80, 24).unwrap();
    let mut s = Screen {
        session,
        parser: vt100::Parser::new(24, 80, 0),
        raw: Vec::new(),
    };
    s.wait_for("the editor", |c| c.contains("1 Shots"));
    s
}

fn noir_in(dir: &Path) -> std::path::PathBuf {
    let board = dir.join("noir.json");
    std::fs::copy("examples/noir-3-shot.json", &board).unwrap();
    board
}

impl Screen {
    /// Reads output until `pred` holds for the screen contents, or fails after 10 s.
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
            match self.session.try_read(&mut buf) {
                Ok(0) => std::thread::sleep(Duration::from_millis(10)),
                Ok(n) => {
                    self.parser.process(&buf[..n]);
                    self.raw.extend_from_slice(&buf[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.session.write_all(bytes).unwrap();
        self.session.flush().unwrap();
    }

    fn signal(&mut self, sig: rustix::process::Signal) {
        let pid = self.session.get_process().pid().as_raw();
        let pid = rustix::process::Pid::from_raw(pid).unwrap();
        rustix::process::kill_process(pid, sig).unwrap();
    }

    /// Reads whatever the program wrote so far (a full pty would block its frames).
    fn pump(&mut self) -> bool {
        let mut buf = [0u8; 65536];
        let mut any = false;
        while let Ok(n @ 1..) = self.session.try_read(&mut buf) {
            self.parser.process(&buf[..n]);
            self.raw.extend_from_slice(&buf[..n]);
            any = true;
        }
        any
    }

    /// Waits for the program to exit, keeping everything it wrote.
    fn wait_exit(&mut self) -> WaitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.pump();
            let status = self.session.get_process().status();
            if let Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) = status {
                // What it wrote just before exiting may still be in the pty.
                for _ in 0..20 {
                    if !self.pump() {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
                return status.unwrap();
            }
            assert!(Instant::now() < deadline, "the editor did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn edit_a_prompt_and_quit_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("noir.json");
    std::fs::copy("examples/noir-3-shot.json", &board).unwrap();
    let mut session = Session::spawn(command(dir.path(), &board)).unwrap();
    session.get_process_mut().set_window_size(80, 24).unwrap();
    let mut s = Screen {
        session,
        parser: vt100::Parser::new(24, 80, 0),
        raw: Vec::new(),
    };
    s.wait_for("the editor", |c| {
        c.contains("1 Shots") && c.contains("12 / 15 s")
    });
    s.send(b"\r");
    s.wait_for("the prompt editor", |c| c.contains("negative"));
    s.send(b" Rain.");
    s.wait_for("the typed text", |c| c.contains("Rain."));
    s.send(b"\x1b");
    s.wait_for("the shot list", |c| c.contains("a add"));
    s.send(b"q");
    let status = s.session.get_process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
    let saved = shotdeck::files::board_file::load(&board).unwrap();
    assert!(
        saved.shots[0].prompt.ends_with("Slow dolly forward. Rain."),
        "{}",
        saved.shots[0].prompt
    );
    // Logs went to the state dir, not the screen.
    assert!(dir.path().join("state/shotdeck.log").exists());
}

#[test]
fn a_broken_board_is_refused_with_its_position_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("broken.json");
    let text = "{\n  \"version\": 1,\n  \"shots\": [\n    { \"prompt\": \"a\", }\n  ]\n}\n";
    std::fs::write(&board, text).unwrap();
    let out = command(dir.path(), &board).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json:4:"), "{err}");
    assert_eq!(std::fs::read_to_string(&board).unwrap(), text);
}

#[test]
fn submit_on_a_terminal_asks_with_the_price_and_a_no_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("noir.json");
    std::fs::copy("examples/noir-3-shot.json", &board).unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotdeck"));
    c.arg("submit")
        .arg(&board)
        .env("SHOTDECK_CONFIG_DIR", dir.path().join("config"))
        .env("SHOTDECK_STATE_DIR", dir.path().join("state"))
        .env("SHOTDECK_DATA_DIR", dir.path().join("data"))
        // Nothing listens there: a "no" must not even try.
        .env("KLING_API_BASE", "http://127.0.0.1:9")
        .env("KLING_ACCESS_KEY", "ak-test")
        .env("KLING_SECRET_KEY", "sk-test-secret");
    let mut session = Session::spawn(c).unwrap();
    let mut s = Screen {
        session: {
            session.get_process_mut().set_window_size(120, 24).unwrap();
            session
        },
        parser: vt100::Parser::new(24, 120, 0),
        raw: Vec::new(),
    };
    s.wait_for("the question", |c| c.contains("send it? [y/N]"));
    let asked = s.parser.screen().contents();
    assert!(asked.contains("kling: ≈ $"), "{asked}");
    s.send(b"n\r");
    s.wait_for("the answer", |c| c.contains("not sent"));
    let status = s.session.get_process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 2)), "{status:?}");
    // No job was recorded.
    assert!(!dir.path().join("data/jobs.sqlite3").exists());
}

#[test]
fn sighup_saves_what_was_just_typed() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let mut s = open_editor(dir.path(), &board);
    s.send(b"\r");
    s.wait_for("the prompt editor", |c| c.contains("negative"));
    s.send(b" Hangup.");
    s.wait_for("the typed text", |c| c.contains("Hangup."));
    // Well inside the 400 ms autosave delay: only the signal handler can save it.
    s.signal(rustix::process::Signal::HUP);
    let status = s.wait_exit();
    assert!(matches!(status, WaitStatus::Exited(_, 129)), "{status:?}");
    let saved = shotdeck::files::board_file::load(&board).unwrap();
    assert!(
        saved.shots[0].prompt.ends_with("Hangup."),
        "{}",
        saved.shots[0].prompt
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let mut s = open_editor(dir.path(), &board);
    s.signal(rustix::process::Signal::TERM);
    let status = s.wait_exit();
    assert!(matches!(status, WaitStatus::Exited(_, 143)), "{status:?}");
    let out = String::from_utf8_lossy(&s.raw).into_owned();
    let after = &out[out
        .rfind("\x1b[?1049h")
        .expect("entered the alternate screen")..];
    for (what, seq) in [
        ("mouse reporting off", "\x1b[?1000l"),
        ("bracketed paste off", "\x1b[?2004l"),
        ("the alternate screen left", "\x1b[?1049l"),
    ] {
        assert!(after.contains(seq), "{what}: {after:?}");
    }
    assert!(
        after.ends_with("\x1b[?25h"),
        "the cursor shown last: {after:?}"
    );
}

#[test]
fn a_burst_of_typing_arrives_whole_without_another_key() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let mut s = open_editor(dir.path(), &board);
    s.send(b"\r");
    s.wait_for("the prompt editor", |c| c.contains("negative"));
    // 3,000 typed characters in one write, not a bracketed paste.
    s.send(&[b'z'; 3000]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let prompt = shotdeck::files::board_file::load(&board)
            .map(|b| b.shots[0].prompt.clone())
            .unwrap_or_default();
        if prompt.ends_with(&"z".repeat(3000)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "autosave has {} of 3000",
            prompt.matches('z').count()
        );
        s.pump();
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_second_shotdeck_opens_the_board_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let before = std::fs::read_to_string(&board).unwrap();
    let mut first = open_editor(dir.path(), &board);
    let mut second = open_editor(dir.path(), &board);
    second.wait_for("the read-only badge and why", |c| {
        c.contains("READ-ONLY") && c.contains("another shotdeck")
    });
    assert!(!first.parser.screen().contents().contains("READ-ONLY"));
    // An edit there is never autosaved; quitting asks before dropping it.
    second.send(b"+");
    second.wait_for("the edit", |c| c.contains("13 / 15 s"));
    for _ in 0..14 {
        second.pump();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&board).unwrap(), before);
    second.send(b"q");
    second.wait_for("the question", |c| c.contains("read-only"));
    second.send(b"y");
    assert!(matches!(second.wait_exit(), WaitStatus::Exited(_, 0)));
    assert_eq!(std::fs::read_to_string(&board).unwrap(), before);
    // The first one still writes, and its lock goes when it quits.
    first.send(b"-q");
    assert!(matches!(first.wait_exit(), WaitStatus::Exited(_, 0)));
    assert_eq!(
        shotdeck::files::board_file::load(&board).unwrap().shots[0].duration,
        3.0
    );
    assert!(!dir.path().join(".noir.json.shotdeck-lock").exists());
}

#[test]
fn a_change_on_disk_is_reloaded_while_clean_and_asked_about_while_not() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let mut s = open_editor(dir.path(), &board);
    let mut theirs = shotdeck::files::board_file::load(&board).unwrap();
    theirs.shots[1].prompt = "Changed by git pull.".into();
    shotdeck::files::board_file::save(&board, &theirs).unwrap();
    // Focus comes back from the other editor: nothing unsaved here, so it is taken.
    s.send(b"\x1b[I");
    s.wait_for("the reload", |c| {
        c.contains("reloaded noir.json: Shot 2 prompt edited") && c.contains("Changed by git")
    });
    // Changed again while this editor has an unsaved edit: the autosave asks instead.
    theirs.title = "Their title".into();
    shotdeck::files::board_file::save(&board, &theirs).unwrap();
    s.send(b"+");
    s.wait_for("the question", |c| {
        c.contains("Changed on disk") && c.contains("title edited")
    });
    assert_eq!(shotdeck::files::board_file::load(&board).unwrap(), theirs);
    s.send(b"w");
    s.wait_for("the write", |c| c.contains(" saved /"));
    let saved = shotdeck::files::board_file::load(&board).unwrap();
    assert_eq!(saved.shots[0].duration, 5.0);
    assert_ne!(saved.title, "Their title");
    s.send(b"q");
    assert!(matches!(s.wait_exit(), WaitStatus::Exited(_, 0)));
}

#[path = "ui_pty/more.rs"]
mod more;

#[path = "ui_pty/editor.rs"]
mod editor;
