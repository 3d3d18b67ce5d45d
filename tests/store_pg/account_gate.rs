//! The account gate end to end: three engines, as on three machines (their own
//! `EngineConfig`, pool and host), on one PostgreSQL store whose account allows two tasks
//! at once, against a simulated Kling that refuses (1303) a third. The store's gate, not
//! the provider's refusals, keeps the count: the simulator never sees a third task nor a
//! refused create, every job is done once, and waiting jobs say why they wait. An engine
//! killed mid-run: `killed_engine.rs`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::EngineHandle;
use shotdeck::engine::events::{JobCmd, JobEvent, JobPhase, SubmitOptions, SubmitRequest};
use shotdeck::engine::store::JobStore;
use shotdeck::engine::store::pg::PgOptions;
use shotdeck::sim::{Faults, SimConfig, SimServer};
use shotdeck_core::model::Board;
use shotdeck_core::store_url::StoreUrl;
use tokio::sync::mpsc;

use crate::engines::{engine, machine_on};
use crate::support;

pub(crate) const ACCOUNT: &str = "studio-a";
pub(crate) const LIMIT: i32 = 2;

async fn sim() -> SimServer {
    sim_allowing(LIMIT as u32).await
}

/// A simulated Kling whose account runs at most `limit` tasks at once.
pub(crate) async fn sim_allowing(limit: u32) -> SimServer {
    let config = SimConfig {
        task_seconds: 0.3,
        faults: Faults {
            max_in_flight: Some(limit),
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    SimServer::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

pub(crate) fn options(server: &str) -> PgOptions {
    let mut options = PgOptions::new(StoreUrl::parse(server).unwrap()).account(ACCOUNT);
    options.max_in_flight = LIMIT;
    options
}

/// A board file in `dir`, and its content.
pub(crate) fn board(dir: &std::path::Path) -> (std::path::PathBuf, Board) {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let path = dir.join("noir.json");
    std::fs::copy(examples.join("noir-3-shot.json"), &path).unwrap();
    let board = shotdeck::files::board_file::load(&path).unwrap();
    (path, board)
}

pub(crate) async fn submit(cmd: &mpsc::Sender<JobCmd>, path: &std::path::Path, board: &Board) {
    let request = SubmitRequest::new(
        path,
        board.clone(),
        Provider::Kling,
        SubmitOptions::default(),
    );
    cmd.send(JobCmd::Submit(request)).await.unwrap();
}

/// Every status message `handle`'s events show, collected into `seen` (reading the events
/// also keeps the engine's outbox from filling).
pub(crate) fn collect_status(
    mut handle: EngineHandle,
    seen: Arc<Mutex<Vec<String>>>,
) -> EngineParts {
    let mut events = std::mem::replace(&mut handle.event_rx, mpsc::channel(1).1);
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let view = match event {
                JobEvent::Updated(v) | JobEvent::Submitted { job: v, .. } => v,
                _ => continue,
            };
            if let Some(m) = view.status_msg {
                seen.lock().unwrap().push(m);
            }
        }
    });
    EngineParts {
        cmd: handle.cmd_tx,
        task: handle.task,
    }
}

