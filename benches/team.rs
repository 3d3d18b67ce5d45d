//! A team on one account: engines sharing the job store, against the simulated Kling with
//! an account limit of 2 (`max_in_flight`) and short tasks.
//! `bash .ci/pg-ephemeral.sh cargo bench --bench team` (the PostgreSQL runs need
//! `SHOTDECK_TEST_PG`; without it only the SQLite run is made).
//!
//! Three runs of 600 jobs: three engines × 200 on PostgreSQL (the account gate in the
//! store), one engine × 600 on PostgreSQL, one on SQLite (one machine: no gate in the store;
//! the simulator's 1303s hold the line). Each: requests per minute at the simulator, run
//! time and slot waits against the ideal (jobs ÷ limit × task time), store calls per job
//! (each at least one round trip; a wrapper counts them), on PostgreSQL also the server's
//! transaction count.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shotdeck::app::runtime::Flavor;
use shotdeck::core::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase, SubmitOptions, SubmitRequest};
use shotdeck::engine::schedule::PollSchedule;
use shotdeck::engine::store::JobStore;
use shotdeck::engine::store::pg::{PgOptions, PgStore, Submitter};
use shotdeck::engine::store::tap::Tap;
use shotdeck::engine::{ClientFactory, Engine, EngineConfig, Tuning};
use shotdeck::files::config::Config;
use shotdeck::providers::{Client, ProviderSettings};
use shotdeck::sim::{Faults, SimConfig, SimKeys, SimServer};
use shotdeck_core::store_url::StoreUrl;

#[path = "support/team_report.rs"]
mod report;
use report::{LIMIT, Run, TASK_SECONDS, print};

/// `TEAM_JOBS` jobs a run (600), each run stopped after `TEAM_CAP_SECS` (600) and reported
/// as far as it got.
fn env_or(name: &str, default: usize) -> usize {
    let set = std::env::var(name).ok().and_then(|v| v.parse().ok());
    set.unwrap_or(default)
}

fn jobs() -> usize {
    env_or("TEAM_JOBS", 600)
}

fn cap() -> Duration {
    Duration::from_secs(env_or("TEAM_CAP_SECS", 600) as u64)
}

/// Whether `TEAM_RUNS` (a comma list of `pg3`, `pg1`, `sqlite`; all when unset) asks for
/// the run `name`.
fn wanted(name: &str) -> bool {
    std::env::var("TEAM_RUNS").map_or(true, |runs| runs.split(',').any(|r| r.trim() == name))
}
const ACCOUNT: &str = "studio-a";

fn tuning() -> Tuning {
    Tuning {
        poll: PollSchedule {
            first: Duration::from_millis(50),
            max: Duration::from_millis(50),
            growth: 1.0,
            backoff_base: Duration::from_millis(50),
            backoff_max: Duration::from_millis(400),
        },
        lease_ttl: Duration::from_secs(3),
        watch_interval: Duration::from_millis(100),
        ..Tuning::default()
    }
}

#[derive(Clone)]
enum Backend {
    Sqlite(std::path::PathBuf),
    Postgres { server: String, schema: String },
}

impl Backend {
    async fn open(&self, host: &str) -> Arc<dyn JobStore> {
        match self {
            Backend::Sqlite(path) => shotdeck::engine::store::open(path).expect("SQLite store"),
            Backend::Postgres { server, schema } => {
                let mut options =
                    PgOptions::new(StoreUrl::parse(server).expect("SHOTDECK_TEST_PG"))
                        .schema(schema)
                        .pool_size(4)
                        .account(ACCOUNT)
                        .submitter(Submitter {
                            user: format!("user-{host}"),
                            host: host.to_string(),
                        });
                options.max_in_flight = LIMIT as i32;
                Arc::new(PgStore::connect(options).await.expect("connect"))
            }
        }
    }
}

