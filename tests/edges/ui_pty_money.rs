//! The editor in a pseudo-terminal, where money is concerned: a bad config.toml is said
//! inside the editor (status line and message log) naming the key, file, line and column,
//! and a broken `[budget]` or missing credentials refuse `S` before the confirmation opens
//! (nothing recorded, nothing logged as submitted). The screen is read through a terminal
//! emulator (vt100), because ratatui writes only the cells that change.

#![cfg(unix)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Session;
use expectrl::session::OsSession;

/// Generous: the machine may be loaded. Waits return as soon as the screen is right.
const WAIT: Duration = Duration::from_secs(20);

struct Screen {
    session: OsSession,
    parser: vt100::Parser,
}

impl Screen {
    /// The editor on a copy of the noir example in `dir`, 100×30, without credentials.
    fn editor(dir: &Path, config_toml: Option<&str>) -> (Screen, PathBuf) {
        let board = dir.join("noir.json");
        std::fs::copy("examples/noir-3-shot.json", &board).unwrap();
        if let Some(toml) = config_toml {
            std::fs::create_dir_all(dir.join("config")).unwrap();
            std::fs::write(dir.join("config/config.toml"), toml).unwrap();
        }
        let mut c = Command::new(env!("CARGO_BIN_EXE_shotdeck"));
        c.arg(&board)
            .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
            .env("SHOTDECK_STATE_DIR", dir.join("state"))
            .env("SHOTDECK_DATA_DIR", dir.join("data"))
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR");
        for var in [
            "KLING_ACCESS_KEY",
            "KLING_SECRET_KEY",
            "KLING_API_KEY",
            "SHOTDECK_GATEWAY_KEY",
        ] {
            c.env_remove(var);
        }
        let mut session = Session::spawn(c).unwrap();
        session.get_process_mut().set_window_size(100, 30).unwrap();
        let mut s = Screen {
            session,
            parser: vt100::Parser::new(30, 100, 0),
        };
        s.wait_for("the editor", &["1 Shots"]);
        (s, board)
    }

    /// Reads output until every text in `all` is on screen, or fails after `WAIT`.
    fn wait_for(&mut self, what: &str, all: &[&str]) {
        let deadline = Instant::now() + WAIT;
        let mut buf = [0u8; 65536];
        loop {
            let contents = self.parser.screen().contents();
            let Some(missing) = all.iter().find(|t| !contents.contains(**t)) else {
                return;
            };
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} ({missing:?} not on screen):\n{contents}"
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

    fn contents(&self) -> String {
        self.parser.screen().contents()
    }
}

/// No job was recorded: the store is absent or empty.
fn no_jobs(dir: &Path) -> bool {
    let path = dir.join("data/jobs.sqlite3");
    !path.exists()
        || shotdeck::engine::store::Store::open(&path)
            .unwrap()
            .list(&Default::default())
            .unwrap()
            .is_empty()
}

#[test]
fn a_bad_config_is_said_in_the_editor_and_a_broken_budget_refuses_submit() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "mouse = \"no\"\n[budget]\nper_job = nan\n";
    let (mut s, _) = Screen::editor(dir.path(), Some(toml));
    s.wait_for("the status line", &["config: "]);
    s.send(b"M");
    s.wait_for(
        "the message log",
        // Wrapped at the log's width: the key names and a position are each on screen.
        // The log's own title too: the status line (wrapped) shows the same words, so
        // without it Esc could be sent before `M` is read and arrive with `S` as alt-S.
        &[
            "Messages · 1",
            "mouse: invalid type",
            "budget.per_job:",
            "column 11",
            "paid actions are refused",
        ],
    );
    s.send(b"\x1b"); // alone: Esc and a key at once would read as alt+key
    s.wait_for("the editor again", &["1 Shots"]);
    s.send(b"S");
    s.wait_for(
        "the refusal",
        &["config.toml must be fixed before anything paid"],
    );
    assert!(!s.contents().contains("Submit?"), "{}", s.contents());
    s.send(b"q");
    assert!(no_jobs(dir.path()));
}

#[test]
fn without_credentials_s_says_which_variables_and_asks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = Screen::editor(dir.path(), None);
    s.send(b"S");
    s.wait_for(
        "the refusal",
        &["cannot submit to kling", "KLING_ACCESS_KEY"],
    );
    let shown = s.contents();
    assert!(!shown.contains("Submit?"), "{shown}");
    s.send(b"M");
    s.wait_for("the message log", &["KLING_API_KEY"]);
    assert!(!s.contents().contains("submitted"), "{}", s.contents());
    s.send(b"\x1b");
    s.wait_for("the editor again", &["1 Shots"]);
    s.send(b"q");
    assert!(no_jobs(dir.path()));
}