pub(crate) struct EngineParts {
    pub(crate) cmd: mpsc::Sender<JobCmd>,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

/// Waits until `n` jobs are recorded and none is active any more.
pub(crate) async fn settle(store: &dyn JobStore, n: usize, within: Duration) {
    settle_leaving(store, n, within, |_| false).await
}

/// [`settle`], counting as settled the jobs `left` says wait for someone else (another
/// machine's download).
pub(crate) async fn settle_leaving(
    store: &dyn JobStore,
    n: usize,
    within: Duration,
    left: impl Fn(&shotdeck::engine::events::JobView) -> bool,
) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let recorded = store.counts().await.unwrap().of(None);
        let unfinished = store.unfinished().await.unwrap();
        let active = unfinished
            .iter()
            .filter(|v| v.phase != JobPhase::NotSent && !left(v));
        if recorded == n && active.count() == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not settled: {recorded} of {n} recorded; unfinished {unfinished:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A server, a fresh schema on it, a simulator with the account's limit, and a board.
pub(crate) struct Setup {
    pub(crate) server: String,
    pub(crate) schema: String,
    pub(crate) sim: SimServer,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) path: std::path::PathBuf,
    pub(crate) board: Board,
}

pub(crate) async fn setup() -> Option<Setup> {
    let server = support::server()?;
    let dir = tempfile::tempdir().unwrap();
    let (path, board) = board(dir.path());
    Some(Setup {
        server,
        schema: support::fresh_schema(),
        sim: sim().await,
        dir,
        path,
        board,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_engines_share_an_account_limit_of_two() {
    let Some(Setup {
        server,
        schema,
        sim,
        dir,
        path,
        board,
    }) = setup().await
    else {
        return;
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut engines = Vec::new();
    let mut stores = Vec::new();
    for host in ["host-a", "host-b", "host-c"] {
        let store = machine_on(options(&server), &schema, host).await;
        let handle = engine(&sim, store.clone(), &dir.path().join(host)).await;
        engines.push(collect_status(handle, seen.clone()));
        stores.push(store);
    }
    const EACH: usize = 3;
    for _ in 0..EACH {
        for e in &engines {
            submit(&e.cmd, &path, &board).await;
        }
    }
    let jobs = 3 * EACH;
    settle(&*stores[0], jobs, Duration::from_secs(90)).await;

    let all = stores[1].first_views(100).await.unwrap();
    assert_eq!(all.len(), jobs);
    for v in &all {
        assert_eq!(v.phase, JobPhase::Done, "{v:#?}");
    }
    let stats = sim.stats();
    assert!(
        stats.max_in_flight_seen <= LIMIT as u64,
        "the simulator saw {} tasks at once",
        stats.max_in_flight_seen
    );
    assert_eq!(stats.creates_accepted, jobs as u64, "one task per job");
    // Every create counted once, refused ones included: no 1303 was ever needed.
    assert_eq!(stats.creates_by_external_id.len(), jobs);
    assert!(
        stats.creates_by_external_id.values().all(|n| *n == 1),
        "a create was sent twice: {:?}",
        stats.creates_by_external_id
    );
    let seen = seen.lock().unwrap().clone();
    let full = format!("queued: {LIMIT} of {LIMIT} slots in use on account {ACCOUNT}");
    assert!(
        seen.iter().any(|m| m.starts_with(&full)),
        "no job said it waited for a slot: {seen:?}"
    );
    for e in engines {
        let _ = e.cmd.send(JobCmd::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), e.task).await;
    }
}

/// The store believes the account allows three tasks, but someone outside it uses one of
/// them (the simulator allows two): the third create is refused with 1303, nothing is
/// created, and the job goes back to the queue while the account's limit drops to what was
/// in flight. Every job still finishes, each with one task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1303_under_the_stores_count_requeues_the_job_and_lowers_the_limit() {
    let Some(t) = setup().await else {
        return;
    };
    let sim = sim_allowing(2).await;
    let mut options = options(&t.server);
    options.max_in_flight = 3;
    let store = machine_on(options, &t.schema, "host-a").await;
    const JOBS: usize = 6;
    let all = all_done(&t, &sim, store.clone(), &*store, JOBS).await;
    let stats = sim.stats();
    assert_eq!(stats.creates_accepted, JOBS as u64, "one task per job");
    let refused: u64 = stats.creates_by_external_id.values().map(|n| n - 1).sum();
    assert!(refused > 0, "the simulator never refused: {stats:?}");
    let mut requeued = 0;
    for v in &all {
        let history = store.history(v.id).await.unwrap();
        requeued += history
            .iter()
            .filter(|e| e.phase == JobPhase::Queued)
            .filter(|e| e.note.as_deref().is_some_and(|n| n.starts_with("1303")))
            .count();
    }
    assert_eq!(requeued as u64, refused, "every 1303 requeued its job");
    let raw = support::raw(&t.server, &t.schema).await;
    let lowered: Option<i32> = raw
        .query_one(
            "SELECT lowered_limit FROM accounts WHERE id = $1 AND lowered_until > now()",
            &[&ACCOUNT],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(lowered, Some(2));
}

/// Every job of `all` is done with one create at `sim`, or parked `not_sent` with none
/// (recorded but never sent when its engine died: only the user sends it now).
pub(crate) fn sent_once_or_never(all: &[shotdeck_core::jobs::JobView], sim: &SimServer) {
    let stats = sim.stats();
    for v in all {
        let sent = stats.creates_by_external_id.get(&v.external_task_id);
        match v.phase {
            JobPhase::Done => assert_eq!(sent, Some(&1), "{v:#?}"),
            JobPhase::NotSent => assert_eq!(sent, None, "{v:#?}"),
            _ => panic!("{v:#?}"),
        }
    }
}

/// One engine on `engine_store` runs `n` jobs of `t`'s board against `sim`; answers them
/// once `read` shows every one done (the engine shut down).
pub(crate) async fn all_done(
    t: &Setup,
    sim: &SimServer,
    engine_store: Arc<dyn JobStore>,
    read: &dyn JobStore,
    n: usize,
) -> Vec<shotdeck_core::jobs::JobView> {
    let a = collect_status(
        engine(sim, engine_store, &t.dir.path().join("a")).await,
        Arc::default(),
    );
    for _ in 0..n {
        submit(&a.cmd, &t.path, &t.board).await;
    }
    settle(read, n, Duration::from_secs(120)).await;
    let all = read.first_views(100).await.unwrap();
    assert!(all.iter().all(|v| v.phase == JobPhase::Done), "{all:#?}");
    let _ = a.cmd.send(JobCmd::Shutdown).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), a.task).await;
    all
}
