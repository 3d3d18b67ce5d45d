//! The editor against a busy job store and under a job-control shell.

use super::*;

#[test]
fn a_job_store_locked_at_start_is_said_and_opened_once_free() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let store = dir
        .path()
        .join("data")
        .join(shotdeck::engine::store::STORE_FILE);
    drop(shotdeck::engine::store::Store::open(&store).unwrap());
    // Another process holds the store's write lock (a long write, a sqlite3 shell).
    let holder = rusqlite::Connection::open(&store).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let mut s = open_editor(dir.path(), &board);
    s.wait_for("the busy store said", |c| c.contains("job store busy"));
    assert!(!s.parser.screen().contents().contains("no jobs yet"));
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    // Tried again in the background: the real (empty) history arrives.
    s.wait_for("the job list", |c| c.contains("no jobs yet"));
    s.send(b"q");
    assert!(matches!(s.wait_exit(), WaitStatus::Exited(_, 0)));
}

/// Ctrl-Z and `fg` under a real job-control shell: once the shell continues the editor, the
/// whole screen is drawn again at once, before any key.
#[test]
fn fg_brings_the_editor_back_drawn_whole() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let mut shell = Command::new("bash");
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
        raw: Vec::new(),
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
    // No key after `fg`: the frame comes by itself, every pane of it.
    let panes = [
        "1 Shots",
        "2 Prompt",
        "3 Settings",
        "4 Timeline",
        "5 Request",
        "6 Jobs",
    ];
    s.wait_for("the editor drawn again", |c| {
        panes.iter().all(|p| c.contains(p))
    });
    s.send(b"q");
    s.wait_for("the shell again", |c| {
        c.contains("READY$") && !c.contains("1 Shots")
    });
}
