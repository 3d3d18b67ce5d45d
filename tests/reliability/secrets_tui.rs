//! The editor is the one front end that writes `shotdeck.log`: run it in a pseudo-terminal
//! with `SHOTDECK_LOG=trace` and distinctive keys, submit a board to the simulated backend,
//! wait for the video, quit, and read every file it left.

#![cfg(unix)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Session;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use shotdeck::engine::events::JobPhase;
use shotdeck::engine::store::{ListFilter, Store};
use shotdeck::sim::{Faults, SimConfig, SimServer};

use crate::secrets_cli::{ACCESS, API_KEY, SECRET, assert_no_secret, scan_tree, sentinel_keys};

const BOUND: Duration = Duration::from_secs(20);

struct Screen {
    session: OsSession,
    parser: vt100::Parser,
}

impl Screen {
    /// Reads output until `done` holds for the screen or the world, or fails after BOUND.
    fn until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + BOUND;
        let mut buf = [0u8; 65536];
        loop {
            let contents = self.parser.screen().contents();
            if done(&contents) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{contents}"
            );
            match self.session.try_read(&mut buf) {
                Ok(n) if n > 0 => self.parser.process(&buf[..n]),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    /// Drains output (a full pty would block the exiting editor) until it exits.
    fn exit_status(&mut self) -> WaitStatus {
        let deadline = Instant::now() + BOUND;
        let mut buf = [0u8; 65536];
        loop {
            // `status` reaps the child once it has exited, so it is asked exactly once then.
            let status = self.session.get_process().status().unwrap();
            if status != WaitStatus::StillAlive {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the editor did not exit:\n{}",
                self.parser.screen().contents()
            );
            match self.session.try_read(&mut buf) {
                Ok(n) if n > 0 => self.parser.process(&buf[..n]),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.session.write_all(bytes).unwrap();
        self.session.flush().unwrap();
    }
}

fn job_done(store: &Path) -> bool {
    let Ok(store) = Store::open(store) else {
        return false;
    };
    store
        .list(&ListFilter::default())
        .is_ok_and(|jobs| jobs.iter().any(|v| v.phase == JobPhase::Done))
}

#[test]
fn the_editors_trace_log_never_holds_a_key() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let config = SimConfig {
        keys: sentinel_keys(),
        task_seconds: 0.3,
        faults: Faults::default(),
    };
    let sim = rt
        .block_on(SimServer::start(config, "127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("single.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/single-shot.json"),
        &board,
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shotdeck"));
    cmd.arg(&board)
        .args(["--provider", "kling"])
        .env("SHOTDECK_CONFIG_DIR", dir.path().join("config"))
        .env("SHOTDECK_STATE_DIR", dir.path().join("state"))
        .env("SHOTDECK_DATA_DIR", dir.path().join("data"))
        .env("SHOTDECK_LOG", "trace")
        .env("KLING_API_BASE", sim.base_url())
        .env("SHOTDECK_GATEWAY_URL", sim.base_url())
        .env("KLING_ACCESS_KEY", ACCESS)
        .env("KLING_SECRET_KEY", SECRET)
        .env("KLING_API_KEY", API_KEY)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    let mut session = Session::spawn(cmd).unwrap();
    session.get_process_mut().set_window_size(100, 30).unwrap();
    let mut s = Screen {
        session,
        parser: vt100::Parser::new(30, 100, 0),
    };
    s.until("the editor", |c| c.contains("Shots"));
    s.send(b"S");
    s.until("the submit confirmation", |c| c.contains("Submit?"));
    s.send(b"y");
    let store = dir.path().join("data/jobs.sqlite3");
    s.until("the job to finish", |_| job_done(&store));
    // The store may be ahead of the screen: quitting with a job still shown in flight asks.
    s.until("the editor to show it done", |c| c.contains("✓ done"));
    let screen = s.parser.screen().contents();
    assert_no_secret("the editor's screen", &screen);
    s.send(b"q");
    let status = s.exit_status();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");

    let log = std::fs::read_to_string(dir.path().join("state/shotdeck.log")).unwrap();
    assert!(
        log.contains("TRACE") && log.contains("hyper"),
        "trace logging of the HTTP stack was on: {log}"
    );
    assert!(
        scan_tree(dir.path()) >= 3,
        "board, store and log were scanned"
    );
    assert_eq!(sim.stats().creates_accepted, 1);
}
