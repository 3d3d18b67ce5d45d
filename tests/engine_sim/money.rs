//! The budget and the ledger: a submit over `[budget]` is refused before anything is sent,
//! the ledger sums what was estimated and charged, and `shotdeck spend --json` prints it.

use shotdeck::engine::events::Refusal;
use std::path::Path;

use shotdeck::core::budget::Budget;
use shotdeck::core::compose::{PlaceholderImages, compose};
use shotdeck::core::cost::{default_prices, estimate};
use shotdeck::core::model::Board;
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::engine::new_external_task_id;
use shotdeck::engine::store::{JobChange, ListFilter, NewJob, Store, now_ms};
use shotdeck::engine::{Engine, EngineHandle};
use shotdeck::files::board_file;

use crate::support::*;

/// Records a job the provider accepted (a task id, so money may have been spent) at
/// `created_at`, estimated at `usd`, and finishes it so no engine picks it up.
fn spent_job(h: &Harness, board_path: &Path, usd: f64, created_at: i64, units: Option<&str>) {
    let board = Board::starter();
    let ext = new_external_task_id();
    let request = compose(&board, Provider::Kling, &PlaceholderImages, &ext).unwrap();
    let job = NewJob {
        board_key: None,
        board_path: board_path.to_path_buf(),
        board,
        provider: Provider::Kling,
        request,
        external_task_id: ext,
        estimated_usd: Some(usd),
        retry_of: None,
    };
    let mut store = Store::open(&h.store_path()).unwrap();
    let id = store
        .insert_job(&job, "seed", now_ms() + 60_000, created_at)
        .unwrap();
    let change = JobChange {
        task_id: Some(format!("task-{id}")),
        units_charged: units.map(str::to_string),
        ..JobChange::phase(JobPhase::Failed)
    };
    store
        .apply(id, "seed", &change, created_at)
        .unwrap()
        .unwrap();
}

async fn engine_with(h: &Harness, budget: Budget) -> EngineHandle {
    let mut cfg = h.config();
    cfg.settings.budget = budget;
    cfg.settings.usd_per_unit = [("kling-v3".to_string(), 0.1)].into();
    Engine::start(cfg).await.unwrap()
}

/// Submits `example` and returns why it was refused; asserts nothing reached the provider
/// and nothing new was recorded.
async fn refused(h: &Harness, engine: &EngineHandle, events: &mut Events, path: &Path) -> String {
    let before = Store::open(&h.store_path())
        .unwrap()
        .list(&ListFilter::default())
        .unwrap();
    let request = h.submit_request(path, Provider::Kling);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let refusal = events.refusal(ticket).await;
    assert!(
        matches!(refusal, Refusal::OverBudget { job: None, .. }),
        "{refusal:?}"
    );
    let reason = refusal.to_string();
    assert!(reason.ends_with("nothing was sent"), "{reason}");
    assert_eq!(
        h.sim.stats().api_requests,
        0,
        "nothing reached the provider"
    );
    assert_eq!(h.sim.stats().creates_accepted, 0);
    let after = Store::open(&h.store_path())
        .unwrap()
        .list(&ListFilter::default())
        .unwrap();
    assert_eq!(after.len(), before.len(), "nothing recorded");
    reason
}

fn estimate_of(path: &Path) -> f64 {
    let board = board_file::load(path).unwrap();
    estimate(&board, Provider::Kling, &default_prices())
        .unwrap()
        .usd
}

