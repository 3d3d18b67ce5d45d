//! Two engines, as on two machines (their own `EngineConfig`, their own connection pool
//! and host), on one PostgreSQL store and one simulated Kling: every job is done once and
//! no create is sent twice.

use std::sync::Arc;
use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase, SubmitOptions, SubmitRequest};
use shotdeck::engine::schedule::PollSchedule;
use shotdeck::engine::store::JobStore;
use shotdeck::engine::store::pg::{PgOptions, PgStore, Submitter};
use shotdeck::engine::{ClientFactory, Engine, EngineHandle, Tuning};
use shotdeck::files::config::Config;
use shotdeck::providers::{Client, ProviderSettings};
use shotdeck::sim::{Faults, SimConfig, SimKeys, SimServer};
use shotdeck_core::store_url::StoreUrl;

use crate::support;

pub(crate) fn tuning() -> Tuning {
    Tuning {
        poll: PollSchedule {
            first: Duration::from_millis(100),
            max: Duration::from_millis(100),
            growth: 1.0,
            backoff_base: Duration::from_millis(50),
            backoff_max: Duration::from_millis(400),
        },
        lease_ttl: Duration::from_millis(900),
        watch_interval: Duration::from_millis(100),
        progress_interval: Duration::from_millis(50),
        ..Tuning::default()
    }
}

async fn machine(server: &str, schema: &str, host: &str) -> Arc<dyn JobStore> {
    let url = StoreUrl::parse(server).unwrap();
    machine_on(PgOptions::new(url), schema, host).await
}

/// A machine's store on `options` (its account and limit), as `host`.
pub(crate) async fn machine_on(options: PgOptions, schema: &str, host: &str) -> Arc<dyn JobStore> {
    let submitter = Submitter {
        user: format!("user-{host}"),
        host: host.to_string(),
    };
    let options = options.schema(schema).pool_size(4).submitter(submitter);
    Arc::new(PgStore::connect(options).await.unwrap())
}

pub(crate) async fn engine(
    sim: &SimServer,
    store: Arc<dyn JobStore>,
    dir: &std::path::Path,
) -> EngineHandle {
    engine_at(sim.base_url(), store, dir).await
}

/// An engine whose Kling is the simulator at `base` (one on another runtime, say).
pub(crate) async fn engine_at(
    base: String,
    store: Arc<dyn JobStore>,
    dir: &std::path::Path,
) -> EngineHandle {
    engine_tuned(base, store, dir, tuning()).await
}

/// An engine as [`engine_at`], with its own tuning (a skewed clock, say).
pub(crate) async fn engine_tuned(
    base: String,
    store: Arc<dyn JobStore>,
    dir: &std::path::Path,
    tuning: Tuning,
) -> EngineHandle {
    let settings = ProviderSettings {
        kling_base: Some(base),
        request_timeout: Duration::from_secs(5),
        ..ProviderSettings::default()
    };
    let keys = SimKeys::demo();
    let no_file = dir.join("no-credentials.toml");
    let factory: ClientFactory = Arc::new(move |p: Provider| {
        let keys = keys.clone();
        let env = move |name: &str| match name {
            "KLING_ACCESS_KEY" => Some(keys.access_key.clone()),
            "KLING_SECRET_KEY" => Some(keys.secret_key.clone()),
            _ => None,
        };
        Client::from_sources(p, &settings, &env, &no_file)
    });
    let config = Config {
        // Each machine downloads into its own folder.
        render_dir: dir.join("{board}.renders").to_string_lossy().into_owned(),
        ..Config::default()
    };
    let cfg = shotdeck::engine::EngineConfig::new(
        store,
        shotdeck::app::engine_settings(&config),
        ProviderSettings::default(),
    )
    .with_clients(factory)
    .with_tuning(tuning);
    Engine::start(cfg).await.unwrap()
}

/// A simulated Kling whose tasks take 0.3 s, and a copy of the noir example board in a
/// fresh directory (the machines' data dirs go beside it).
pub(crate) async fn sim_and_board() -> (
    SimServer,
    tempfile::TempDir,
    std::path::PathBuf,
    shotdeck::core::model::Board,
) {
    let sim = SimServer::start(
        SimConfig {
            task_seconds: 0.3,
            faults: Faults::default(),
            ..SimConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let board_path = dir.path().join("noir.json");
    std::fs::copy(examples.join("noir-3-shot.json"), &board_path).unwrap();
    let board = shotdeck::files::board_file::load(&board_path).unwrap();

    (sim, dir, board_path, board)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_engines_on_one_store_do_every_job_once() {
    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    let (sim, dir, board_path, board) = sim_and_board().await;

    let (store_a, store_b) = (
        machine(&server, &schema, "host-a").await,
        machine(&server, &schema, "host-b").await,
    );
    let a = engine(&sim, store_a.clone(), &dir.path().join("a")).await;
    let b = engine(&sim, store_b.clone(), &dir.path().join("b")).await;
    const EACH: usize = 4;
    for _ in 0..EACH {
        for e in [&a, &b] {
            let request = SubmitRequest::new(
                &board_path,
                board.clone(),
                Provider::Kling,
                SubmitOptions::default(),
            );
            e.cmd_tx.send(JobCmd::Submit(request)).await.unwrap();
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let counts = store_b.counts().await.unwrap();
        let unfinished = store_b.unfinished().await.unwrap();
        if counts.of(None) == 2 * EACH && unfinished.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not done: {} of {} recorded; unfinished {unfinished:#?}",
            counts.of(None),
            2 * EACH
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = store_a.first_views(100).await.unwrap();
    assert_eq!(all.len(), 2 * EACH);
    for v in &all {
        assert_eq!(v.phase, JobPhase::Done, "{v:#?}");
    }
    let by = |host: &str| {
        all.iter()
            .filter(|v| v.submitted_by.as_deref() == Some(&format!("user-{host}@{host}")))
            .count()
    };
    assert_eq!((by("host-a"), by("host-b")), (EACH, EACH));
    let stats = sim.stats();
    assert_eq!(stats.creates_accepted, 2 * EACH as u64);
    assert_eq!(stats.creates_by_external_id.len(), 2 * EACH);
    assert!(
        stats.creates_by_external_id.values().all(|n| *n == 1),
        "a create was sent twice: {:?}",
        stats.creates_by_external_id
    );
    for e in [a, b] {
        let _ = e.cmd_tx.send(JobCmd::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), e.task).await;
    }
}
