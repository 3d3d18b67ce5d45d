//! `shotdeck submit`, `jobs` and `download` as the real binary, against a simulated backend
//! started by the test on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use shotdeck::sim::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, Faults, SAMPLE_MP4};
use shotdeck::sim::{SimConfig, SimServer};
use tempfile::TempDir;

mod continues;
mod demo_film;
mod expiring;
mod hostile_names;
mod interrupts;
mod money;
mod paid;
mod sequence;
mod spend_by;
mod takes;
mod turbo_price;
mod unsent;
mod wait_elsewhere;

struct Setup {
    sim: SimServer,
    dir: TempDir,
}

impl Setup {
    async fn new(faults: Faults) -> Setup {
        Setup::with_task_seconds(faults, 0.3).await
    }

    async fn with_task_seconds(faults: Faults, task_seconds: f64) -> Setup {
        let config = SimConfig {
            task_seconds,
            faults,
            ..SimConfig::default()
        };
        let sim = SimServer::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        Setup { sim, dir }
    }

    /// Copies an example board (with its images) into the temp folder.
    fn board(&self, example: &str) -> PathBuf {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let boards = self.dir.path().join("boards");
        std::fs::create_dir_all(boards.join("images")).unwrap();
        for img in ["detective.png", "umbrella.png", "street-first-frame.png"] {
            std::fs::copy(
                examples.join("images").join(img),
                boards.join("images").join(img),
            )
            .unwrap();
        }
        let to = boards.join(example);
        std::fs::copy(examples.join(example), &to).unwrap();
        to
    }

    async fn run(&self, args: &[&str]) -> Output {
        let run = self.command(args).output();
        tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("the command finishes")
            .expect("the binary runs")
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"));
        c.args(args)
            .env("SHOTDECK_CONFIG_DIR", self.dir.path().join("config"))
            .env("SHOTDECK_DATA_DIR", self.dir.path().join("data"))
            .env("SHOTDECK_STATE_DIR", self.dir.path().join("state"))
            .env("KLING_API_BASE", self.sim.base_url())
            .env("SHOTDECK_GATEWAY_URL", self.sim.base_url())
            .env("KLING_ACCESS_KEY", DEMO_ACCESS_KEY)
            .env("KLING_SECRET_KEY", DEMO_SECRET_KEY)
            .env("KLING_API_KEY", DEMO_API_KEY)
            .kill_on_drop(true);
        c
    }
}

