//! shotdeck against another terminal client in one loop: `SLUMBER_BIN=/path/to/slumber
//! cargo bench --bench terminal` alternates launches of `shotdeck --demo BOARD` and of
//! slumber on a small collection written here, both in the same 80×24 pty harness, and
//! prints the time to the first complete frame and the resident memory one second later,
//! with shotdeck's share of slumber's. Without `SLUMBER_BIN` nothing of this runs.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::pty::{Pty, board_dir, full_frame, median, memory_kb};

/// Enough for a first frame with a profile and two recipes; nothing is sent anywhere.
const COLLECTION: &str = r#"profiles:
  local:
    name: Local
    data:
      host: http://127.0.0.1:9
requests:
  list_shots:
    method: GET
    url: "{{ host }}/shots"
  get_shot:
    method: GET
    url: "{{ host }}/shots/1"
"#;

/// Slumber's first frame lists the collection's recipes.
fn slumber_frame(screen: &str) -> bool {
    screen.contains("list_shots") && screen.contains("get_shot")
}

struct Launch {
    first_frame: Duration,
    rss_kb: u64,
}

fn measure(mut pty: Pty, started: std::time::Instant, frame: fn(&str) -> bool) -> Launch {
    let at = pty.wait_for("the first frame", frame);
    // Startup work after the frame (the engine, the simulator) counts in the memory.
    pty.settle(Duration::from_millis(200));
    std::thread::sleep(Duration::from_secs(1));
    let rss_kb = memory_kb(pty.pid).0;
    pty.quit_within(Duration::from_secs(2));
    Launch {
        first_frame: at - started,
        rss_kb,
    }
}

fn shotdeck() -> Launch {
    let (dir, board) = board_dir();
    let (pty, started) = Pty::spawn(dir.path(), &["--demo", board.to_str().unwrap()]);
    measure(pty, started, full_frame)
}

fn slumber(bin: &Path) -> Launch {
    let dir = tempfile::tempdir().expect("a temp dir");
    let collection = dir.path().join("slumber.yml");
    std::fs::write(&collection, COLLECTION).expect("write the collection");
    let mut cmd = Command::new(bin);
    cmd.arg("-f")
        .arg(&collection)
        .current_dir(dir.path())
        .env("SLUMBER_CONFIG_PATH", dir.path().join("config.yml"))
        .env("SLUMBER_DATA_DIRECTORY", dir.path().join("data"))
        .env("HOME", dir.path());
    let (pty, started) = Pty::spawn_command(cmd);
    measure(pty, started, slumber_frame)
}

/// Runs `launches` alternating pairs and prints the comparison.
pub fn against_slumber(bin: &Path, launches: usize) {
    let (mut ours, mut theirs) = (vec![], vec![]);
    for _ in 0..launches {
        ours.push(shotdeck());
        theirs.push(slumber(bin));
    }
    let ms = |v: &[Launch]| -> (f64, f64) {
        let t: Vec<Duration> = v.iter().map(|l| l.first_frame).collect();
        let min = *t.iter().min().unwrap();
        (median(t).as_secs_f64() * 1e3, min.as_secs_f64() * 1e3)
    };
    let mb = |v: &[Launch]| -> (f64, f64) {
        let kb: Vec<u64> = v.iter().map(|l| l.rss_kb).collect();
        let min = *kb.iter().min().unwrap();
        (median(kb) as f64 / 1024.0, min as f64 / 1024.0)
    };
    let (our_ms, our_min_ms) = ms(&ours);
    let (their_ms, their_min_ms) = ms(&theirs);
    let (our_mb, our_min_mb) = mb(&ours);
    let (their_mb, their_min_mb) = mb(&theirs);
    println!();
    println!(
        "shotdeck --demo vs slumber ({}), {launches} alternating launches each, 80x24 pty",
        bin.display()
    );
    println!("| measure | shotdeck | slumber | ratio | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| first frame, median (min) | {our_ms:.1} ms ({our_min_ms:.1}) | {their_ms:.1} ms ({their_min_ms:.1}) | {:.2}× ({:.2}×) | ≤ 0.7× |",
        our_ms / their_ms,
        our_min_ms / their_min_ms
    );
    println!(
        "| VmRSS 1 s after it, median (min) | {our_mb:.1} MB ({our_min_mb:.1}) | {their_mb:.1} MB ({their_min_mb:.1}) | {:.2}× | ≤ 0.9× |",
        our_mb / their_mb
    );
    let list = |v: &[Launch]| {
        v.iter()
            .map(|l| format!("{:.1}", l.first_frame.as_secs_f64() * 1e3))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "first frames in launch order (ms): shotdeck {}",
        list(&ours)
    );
    println!(
        "first frames in launch order (ms): slumber  {}",
        list(&theirs)
    );
}