#[tokio::test]
async fn a_job_dearer_than_per_job_is_refused_naming_the_limit() {
    let h = Harness::start(0.3).await;
    let path = h.board("noir-3-shot.json");
    let est = estimate_of(&path);
    let budget = Budget {
        per_job: Some(est - 0.01),
        ..Budget::default()
    };
    let mut engine = engine_with(&h, budget).await;
    let mut events = Events::new(&mut engine);
    let reason = refused(&h, &engine, &mut events, &path).await;
    assert!(
        reason.contains("per_job") && reason.contains(&format!("${est:.2}")),
        "{reason}"
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn per_day_counts_todays_jobs_plus_the_new_estimate() {
    let h = Harness::start(0.3).await;
    let path = h.board("noir-3-shot.json");
    let est = estimate_of(&path);
    // Today: 2.00 estimated, and one charged 10 units (1.00 at 0.1 per unit, counted
    // instead of its 5.00 estimate). A job from 1970 and one refused at create don't count.
    spent_job(&h, &h.dir.path().join("other.json"), 2.0, now_ms(), None);
    spent_job(
        &h,
        &h.dir.path().join("other.json"),
        5.0,
        now_ms(),
        Some("10"),
    );
    spent_job(&h, &h.dir.path().join("other.json"), 50.0, 0, None);
    {
        let mut store = Store::open(&h.store_path()).unwrap();
        let ext = new_external_task_id();
        let board = Board::starter();
        let request = compose(&board, Provider::Kling, &PlaceholderImages, &ext).unwrap();
        let job = NewJob {
            board_key: None,
            board_path: path.clone(),
            board,
            provider: Provider::Kling,
            request,
            external_task_id: ext,
            estimated_usd: Some(40.0),
            retry_of: None,
        };
        let id = store
            .insert_job(&job, "seed", now_ms() + 60_000, now_ms())
            .unwrap();
        store
            .apply(id, "seed", &JobChange::phase(JobPhase::Failed), now_ms())
            .unwrap();
    }
    let budget = Budget {
        per_day: Some(3.0 + est - 0.01),
        ..Budget::default()
    };
    let mut engine = engine_with(&h, budget).await;
    let mut events = Events::new(&mut engine);
    let reason = refused(&h, &engine, &mut events, &path).await;
    assert!(
        reason.contains("$3.00 spent today") && reason.contains("per_day"),
        "{reason}"
    );
    assert_eq!(events.spend_today.map(|u| (u * 100.0).round()), Some(300.0));
    shutdown(engine).await;

    // A cent more and it fits: the job is sent, and once charged today's spend grows by
    // its units at the configured 0.1 USD per unit, not by its estimate.
    let budget = Budget {
        per_day: Some(3.0 + est + 0.01),
        ..Budget::default()
    };
    let mut engine = engine_with(&h, budget).await;
    let mut events = Events::new(&mut engine);
    let (id, _) = submit(
        &h,
        &engine,
        &mut events,
        "noir-3-shot.json",
        Provider::Kling,
    )
    .await;
    let done = events.finished(id).await;
    let units: f64 = done.units_charged.as_deref().unwrap().parse().unwrap();
    let expected = 3.0 + units * 0.1;
    // The spend follows the job's last change on the engine's next turn.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while events
        .spend_today
        .is_none_or(|t| (t - expected).abs() > 1e-6)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?} vs {expected}",
            events.spend_today
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        events.drain();
    }
    shutdown(engine).await;
}

#[tokio::test]
async fn per_board_counts_the_boards_jobs_of_any_day() {
    let h = Harness::start(0.3).await;
    let path = h.board("noir-3-shot.json");
    spent_job(&h, &path, 4.0, 0, None);
    spent_job(&h, &h.dir.path().join("other.json"), 100.0, now_ms(), None);
    let budget = Budget {
        per_board: Some(4.5),
        per_day: Some(1000.0),
        ..Budget::default()
    };
    let mut engine = engine_with(&h, budget).await;
    let mut events = Events::new(&mut engine);
    let reason = refused(&h, &engine, &mut events, &path).await;
    assert!(
        reason.contains("$4.00 spent on this board") && reason.contains("per_board = $4.50"),
        "{reason}"
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn spend_json_prints_the_ledger_and_todays_total() {
    let h = Harness::start(0.3).await;
    let board = h.dir.path().join("boards/noir.json");
    spent_job(&h, &board, 2.0, now_ms(), Some("10"));
    spent_job(&h, &h.dir.path().join("other.json"), 1.5, 0, None);
    let config = h.dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[budget]\nper_day = 20\n[usd_per_unit]\nkling-v3 = 0.25\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"))
            .args(args)
            .env("SHOTDECK_CONFIG_DIR", &config)
            .env("SHOTDECK_DATA_DIR", h.store_path().parent().unwrap())
            .env("SHOTDECK_STATE_DIR", h.dir.path().join("state"))
            .output()
            .unwrap()
    };
    let out = run(&["spend", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["jobs"].as_array().unwrap().len(), 2, "{v:#}");
    let first = &v["jobs"][0];
    assert_eq!(first["units_charged"], "10");
    assert_eq!(first["charged_usd"], 2.5);
    assert_eq!(first["counted_usd"], 2.5);
    assert_eq!(first["model"], "kling-v3");
    assert_eq!(v["total_usd"], 4.0);
    assert_eq!(v["today_usd"], 2.5);
    assert_eq!(v["budget"]["per_day"], 20.0);
    assert_eq!(v["estimates"], true);

    let board_arg = board.to_string_lossy().into_owned();
    let out = run(&["spend", "--json", "--board", &board_arg]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["jobs"].as_array().unwrap().len(), 1);
    let out = run(&["spend", "--json", "--since", "2999-01-01"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["jobs"].as_array().unwrap().len(), 0);
    // No jobs: a sum of nothing is $0.00, not `$-0.00` (nor `-0.0` in JSON).
    assert_eq!(v["total_usd"].to_string(), "0.0");
    let out = run(&["spend", "--since", "2999-01-01"]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("total  $0.00 over 0 job(s)"), "{shown}");
    assert!(!shown.contains("-0.00"), "{shown}");
    let out = run(&["spend", "--since", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));

    // `jobs --json` carries the charged units too.
    let out = run(&["jobs", "--json"]);
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        jobs.as_array()
            .unwrap()
            .iter()
            .any(|j| j["units_charged"] == "10"),
        "{jobs:#}"
    );
}
