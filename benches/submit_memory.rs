//! Peak resident memory of a submit: `shotdeck submit BOARD --yes` of a reference board
//! with seven ~9.7 MB images (a ~91 MB request body), against the simulated Kling backend
//! on 127.0.0.1. `cargo bench --bench submit_memory`
//!
//! The submit runs in a child process (this bench started again with `CHILD_ENV` set),
//! which calls the same `cli::run` as the binary and then prints its own VmHWM from
//! /proc/self/status: the simulator that receives the body lives in the parent, so its
//! memory is not counted. A text board (no images) gives the baseline a submit costs.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

use shotdeck::core::compose::compose;
use shotdeck::core::{Board, Provider};
use shotdeck::files::image_probe::FileImages;
use shotdeck::sim::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, SimConfig, SimServer};

/// Set in the child: the board it submits.
const CHILD_ENV: &str = "SHOTDECK_BENCH_SUBMIT_BOARD";
const IMAGES: usize = 7;
/// Under the 10 MB a reference image may have.
const IMAGE_BYTES: usize = 9_700_000;
/// Launches per board: the peak is the median.
const RUNS: usize = 3;

/// A PNG of `IMAGE_BYTES`: a real header (so the board validates and the backend takes it
/// as a PNG) followed by bytes that do not compress, as a photo's do not.
fn write_image(path: &Path, seed: u64) {
    let header =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/images/detective.png"))
            .expect("read the example image");
    let mut bytes = header;
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while bytes.len() < IMAGE_BYTES {
        // xorshift64: cheap, incompressible enough.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(IMAGE_BYTES);
    std::fs::write(path, bytes).expect("write an image");
}

/// A multi-shot reference board naming `IMAGES` local images (or a text board).
fn write_board(dir: &Path, with_images: bool) -> PathBuf {
    std::fs::create_dir_all(dir.join("images")).expect("an images folder");
    let mut refs = Vec::new();
    for i in 0..IMAGES {
        if with_images {
            let name = format!("images/ref-{i}.png");
            write_image(&dir.join(&name), i as u64 + 1);
            refs.push(name);
        }
    }
    let names: Vec<String> = (1..=refs.len())
        .map(|k| format!("<<<image_{k}>>>"))
        .collect();
    let board = serde_json::json!({
        "version": 1,
        "title": "Seven references",
        "mode": if with_images { "reference" } else { "text" },
        "quality": "std",
        "aspect_ratio": "16:9",
        "multi_shot": true,
        "references": refs,
        "shots": [
            { "prompt": format!("{} walk down a platform.", names.join(", ")).trim_start_matches(", ").to_string(), "duration": 4 },
            { "prompt": "Rain drums on the umbrella; the crowd parts.", "duration": 4 }
        ]
    });
    let path = dir.join(if with_images {
        "refs.json"
    } else {
        "text.json"
    });
    std::fs::write(&path, board.to_string()).expect("write the board");
    path
}

/// The request body's size as it goes on the wire.
fn body_bytes(board_path: &Path) -> usize {
    let text = std::fs::read_to_string(board_path).expect("read the board");
    let board: Board = serde_json::from_str(&text).expect("parse the board");
    let images = FileImages {
        board_dir: board_path.parent().expect("a folder").to_path_buf(),
    };
    let request = compose(&board, Provider::Kling, &images, "shotdeck-bench").expect("compose");
    serde_json::to_vec(&request.body).expect("serialize").len()
}

/// The child: submit, then report this process's peak.
fn child(board: &str) {
    let args = ["shotdeck", "submit", board, "--yes", "--provider", "kling"];
    let cli = shotdeck::cli::parse(args.map(std::ffi::OsString::from)).expect("parse the args");
    let code = shotdeck::cli::run(cli);
    let status = std::fs::read_to_string("/proc/self/status").expect("read status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map_or("?", |v| v.trim().trim_end_matches(" kB"))
            .to_string()
    };
    println!(
        "peak-kb {} rss-kb {} exit {code:?}",
        field("VmHWM"),
        field("VmRSS")
    );
}

/// One child submit of `board` with `dir` as its home; its VmHWM in kB.
fn run_child(dir: &Path, board: &Path, sim_url: &str) -> u64 {
    let out = Command::new(std::env::current_exe().expect("this bench's path"))
        .arg("--bench")
        .env(CHILD_ENV, board)
        .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
        .env("SHOTDECK_DATA_DIR", dir.join("data"))
        .env("SHOTDECK_STATE_DIR", dir.join("state"))
        .env("KLING_API_BASE", sim_url)
        .env("KLING_ACCESS_KEY", DEMO_ACCESS_KEY)
        .env("KLING_SECRET_KEY", DEMO_SECRET_KEY)
        .env("KLING_API_KEY", DEMO_API_KEY)
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("peak-kb "))
        .unwrap_or_else(|| {
            panic!(
                "the child printed no peak:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert!(
        line.ends_with("exit ExitCode(unix_exit_status(0))"),
        "the submit failed: {line}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    line.split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a peak in kB")
}

fn main() {
    if let Some(board) = std::env::var_os(CHILD_ENV) {
        return child(&board.to_string_lossy());
    }
    if !std::env::args().any(|a| a == "--bench") {
        println!("submit_memory: measured only under `cargo bench --bench submit_memory`");
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let sim = rt.block_on(async {
        let config = SimConfig {
            task_seconds: 600.0,
            ..SimConfig::default()
        };
        SimServer::start(config, "127.0.0.1:0".parse().expect("an address"))
            .await
            .expect("start the simulated backend")
    });
    let url = sim.base_url();
    let dir = tempfile::tempdir().expect("a temp dir");
    let refs = write_board(dir.path(), true);
    let text = write_board(dir.path(), false);
    let body = body_bytes(&refs) as f64 / 1e6;
    let peaks = |board: &Path| {
        let mut v: Vec<u64> = (0..RUNS)
            .map(|_| run_child(dir.path(), board, &url))
            .collect();
        v.sort_unstable();
        v
    };
    let base = peaks(&text);
    let with = peaks(&refs);
    // Megabytes of 10^6 bytes, like the body's size.
    let mb = |kb: u64| kb as f64 * 1024.0 / 1e6;
    let (base_mb, with_mb) = (mb(base[RUNS / 2]), mb(with[RUNS / 2]));
    println!(
        "`shotdeck submit --yes` to the simulated Kling backend, VmHWM of the submitting process \
         (median of {RUNS})"
    );
    println!("| board | request body | peak VmHWM | peak / body |");
    println!("|---|---|---|---|");
    println!("| text, no images | < 1 kB | {base_mb:.1} MB | |");
    println!(
        "| reference, {IMAGES} images of {:.1} MB | {body:.1} MB | {with_mb:.1} MB | {:.2}× |",
        IMAGE_BYTES as f64 / 1e6,
        with_mb / body
    );
    println!(
        "above the text board's peak: {:.1} MB ({:.2}× the body)",
        with_mb - base_mb,
        (with_mb - base_mb) / body
    );
    let list = |v: &[u64]| {
        v.iter()
            .map(|kb| format!("{:.1}", mb(*kb)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "peaks, sorted (MB): text {}; reference {}",
        list(&base),
        list(&with)
    );
    rt.block_on(sim.shutdown());
}
