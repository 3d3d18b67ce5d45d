//! The real binary in a pseudo-terminal: `shotdeck BOARD` opens the editor, a typed prompt
//! is saved on quit, and a board that does not parse is refused with its line and column
//! (and left untouched). The screen is read through a terminal emulator (vt100), because
//! ratatui writes only the cells that change.

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
                Ok(n) => self.parser.process(&buf[..n]),
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