fn config(sim: &SimServer, store: Arc<dyn JobStore>, dir: &Path) -> EngineConfig {
    let settings = ProviderSettings {
        kling_base: Some(sim.base_url()),
        request_timeout: Duration::from_secs(5),
        ..ProviderSettings::default()
    };
    let no_file = dir.join("no-credentials.toml");
    let factory: ClientFactory = Arc::new(move |p: Provider| {
        let keys = SimKeys::demo();
        let env = move |name: &str| match name {
            "KLING_ACCESS_KEY" => Some(keys.access_key.clone()),
            "KLING_SECRET_KEY" => Some(keys.secret_key.clone()),
            _ => None,
        };
        Client::from_sources(p, &settings, &env, &no_file)
    });
    let config = Config {
        render_dir: dir.join("{board}.renders").to_string_lossy().into_owned(),
        ..Config::default()
    };
    EngineConfig::new(
        store,
        shotdeck::app::engine_settings(&config),
        ProviderSettings::default(),
    )
    .with_clients(factory)
    .with_tuning(tuning())
}

/// The six methods with the most of `per_tap` (calls, time) summed over the taps.
fn top6<T: Copy + Default + Ord + std::ops::AddAssign>(
    per_tap: impl Iterator<Item = std::collections::BTreeMap<&'static str, T>>,
) -> Vec<(&'static str, T)> {
    let mut sum = std::collections::BTreeMap::new();
    for (method, n) in per_tap.flatten() {
        *sum.entry(method).or_insert_with(T::default) += n;
    }
    let mut top: Vec<_> = sum.into_iter().collect();
    top.sort_by_key(|m| std::cmp::Reverse(m.1));
    top.truncate(6);
    top
}

async fn pg_transactions(server: &str) -> i64 {
    let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .expect("raw connection");
    tokio::spawn(conn);
    // Statistics reach the view a moment after each backend's transactions end.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sql = "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database \
               WHERE datname = current_database()";
    let row = client.query_one(sql, &[]).await;
    row.expect("pg_stat_database").get(0)
}

