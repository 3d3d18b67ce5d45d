//! Files that are not what they claim: every file shotdeck opens goes through one
//! special-file and size check (a FIFO is never waited on, `/dev/zero` never read to the
//! end), a sidecar's board is validated before it is written, file names are printed only
//! as visible escapes, and a symlinked image is named by the file it leads to.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

fn shotdeck(dir: &Path, args: &[&std::ffi::OsStr]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotdeck"));
    c.args(args)
        .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
        .env("SHOTDECK_DATA_DIR", dir.join("data"))
        .env("SHOTDECK_STATE_DIR", dir.join("state"))
        .env_remove("KLING_ACCESS_KEY")
        .env_remove("KLING_SECRET_KEY")
        .env_remove("KLING_API_KEY")
        .stdin(Stdio::null());
    c
}

/// Runs to the end, or fails the test (instead of hanging it) when the command blocks.
fn run(mut c: Command) -> Output {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A sidecar as the engine writes it beside `job-7.mp4`, holding `board`.
fn sidecar(dir: &Path, board: serde_json::Value) -> PathBuf {
    let path = dir.join("job-7.json");
    let side = json!({
        "shotdeck_sidecar": 1,
        "job_id": 7,
        "board_path": dir.join("noir.json"),
        "board": board,
        "provider": "kling",
        "model": "kling-v3",
        "request": {},
        "external_task_id": "shotdeck-7",
        "task_id": null,
        "cost": {"estimated_usd": null, "units_charged": null, "charged_usd_estimate": null},
        "timings": {"created_at_ms": 0, "submitted_at_ms": null, "succeeded_at_ms": null, "downloaded_at_ms": 0},
        "video": {"file": "job-7.mp4", "bytes": 1, "sha256": "00", "requested_seconds": 12.0,
                  "duration_seconds": null, "duration_mismatch": null},
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&side).unwrap()).unwrap();
    path
}

fn noir() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string("examples/noir-3-shot.json").unwrap()).unwrap()
}

#[test]
fn new_from_refuses_a_sidecar_board_shotdeck_could_not_open_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut newer = noir();
    newer["version"] = json!(99);
    let mut huge = noir();
    huge["shots"][0]["prompt"] = json!("x".repeat(17 << 20));
    for (what, board, says) in [("schema 99", newer, "version 99"), ("30 MB", huge, "bytes")] {
        let side = sidecar(dir.path(), board);
        let to = dir.path().join("back.json");
        let out = run(shotdeck(
            dir.path(),
            &[
                "new".as_ref(),
                to.as_os_str(),
                "--from".as_ref(),
                side.as_os_str(),
            ],
        ));
        assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out));
        assert!(text(&out).contains(says), "{what}: {}", text(&out));
        assert!(!to.exists(), "{what}: nothing is written");
        // Opening the sidecar in the editor refuses it the same way, before any terminal.
        let out = run(shotdeck(dir.path(), &[side.as_os_str()]));
        assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out));
        assert!(!dir.path().join("job-7.board.json").exists(), "{what}");
    }
}

#[test]
fn a_fifo_or_a_device_is_refused_without_blocking_or_reading_forever() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    mkfifo(&fifo);
    let zero = Path::new("/dev/zero");
    for special in [fifo.as_path(), zero] {
        let to = dir.path().join("x.json");
        let out = run(shotdeck(
            dir.path(),
            &[
                "new".as_ref(),
                to.as_os_str(),
                "--from".as_ref(),
                special.as_os_str(),
            ],
        ));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains("not a regular file"), "{}", text(&out));
        // The editor: refused before its terminal is set up.
        let out = run(shotdeck(dir.path(), &[special.as_os_str()]));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let out = run(shotdeck(
            dir.path(),
            &["validate".as_ref(), special.as_os_str()],
        ));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    }
    // A FIFO as config.toml, keymap.toml or credentials.toml is refused, not waited on.
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    for name in ["config.toml", "credentials.toml"] {
        mkfifo(&config.join(name));
    }
    let board = dir.path().join("noir.json");
    std::fs::copy("examples/noir-3-shot.json", &board).unwrap();
    let out = run(shotdeck(
        dir.path(),
        &["validate".as_ref(), board.as_os_str()],
    ));
    assert!(text(&out).contains("not a regular file"), "{}", text(&out));
    let out = run(shotdeck(
        dir.path(),
        &["submit".as_ref(), board.as_os_str(), "--dry-run".as_ref()],
    ));
    assert!(out.status.code().is_some(), "{}", text(&out));
}

