//! What the headless commands print when the text comes from outside: a provider's status
//! and error messages and task ids reach the terminal only as visible escapes, and a reader
//! that closes the pipe early ends the output quietly instead of panicking.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use shotdeck::core::{Board, Provider, compose, compose::PlaceholderImages};
use shotdeck::engine::events::{JobError, JobPhase};
use shotdeck::engine::store::{JobChange, NewJob, STORE_FILE, Store, now_ms};

/// Terminal control an attacker would like to reach the user's terminal: a clipboard write
/// (OSC 52), a window title (OSC 0), a screen clear and an 8-bit CSI.
const HOSTILE: &str = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\x1b[2J\u{9b}31mboom";

fn shotdeck(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotdeck"));
    c.args(args)
        .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
        .env("SHOTDECK_DATA_DIR", dir.join("data"))
        .env("SHOTDECK_STATE_DIR", dir.join("state"))
        .env_remove("KLING_ACCESS_KEY")
        .env_remove("KLING_SECRET_KEY")
        .env_remove("KLING_API_KEY");
    c
}

/// The board the jobs below belong to, as the store names it.
fn board_path(dir: &Path) -> PathBuf {
    let boards = dir.join("boards");
    std::fs::create_dir_all(&boards).unwrap();
    std::fs::write(boards.join("noir.json"), "{}").unwrap();
    shotdeck::files::board_file::identity(&boards.join("noir.json"))
}

/// A store holding one failed job whose every remote text is hostile.
fn store_with_hostile_job(dir: &Path) -> i64 {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut store = Store::open(&data.join(STORE_FILE)).unwrap();
    let board = Board::starter();
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let ext = &format!("shotdeck-hostile-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let request = compose(&board, Provider::Kling, &PlaceholderImages, ext).unwrap();
    let job = NewJob {
        board_key: None,
        board_path: board_path(dir),
        board,
        provider: Provider::Kling,
        request,
        external_task_id: ext.into(),
        estimated_usd: Some(1.01),
        retry_of: None,
    };
    let now = now_ms();
    let id = store.insert_job(&job, "test", now + 60_000, now).unwrap();
    let change = JobChange {
        phase: Some(JobPhase::Failed),
        task_id: Some(format!("8675309{HOSTILE}")),
        status_msg: Some(Some(format!("status {HOSTILE}"))),
        error: Some(Some(JobError {
            code: Some(format!("1301{HOSTILE}")),
            message: format!("failed {HOSTILE}"),
            retryable: false,
        })),
        units_charged: Some(format!("3{HOSTILE}")),
        stalled: None,
        note: Some(format!("the provider failed the task: {HOSTILE}")),
    };
    store.apply(id, "test", &change, now).unwrap().unwrap();
    id
}

fn assert_inert(what: &str, out: &Output) {
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !bytes.contains(&0x1b) && !bytes.contains(&0x07),
            "{what}: {name} carries a raw ESC or BEL: {:?}",
            String::from_utf8_lossy(bytes)
        );
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains('\u{9b}'), "{what}: {name} carries a raw CSI");
    }
}

#[test]
fn remote_text_reaches_the_terminal_only_as_visible_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let id = store_with_hostile_job(dir.path()).to_string();

    let show = shotdeck(dir.path(), &["jobs", "show", &id])
        .output()
        .unwrap();
    assert!(show.status.success(), "{show:?}");
    assert_inert("jobs show", &show);
    let text = String::from_utf8_lossy(&show.stdout);
    // Escaped, not dropped: the user sees what the server sent.
    assert!(text.contains("\\x1b]52;c;cm0gLXJmIH4=\\x07"), "{text}");
    assert!(text.contains("status    status \\x1b]52"), "{text}");
    assert!(text.contains("task      8675309\\x1b"), "{text}");

    let list = shotdeck(dir.path(), &["jobs"]).output().unwrap();
    assert!(list.status.success(), "{list:?}");
    assert_inert("jobs", &list);
    assert!(String::from_utf8_lossy(&list.stdout).contains("failed \\x1b]52"));

    // JSON escapes control characters itself and stays machine-readable.
    let json = shotdeck(dir.path(), &["jobs", "show", &id, "--json"])
        .output()
        .unwrap();
    assert_inert("jobs show --json", &json);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["status_msg"], format!("status {HOSTILE}"));
}

#[test]
fn a_reader_that_leaves_early_ends_the_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..40 {
        store_with_hostile_job(dir.path());
    }
    for args in [
        &["jobs", "--json"][..],
        &["jobs"][..],
        &["jobs", "show", "1"][..],
    ] {
        let mut child = shotdeck(dir.path(), args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -c 1`: read one byte, then close the pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).unwrap();
        drop(stdout);
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{args:?}: {status:?} {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[test]
fn output_that_cannot_be_written_is_a_failure() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    store_with_hostile_job(dir.path());
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = shotdeck(dir.path(), &["jobs", "--json"])
        .stdout(full)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_timeout_too_large_for_the_clock_means_no_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let id = store_with_hostile_job(dir.path()).to_string();
    // The job is failed: waiting ends at once, whatever the timeout; it must not overflow.
    let out = shotdeck(
        dir.path(),
        &["jobs", "wait", &id, "--timeout", "18446744073709551615"],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 4: the provider had accepted the task (it has a task id) before failing it.
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("failed"), "{stderr}");
}

#[test]
fn jobs_of_a_board_are_found_however_the_board_is_named() {
    let dir = tempfile::tempdir().unwrap();
    store_with_hostile_job(dir.path());
    let boards = dir.path().join("boards");
    for name in ["noir.json", "./noir.json", "../boards/noir.json"] {
        let out = shotdeck(dir.path(), &["jobs", "--json", "--board", name])
            .current_dir(&boards)
            .output()
            .unwrap();
        let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(jobs.as_array().map(Vec::len), Some(1), "{name}: {jobs}");
    }
}