async fn run(name: &str, backend: Backend, engines: usize, dir: &Path) -> Run {
    let sim = SimServer::start(
        SimConfig {
            task_seconds: TASK_SECONDS,
            faults: Faults {
                max_in_flight: Some(LIMIT),
                ..Faults::default()
            },
            ..SimConfig::default()
        },
        "127.0.0.1:0".parse().expect("an address"),
    )
    .await
    .expect("the simulator");
    std::fs::create_dir_all(dir).expect("a folder for the run");
    let board_path = dir.join("noir.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/noir-3-shot.json"),
        &board_path,
    )
    .expect("copy the example board");
    let board = shotdeck::files::board_file::load(&board_path).expect("the board");
    let reader = backend.open("reader").await;
    let server = match &backend {
        Backend::Postgres { server, .. } => Some(server.clone()),
        Backend::Sqlite(_) => None,
    };
    let xact_before = if let Some(s) = &server {
        Some(pg_transactions(s).await)
    } else {
        None
    };
    let mut taps = Vec::new();
    let mut handles = Vec::new();
    for e in 0..engines {
        let host = format!("host-{e}");
        let tap = Tap::new(backend.open(&host).await);
        let mut handle = Engine::start(config(&sim, tap.clone(), &dir.join(&host)))
            .await
            .expect("an engine");
        let mut events = std::mem::replace(&mut handle.event_rx, tokio::sync::mpsc::channel(1).1);
        tokio::spawn(async move { while events.recv().await.is_some() {} });
        taps.push(tap);
        handles.push(handle);
    }
    let jobs = jobs();
    let started = Instant::now();
    for i in 0..jobs {
        let request = SubmitRequest::new(
            &board_path,
            board.clone(),
            Provider::Kling,
            SubmitOptions::default(),
        );
        let engine = &handles[i % engines];
        engine
            .cmd_tx
            .send(JobCmd::Submit(request))
            .await
            .expect("running");
    }
    let capped = loop {
        let recorded = reader.counts().await.expect("counts").of(None);
        let unfinished = reader.unfinished().await.expect("unfinished");
        let active = unfinished.iter().filter(|v| v.phase.is_active()).count();
        if recorded == jobs && active == 0 {
            break false;
        }
        if started.elapsed() > cap() {
            break true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let seconds = started.elapsed().as_secs_f64();
    let store_calls = taps.iter().map(|t| t.total()).sum();
    let busiest = top6(taps.iter().map(|t| t.calls()));
    let slowest = top6(taps.iter().map(|t| t.busy()));
    for h in handles {
        let _ = h.cmd_tx.send(JobCmd::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), h.task).await;
    }
    let pg_transactions = match (&server, xact_before) {
        (Some(s), Some(before)) => Some(pg_transactions(s).await - before),
        _ => None,
    };
    let views = reader.first_views(jobs).await.expect("views");
    let count = |p: JobPhase| views.iter().filter(|v| v.phase == p).count();
    let mut waits = Vec::new();
    let mut histories = Vec::new();
    for v in &views {
        let history = reader.history(v.id).await.expect("history");
        let at = |p: JobPhase| history.iter().find(|e| e.phase == p).map(|e| e.at);
        if let (Some(q), Some(s)) = (at(JobPhase::Queued), at(JobPhase::Submitting)) {
            waits.push((s - q) as f64 / 1000.0);
        }
        histories.push(history);
    }
    waits.sort_by(f64::total_cmp);
    let stats = sim.stats();
    let sent: u64 = stats.creates_by_external_id.values().sum();
    Run {
        name: name.to_string(),
        seconds,
        cap: cap(),
        sim_requests: stats.api_requests,
        creates_accepted: stats.creates_accepted,
        refused_1303: sent - stats.creates_accepted,
        max_in_flight_seen: stats.max_in_flight_seen,
        jobs,
        capped,
        done: count(JobPhase::Done),
        not_sent: count(JobPhase::NotSent),
        failed: count(JobPhase::Failed),
        waits,
        cycle: report::cycle(&histories),
        store_calls,
        busiest,
        slowest,
        pg_transactions,
    }
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: skip the measurement.
    if !std::env::args().any(|a| a == "--bench") {
        println!("team: measured only under `cargo bench --bench team`");
        return;
    }
    let runtime = shotdeck::app::runtime::build(Flavor::MultiThread).expect("a tokio runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temp dir");
        println!(
            "{} jobs a run, account limit {LIMIT} (simulator max_in_flight {LIMIT}), simulated \
             task {TASK_SECONDS} s, polls every 50 ms, each run capped at {} s",
            jobs(),
            cap().as_secs()
        );
        println!();
        let pg = std::env::var("SHOTDECK_TEST_PG")
            .ok()
            .filter(|s| !s.trim().is_empty());
        if let Some(server) = &pg {
            for engines in [3, 1] {
                if !wanted(&format!("pg{engines}")) {
                    continue;
                }
                let name = match engines {
                    1 => format!("PostgreSQL, 1 engine × {} jobs", jobs()),
                    n if jobs().is_multiple_of(n) => {
                        format!("PostgreSQL, {n} engines × {} jobs", jobs() / n)
                    }
                    n => format!("PostgreSQL, {n} engines, {} jobs in all", jobs()),
                };
                let backend = Backend::Postgres {
                    server: server.clone(),
                    schema: format!("bench_{}", uuid::Uuid::new_v4().simple()),
                };
                let sub = dir.path().join(format!("pg-{engines}"));
                print(&run(&name, backend, engines, &sub).await);
            }
        } else {
            println!("(SHOTDECK_TEST_PG is not set: PostgreSQL runs skipped)");
        }
        if wanted("sqlite") {
            let sub = dir.path().join("sqlite");
            let backend = Backend::Sqlite(sub.join("jobs.sqlite3"));
            print(&run("SQLite, 1 engine (one machine)", backend, 1, &sub).await);
        }
    });
}