#[test]
fn a_fifo_where_the_lock_goes_is_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("noir.json");
    std::fs::copy("examples/noir-3-shot.json", &board).unwrap();
    mkfifo(&dir.path().join(".noir.json.shotdeck-lock"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(shotdeck::files::board_lock::acquire(&board, false));
    });
    let lock = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("taking the lock blocked on the FIFO");
    assert!(
        !matches!(lock, shotdeck::files::board_lock::LockAttempt::Taken(_)),
        "{lock:?}"
    );
}

/// An image and a board whose file names carry terminal control.
const HOSTILE: &str = "\x1b]0;pwned\x07\x1b[2J";

fn assert_inert(what: &str, out: &Output) {
    for bytes in [&out.stdout, &out.stderr] {
        assert!(
            !bytes.contains(&0x1b) && !bytes.contains(&0x07),
            "{what}: a raw ESC or BEL: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn file_names_with_control_characters_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join(format!("b{HOSTILE}.json"));
    let out = run(shotdeck(dir.path(), &["new".as_ref(), board.as_os_str()]));
    assert!(out.status.success(), "{}", text(&out));
    assert_inert("new", &out);
    assert!(text(&out).contains("b\\x1b]0;pwned\\x07"), "{}", text(&out));

    let out = run(shotdeck(
        dir.path(),
        &["validate".as_ref(), board.as_os_str()],
    ));
    assert_inert("validate", &out);
    assert!(text(&out).contains("\\x1b[2J"), "{}", text(&out));

    // A missing image named with escapes: the finding quotes it, escaped.
    let mut b = noir();
    b["first_frame"] = json!(format!("x{HOSTILE}.png"));
    b["multi_shot"] = json!(false);
    std::fs::write(&board, serde_json::to_vec(&b).unwrap()).unwrap();
    for args in [
        vec!["validate".as_ref(), board.as_os_str()],
        vec!["submit".as_ref(), board.as_os_str(), "--dry-run".as_ref()],
    ] {
        let out = run(shotdeck(dir.path(), &args));
        assert_inert(&format!("{args:?}"), &out);
    }
}

#[test]
fn a_symlinked_image_is_confirmed_by_the_file_it_leads_to() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.png");
    std::fs::write(&secret, png()).unwrap();
    let boards = dir.path().join("boards");
    std::fs::create_dir_all(&boards).unwrap();
    std::os::unix::fs::symlink(&secret, boards.join("x.png")).unwrap();
    let mut b = noir();
    b["first_frame"] = json!("x.png");
    let board = boards.join("noir.json");
    std::fs::write(&board, serde_json::to_vec(&b).unwrap()).unwrap();
    let out = run(shotdeck(
        dir.path(),
        &["submit".as_ref(), board.as_os_str(), "--dry-run".as_ref()],
    ));
    let real = std::fs::canonicalize(&secret).unwrap();
    assert!(
        text(&out).contains(&format!("x.png → {}", real.display())),
        "{}",
        text(&out)
    );
    // A file that is where the board says is named as it is.
    std::fs::remove_file(boards.join("x.png")).unwrap();
    std::fs::copy(&secret, boards.join("x.png")).unwrap();
    let out = run(shotdeck(
        dir.path(),
        &["submit".as_ref(), board.as_os_str(), "--dry-run".as_ref()],
    ));
    assert!(!text(&out).contains('→'), "{}", text(&out));
}

/// A PNG large enough for every image rule.
fn png() -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::new(640, 640)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}
