//! Ctrl-Z and `fg` under a real job-control shell: the editor gives the terminal back, and
//! once the shell continues it, the whole screen is drawn again at once, before any key.

#![cfg(unix)]

use std::io::Write;
use std::time::{Duration, Instant};

use expectrl::Session;
use expectrl::session::OsSession;

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
                Ok(n @ 1..) => self.parser.process(&buf[..n]),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.session.write_all(bytes).unwrap();
        self.session.flush().unwrap();
    }
}

#[test]
fn fg_brings_the_editor_back_drawn_whole() {
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("noir.json");
    std::fs::copy("examples/noir-3-shot.json", &board).unwrap();
    let mut shell = std::process::Command::new("bash");
    shell
        .args(["--norc", "--noprofile", "-i"])
        .env("PS1", "READY$ ")
        .env("SHOTDECK_CONFIG_DIR", dir.path().join("config"))
        .env("SHOTDECK_STATE_DIR", dir.path().join("state"))
        .env("SHOTDECK_DATA_DIR", dir.path().join("data"))
        .env("TERM", "xterm-256color");
    let mut session = Session::spawn(shell).unwrap();
    session.get_process_mut().set_window_size(80, 24).unwrap();
    let mut s = Screen {
        session,
        parser: vt100::Parser::new(24, 80, 0),
    };
    s.wait_for("the shell", |c| c.contains("READY$"));
    let run = format!("{} {}\r", env!("CARGO_BIN_EXE_shotdeck"), board.display());
    s.send(run.as_bytes());
    s.wait_for("the editor", |c| c.contains("1 Shots"));
    s.send(b"\x1a"); // ctrl-z
    s.wait_for("the shell's stop notice", |c| {
        c.contains("Stopped") && !c.contains("1 Shots")
    });
    s.send(b"fg\r");
    // No key after `fg`: the frame must come by itself, every pane of it.
    s.wait_for("the editor drawn again", |c| {
        [
            "1 Shots",
            "2 Prompt",
            "3 Settings",
            "4 Timeline",
            "5 Request",
            "6 Jobs",
        ]
        .iter()
        .all(|p| c.contains(p))
    });
    s.send(b"q");
    s.wait_for("the shell again", |c| {
        c.contains("READY$") && !c.contains("1 Shots")
    });
}
