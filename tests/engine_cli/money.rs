//! Money at the edges: a bad config.toml fails closed (a bad key costs only itself, a broken
//! `[budget]` refuses every paid action, every command says so), a job recorded yesterday
//! and sent today is held to today's budget, a mistyped task id can be corrected, and a
//! create in doubt marked lost or cancelled is shown as possibly charged.

use std::path::Path;

use shotdeck::core::compose::{PlaceholderImages, compose};
use shotdeck::core::model::Board;
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::JobPhase;
use shotdeck::engine::new_external_task_id;
use shotdeck::engine::store::{JobChange, NewJob, Store, now_ms};
use shotdeck::sim::Faults;

use super::{Setup, describe, text};

pub(super) fn write_config(s: &Setup, toml: &str) {
    let dir = s.dir.path().join("config");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), toml).unwrap();
}

/// Records a starter-board job estimated at $1.01 at `created_at`, unleased; with a task
/// id it is finished (failed after the provider accepted it), without one it waits as a
/// submit killed before sending leaves it.
pub(super) fn recorded(s: &Setup, created_at: i64, task: Option<&str>) -> i64 {
    let board = Board::starter();
    let ext = new_external_task_id();
    let request = compose(&board, Provider::Kling, &PlaceholderImages, &ext).unwrap();
    let job = NewJob {
        board_key: None,
        board_path: s.dir.path().join("boards/starter.json"),
        board,
        provider: Provider::Kling,
        request,
        external_task_id: ext,
        estimated_usd: Some(1.01),
        retry_of: None,
    };
    let mut store = Store::open(&s.dir.path().join("data/jobs.sqlite3")).unwrap();
    let id = store
        .insert_job(&job, "seed", i64::MAX, created_at)
        .unwrap();
    if let Some(task) = task {
        let change = JobChange {
            task_id: Some(task.into()),
            ..JobChange::phase(JobPhase::Failed)
        };
        store.apply(id, "seed", &change, created_at).unwrap();
    }
    store.release_lease(id, "seed").unwrap();
    id
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `submit --provider gateway --yes --wait` of the single-shot example, plus `extra`.
async fn submit_to_gateway(s: &Setup, extra: &[&str]) -> std::process::Output {
    let board = s.board("single-shot.json");
    let mut args = vec![
        "submit",
        arg(&board),
        "--provider",
        "gateway",
        "--yes",
        "--wait",
    ];
    args.extend_from_slice(extra);
    s.run(&args).await
}

/// Job `id` as the store has it now.
fn stored(s: &Setup, id: i64) -> shotdeck::engine::events::JobView {
    Store::open(&s.dir.path().join("data/jobs.sqlite3"))
        .unwrap()
        .view(id)
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn one_bad_key_keeps_the_budget_and_every_command_says_which() {
    let s = Setup::new(Faults::default()).await;
    write_config(
        &s,
        "mouse = \"no\"\nnotify = \"loud\"\n[budget]\nper_job = 1\n",
    );
    let board = s.board("noir-3-shot.json"); // ≈ $1.51
    let out = s.run(&["submit", arg(&board), "--yes"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("over budget") && err.contains("per_job = $1.00"),
        "{err}"
    );
    assert_eq!(s.sim.stats().api_requests, 0, "nothing was sent");
    for args in [vec!["jobs"], vec!["validate", arg(&board)], vec!["spend"]] {
        let out = s.run(&args).await;
        let err = text(&out.stderr);
        assert!(
            err.contains("config.toml: line 1, column 9: mouse:")
                && err.contains("line 2, column 10: notify:"),
            "{args:?}: {err}"
        );
    }
}

#[tokio::test]
async fn a_broken_budget_refuses_every_paid_action_naming_the_key() {
    let s = Setup::new(Faults::default()).await;
    let board = s.board("noir-3-shot.json");
    let never_sent = recorded(&s, now_ms() - 10, None).to_string();
    for (toml, key) in [
        ("[budget]\nper_jb = 1\n", "line 2, column 1: budget:"),
        (
            "[budget]\nper_day = nan\n",
            "line 2, column 11: budget.per_day:",
        ),
        (
            "[budget]\nper_job = -1\n",
            "line 2, column 11: budget.per_job:",
        ),
        (
            "[prices.kling.kling-v3.std]\nsilent = nan\naudio = nan\n",
            "prices.kling.kling-v3.std.silent:",
        ),
    ] {
        write_config(&s, toml);
        let out = s
            .run(&["submit", arg(&board), "--yes", "--max-cost", "0.01"])
            .await;
        assert_eq!(out.status.code(), Some(2), "{toml}: {}", describe(&out));
        let err = text(&out.stderr);
        assert!(
            err.contains(key) && err.contains("nothing was sent"),
            "{err}"
        );
        assert!(!err.contains("NaN"), "{err}");
        let out = s.run(&["jobs", "send", &never_sent, "--yes"]).await;
        assert_eq!(out.status.code(), Some(2), "{toml}: {}", describe(&out));
        assert!(text(&out.stderr).contains(key), "{}", describe(&out));
        // Free commands still work, and say it.
        let out = s.run(&["validate", arg(&board)]).await;
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert!(text(&out.stderr).contains("paid actions are refused"));
    }
    assert_eq!(s.sim.stats().api_requests, 0, "nothing was sent");
}

#[tokio::test]
async fn a_job_recorded_yesterday_is_held_to_todays_budget_when_sent() {
    let s = Setup::new(Faults::default()).await;
    write_config(&s, "[budget]\nper_day = 1.5\n");
    let day = 86_400_000;
    let old = recorded(&s, now_ms() - 2 * day, None).to_string();
    recorded(&s, now_ms(), Some("task-today")); // $1.01 spent today
    let out = s.run(&["jobs", "send", &old, "--yes"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("$1.01 spent today") && err.contains("per_day = $1.50"),
        "{err}"
    );
    assert_eq!(s.sim.stats().api_requests, 0, "nothing was sent");
}

#[tokio::test]
async fn a_mistyped_task_id_is_refused_or_corrected() {
    use shotdeck::sim::ScriptedFault;
    let faults = Faults {
        script: vec![ScriptedFault::DropAfterCreate],
        ..Faults::default()
    };
    let s = Setup::new(faults).await;
    let out = submit_to_gateway(&s, &[]).await;
    assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
    for bad in ["..", ".", "task 1"] {
        let out = s.run(&["jobs", "attach", "1", bad]).await;
        assert_eq!(out.status.code(), Some(1), "{bad}: {}", describe(&out));
        assert!(text(&out.stderr).contains("task id"), "{}", describe(&out));
    }
    let out = s
        .run(&["jobs", "attach", "1", "task-typo", "--no-wait"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let ext = stored(&s, 1).external_task_id;
    let task = s.sim.dashboard_task_id(&ext).expect("the task was made");
    let out = s.run(&["jobs", "attach", "1", &task]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(s.sim.stats().creates_accepted, 1, "nothing was re-sent");
}

#[tokio::test]
async fn a_timeout_while_the_create_is_in_flight_waits_and_records_the_task() {
    let slow = Faults {
        latency_ms: 3_000,
        ..Faults::default()
    };
    let s = Setup::new(slow).await;
    let out = submit_to_gateway(&s, &["--timeout", "1"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("not answered yet; waiting up to 120 s"),
        "{err}"
    );
    assert!(err.contains("task") && err.contains("recorded"), "{err}");
    let v = stored(&s, 1);
    assert_eq!(v.phase, JobPhase::Submitted, "{v:#?}");
    assert_eq!(v.task_id, s.sim.dashboard_task_id(&v.external_task_id));
    assert!(v.task_id.is_some());
}

#[cfg(unix)]
#[tokio::test]
async fn ctrl_c_while_the_create_is_in_flight_waits_and_records_the_task() {
    let slow = Faults {
        latency_ms: 3_000,
        ..Faults::default()
    };
    let s = Setup::new(slow).await;
    let board = s.board("single-shot.json");
    let args = [
        "submit",
        arg(&board),
        "--provider",
        "gateway",
        "--yes",
        "--wait",
    ];
    let child = s
        .command(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Ctrl-C once the create has left: the job is `submitting` in the store.
    super::until_phase(&s, 1, JobPhase::Submitting).await;
    let pid = rustix::process::Pid::from_raw(child.id().unwrap() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("not answered yet; waiting up to 120 s"),
        "{}",
        describe(&out)
    );
    let v = stored(&s, 1);
    assert_eq!(v.phase, JobPhase::Submitted, "{v:#?}");
    assert_eq!(v.task_id, s.sim.dashboard_task_id(&v.external_task_id));
    assert!(v.task_id.is_some());
}

#[tokio::test]
async fn a_create_in_doubt_marked_lost_or_cancelled_shows_as_possibly_charged() {
    let s = Setup::new(Faults::default()).await;
    let lost = in_doubt(&s).to_string();
    let cancelled = in_doubt(&s).to_string();
    let out = s.run(&["jobs", "lost", &lost]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("it may still have been charged"),
        "{}",
        describe(&out)
    );
    let out = s.run(&["jobs", "cancel", &cancelled]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("may still run and be charged")
            && err.contains("the spend ledger counts it at its estimate"),
        "{err}"
    );
    let out = s.run(&["spend"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let table = text(&out.stdout);
    let doubtful = table
        .lines()
        .filter(|l| l.contains("create in doubt: possibly charged"))
        .count();
    assert_eq!(doubtful, 2, "{table}");
    assert!(!table.contains("nothing spent"), "{table}");
    assert_eq!(s.sim.stats().api_requests, 0, "nothing was sent");
}

/// Records a starter-board job ($1.01) whose create was sent and never answered: in
/// `needs_attention` with no task id, as a dropped answer leaves it.
fn in_doubt(s: &Setup) -> i64 {
    let id = recorded(s, now_ms(), None);
    let mut store = Store::open(&s.dir.path().join("data/jobs.sqlite3")).unwrap();
    let owner = "seed";
    assert!(store.take_lease(id, owner, i64::MAX, now_ms()).unwrap());
    for phase in [JobPhase::Submitting, JobPhase::NeedsAttention] {
        store
            .apply(id, owner, &JobChange::phase(phase), now_ms())
            .unwrap();
    }
    store.release_lease(id, owner).unwrap();
    id
}
