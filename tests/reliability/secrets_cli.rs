//! The real binary with distinctive keys: whatever it prints, logs or stores, in success
//! and in failure, never contains a key (or an auth header carrying one).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use shotdeck::sim::{Faults, SimConfig, SimKeys, SimServer};
use tempfile::TempDir;

pub const ACCESS: &str = "AK-sentinel-123";
pub const SECRET: &str = "SK-sentinel-456";
pub const API_KEY: &str = "sk-gw-sentinel-789";

pub fn sentinel_keys() -> SimKeys {
    SimKeys {
        access_key: ACCESS.into(),
        secret_key: SECRET.into(),
        api_key: API_KEY.into(),
    }
}

/// Fails naming `place` if `text` holds a key or an `Authorization` value.
pub fn assert_no_secret(place: &str, text: &str) {
    for key in [ACCESS, SECRET, API_KEY] {
        assert!(!text.contains(key), "{place} contains the key {key}");
    }
    assert!(!text.contains("Bearer "), "{place} contains an auth header");
}

/// Every file under `dir`, recursively, read as (lossy) text and checked.
pub fn scan_tree(dir: &Path) -> usize {
    let mut scanned = 0;
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            // A WAL or shared-memory file may vanish as its last connection closes.
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            assert_no_secret(
                &path.display().to_string(),
                &String::from_utf8_lossy(&bytes),
            );
            scanned += 1;
        }
    }
    scanned
}

struct Cli {
    sim: SimServer,
    dir: TempDir,
}

impl Cli {
    async fn start() -> Cli {
        let config = SimConfig {
            keys: sentinel_keys(),
            task_seconds: 0.3,
            faults: Faults::default(),
        };
        let sim = SimServer::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        Cli {
            sim,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn board(&self) -> PathBuf {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let boards = self.dir.path().join("boards");
        std::fs::create_dir_all(boards.join("images")).unwrap();
        for img in ["detective.png", "street-first-frame.png"] {
            std::fs::copy(
                examples.join("images").join(img),
                boards.join("images").join(img),
            )
            .unwrap();
        }
        let to = boards.join("image-to-video.json");
        std::fs::copy(examples.join("image-to-video.json"), &to).unwrap();
        to
    }

    /// Runs the binary with the sentinel keys (or `keys`), trace logging on, and checks
    /// its stdout and stderr.
    async fn run_with(&self, keys: &SimKeys, args: &[&str]) -> Output {
        let dir = self.dir.path();
        let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"))
            .args(args)
            .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
            .env("SHOTDECK_DATA_DIR", dir.join("data"))
            .env("SHOTDECK_STATE_DIR", dir.join("state"))
            .env("SHOTDECK_LOG", "trace")
            .env("RUST_BACKTRACE", "1")
            .env("KLING_API_BASE", self.sim.base_url())
            .env("SHOTDECK_GATEWAY_URL", self.sim.base_url())
            .env("KLING_ACCESS_KEY", &keys.access_key)
            .env("KLING_SECRET_KEY", &keys.secret_key)
            .env("KLING_API_KEY", &keys.api_key)
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(30), run)
            .await
            .expect("the command finishes")
            .expect("the binary runs");
        let what = format!("`shotdeck {}`", args.join(" "));
        assert_no_secret(
            &format!("stdout of {what}"),
            &String::from_utf8_lossy(&out.stdout),
        );
        assert_no_secret(
            &format!("stderr of {what}"),
            &String::from_utf8_lossy(&out.stderr),
        );
        out
    }

    async fn run(&self, args: &[&str]) -> Output {
        self.run_with(&sentinel_keys(), args).await
    }
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn no_command_prints_logs_or_stores_a_key() {
    let cli = Cli::start().await;
    let board = cli.board();
    let board = board.to_str().unwrap();
    for provider in ["kling", "gateway"] {
        ok(&cli.run(&["compose", board, "--provider", provider]).await);
        ok(&cli
            .run(&["compose", board, "--provider", provider, "--embed-images"])
            .await);
        ok(&cli
            .run(&["submit", board, "--provider", provider, "--yes", "--wait"])
            .await);
    }
    for args in [
        &["validate", board][..],
        &["jobs"],
        &["jobs", "--json"],
        &["jobs", "show", "1"],
        &["jobs", "show", "2", "--json"],
        &["jobs", "wait", "1"],
        &["download", "2"],
    ] {
        ok(&cli.run(args).await);
    }

    // Wrong keys: the failures name the auth code, never the key that was tried.
    for (provider, wrong) in [
        (
            "kling",
            SimKeys {
                secret_key: "SK-sentinel-456-but-wrong".into(),
                ..sentinel_keys()
            },
        ),
        (
            "gateway",
            SimKeys {
                api_key: "sk-gw-sentinel-789-but-wrong".into(),
                ..sentinel_keys()
            },
        ),
    ] {
        let out = cli
            .run_with(
                &wrong,
                &["submit", board, "--provider", provider, "--yes", "--wait"],
            )
            .await;
        assert!(
            !out.status.success(),
            "{provider}: wrong keys were accepted"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("but-wrong"), "{provider}: {err}");
    }
    ok(&cli.run(&["jobs", "--json"]).await);

    // Every file the commands left: config, job store (db, -wal, -shm), logs, videos.
    assert!(scan_tree(cli.dir.path()) >= 3);
    assert_eq!(cli.sim.stats().creates_accepted, 2);
}
