//! Crash safety of board saves: a child process saves two alternating boards as fast as it
//! can and is SIGKILLed at varied moments, many times. After every kill the file must parse
//! and be exactly the old or the new board, and no temp file may be mistaken for the board.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shotdeck::core::{Board, Shot};
use shotdeck::files::board_file;

const CHILD_ENV: &str = "SHOTDECK_CRASH_SAVE_CHILD";

fn version(n: usize) -> Board {
    let mut b = Board::starter();
    b.title = format!("version {n}");
    // Big enough that a torn write would be likely if saves were not atomic.
    b.shots.push(Shot::new("x".repeat(400 + n % 2 * 100), 2));
    b
}

/// In the child: save forever, alternating versions, announcing the first save.
fn child_loop(path: &std::path::Path) -> ! {
    let mut i = 0usize;
    loop {
        board_file::save(path, &version(i % 2)).expect("save");
        if i == 0 {
            println!("saving");
        }
        i += 1;
    }
}

#[test]
fn board_is_old_or_new_after_sigkill_during_save() {
    if let Some(path) = std::env::var_os(CHILD_ENV) {
        child_loop(std::path::Path::new(&path));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("board.json");
    board_file::save(&path, &version(0)).unwrap();
    let expected = [version(0), version(1)];
    let me = std::env::current_exe().unwrap();
    for round in 0..40u64 {
        let mut child = Command::new(&me)
            .args([
                "--exact",
                "board_is_old_or_new_after_sigkill_during_save",
                "--nocapture",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until it is really saving, then kill after a varied delay.
        let mut out = child.stdout.take().unwrap();
        let mut buf = [0u8; 64];
        let started = Instant::now();
        loop {
            use std::io::Read;
            let n = out.read(&mut buf).unwrap();
            if n == 0 || String::from_utf8_lossy(&buf[..n]).contains("saving") {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "child never started saving"
            );
        }
        std::thread::sleep(Duration::from_micros(200 + round * 397 % 5000));
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();

        let board = board_file::load(&path).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(
            expected.contains(&board),
            "round {round}: a board that is neither old nor new"
        );
    }
    // A killed save may leave its temp file behind; it never replaces the board.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name == "board.json" || (name.starts_with(".board.json.") && name.ends_with(".tmp")),
            "{name}"
        );
    }
}