/// Waits until job `id` is in `phase` in the store (a process under test writes it).
async fn until_phase(s: &Setup, id: i64, phase: shotdeck::engine::events::JobPhase) {
    let path = s.dir.path().join("data/jobs.sqlite3");
    loop {
        let now = shotdeck::engine::store::Store::open(&path)
            .ok()
            .and_then(|store| store.view(id).ok().flatten())
            .map(|v| v.phase);
        if now == Some(phase) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

#[tokio::test]
async fn submit_wait_downloads_and_the_store_tells_the_story() {
    let s = Setup::new(Faults::default()).await;
    let board = s.board("noir-3-shot.json");
    for (n, provider) in [(1, "kling"), (2, "gateway")] {
        let out = s
            .run(&[
                "submit",
                board.to_str().unwrap(),
                "--provider",
                provider,
                "--yes",
                "--wait",
            ])
            .await;
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let printed = text(&out.stdout).trim().to_string();
        let renders = s.dir.path().join("boards/noir-3-shot.renders");
        let expected = std::path::PathBuf::from(&printed);
        assert_eq!(expected.parent().unwrap(), renders);
        let name = expected.file_name().unwrap().to_string_lossy().into_owned();
        // `<board>-<job id>-<8 characters of the external id>.mp4`
        assert!(name.starts_with(&format!("noir-3-shot-{n}-")), "{name}");
        assert_eq!(name.len(), format!("noir-3-shot-{n}-12345678.mp4").len());
        assert_eq!(std::fs::read(&expected).unwrap(), SAMPLE_MP4);
        let err = text(&out.stderr);
        assert!(err.contains(&format!("job {n}: done")), "{err}");
        assert!(err.contains("downloading 100%"), "{err}");
    }

    let out = s.run(&["jobs", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(jobs.as_array().unwrap().len(), 2);
    assert_eq!(jobs[0]["phase"], "done");
    assert_eq!(jobs[0]["provider"], "gateway");
    // Both submits are takes of the one board; the keeper moves and clears.
    assert_eq!(
        (jobs[0]["take"].as_u64(), jobs[1]["take"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(jobs[0]["keeper"], false);
    assert_eq!(jobs[0]["retry_of_take"], serde_json::Value::Null);
    for id in ["1", "2"] {
        let out = s.run(&["jobs", "keep", id]).await;
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }
    let out = s.run(&["jobs", "keep", "2", "--clear"]).await;
    assert!(text(&out.stderr).contains("Take 2 of noir-3-shot.json is no longer"));
    let out = s.run(&["jobs", "keep", "1"]).await;
    let said = text(&out.stderr);
    assert!(
        said.contains("job 1: Take 1 of noir-3-shot.json is now the keeper"),
        "{said}"
    );
    let out = s.run(&["jobs", "--json"]).await;
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&jobs[0]["keeper"], &jobs[1]["keeper"]),
        (&false.into(), &true.into())
    );
    assert_eq!(s.run(&["jobs", "keep", "99"]).await.status.code(), Some(1));

    let out = s.run(&["jobs", "--board", board.to_str().unwrap()]).await;
    let listing = text(&out.stdout);
    assert_eq!(listing.lines().count(), 3, "{listing}");
    assert!(
        listing.lines().nth(1).unwrap().contains("done"),
        "{listing}"
    );
    assert!(
        listing.lines().nth(2).unwrap().contains("   *1  "),
        "{listing}"
    );

    let out = s.run(&["jobs", "show", "1"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let shown = text(&out.stdout);
    for word in [
        "history",
        "queued",
        "submitting",
        "downloading",
        "done",
        "/v1/videos/text2video",
        "take      1 · keeper",
    ] {
        assert!(shown.contains(word), "{word} in {shown}");
    }
    let out = s.run(&["jobs", "show", "2", "--json"]).await;
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rec["history"].as_array().unwrap().last().unwrap()["phase"],
        "done"
    );
    assert_eq!(rec["request"]["path"], "/v1/video/generations");

    // Reattaching to a finished job prints its files; a redownload keeps intact files.
    let out = s.run(&["jobs", "wait", "1"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).contains("noir-3-shot-1-"));
    let out = s.run(&["download", "1"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).contains("noir-3-shot-1-"));
    assert_eq!(s.sim.stats().video_requests, 2, "nothing fetched twice");
}

#[tokio::test]
async fn a_failed_task_exits_non_zero_with_the_reason_and_no_reattach_command() {
    let s = Setup::new(Faults {
        task_failure_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let board = s.board("single-shot.json");
    let out = s
        .run(&["submit", board.to_str().unwrap(), "--yes", "--wait"])
        .await;
    // 4: the provider accepted the task and then failed it (it may be charged).
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert_eq!(text(&out.stdout), "");
    let err = text(&out.stderr);
    assert!(
        err.contains("Content safety check failed") || err.contains("Internal generation error"),
        "{err}"
    );
    assert!(err.contains("job 1 failed"), "{err}");
    assert!(err.contains("shotdeck jobs show 1"), "{err}");
    // The job has ended: `jobs wait` would only say so again.
    assert!(!err.contains("reattach with"), "{err}");
}

#[tokio::test]
async fn an_exhausted_balance_is_reported_with_its_code() {
    let s = Setup::new(Faults {
        balance_exhausted: true,
        ..Faults::default()
    })
    .await;
    let board = s.board("single-shot.json");
    let out = s.run(&["submit", board.to_str().unwrap(), "--yes"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(err.contains("[code 1102]"), "{err}");
    assert_eq!(s.sim.stats().api_requests, 1);
}

#[tokio::test]
async fn submit_without_wait_prints_the_ids_and_jobs_wait_finishes_it() {
    let s = Setup::new(Faults::default()).await;
    let board = s.board("image-to-video.json");
    let out = s.run(&["submit", board.to_str().unwrap(), "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let line = text(&out.stdout);
    assert!(line.starts_with("job 1 task "), "{line}");
    assert!(text(&out.stderr).contains("shotdeck jobs wait 1"));

    let out = s.run(&["jobs", "wait", "1", "--timeout", "30"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let path = PathBuf::from(text(&out.stdout).trim());
    assert_eq!(std::fs::read(path).unwrap(), SAMPLE_MP4);
    assert_eq!(s.sim.stats().creates_accepted, 1);
}

#[tokio::test]
async fn a_timeout_leaves_the_job_to_be_reattached() {
    let s = Setup::new(Faults {
        never_finish_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let board = s.board("single-shot.json");
    let out = s
        .run(&[
            "submit",
            board.to_str().unwrap(),
            "--yes",
            "--wait",
            "--timeout",
            "1",
        ])
        .await;
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(err.contains("timed out"), "{err}");
    assert!(err.contains("shotdeck jobs wait 1"), "{err}");
    // The job is still in flight and nobody holds it.
    let out = s.run(&["jobs", "show", "1", "--json"]).await;
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rec["lease_owner"].is_null(), "released on exit");
    assert_ne!(rec["phase"], "failed");
}

#[tokio::test]
async fn an_invalid_board_is_refused_before_anything_is_recorded() {
    let s = Setup::new(Faults::default()).await;
    let bad = s.dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"shots":[{"prompt":"","duration":4}]}"#).unwrap();
    let out = s
        .run(&["submit", bad.to_str().unwrap(), "--yes", "--wait"])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(err.contains("error shots[0].prompt"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    let out = s.run(&["jobs", "--json"]).await;
    assert_eq!(text(&out.stdout).trim(), "[]");
    assert_eq!(s.sim.stats().api_requests, 0);
}

#[tokio::test]
async fn a_second_process_says_another_one_is_handling_the_job() {
    let setup = Setup::with_task_seconds(Faults::default(), 30.0).await;
    let board = setup.board("noir-3-shot.json");
    let mut first = setup
        .command(&["submit", board.to_str().unwrap(), "--yes", "--wait"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first process has the task (it holds the job's lease from the start).
    until_job_1_has_a_task(&setup).await;
    let out = setup.run(&["jobs", "wait", "1", "--timeout", "1"]).await;
    let _ = first.kill().await;
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("job 1 is being handled by another shotdeck process"),
        "{}",
        describe(&out)
    );
    assert!(err.contains("shotdeck jobs wait 1"), "{}", describe(&out));
}

/// Waits until the store shows job 1 with its provider task id.
async fn until_job_1_has_a_task(setup: &Setup) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let out = setup.run(&["jobs", "--json"]).await;
        let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if jobs[0]["task_id"].is_string() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the submit never got a task id"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `submit --wait` of the noir board, running, once its job has a provider task.
async fn submit_wait_with_a_task(setup: &Setup) -> tokio::process::Child {
    let board = setup.board("noir-3-shot.json");
    let child = setup
        .command(&["submit", board.to_str().unwrap(), "--yes", "--wait"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    until_job_1_has_a_task(setup).await;
    child
}
