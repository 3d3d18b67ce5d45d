//! A slot given back on one machine is taken by another machine's first waiting job at
//! once: the store's `slots` channel rings it, not its housekeeping tick, which is 10 s
//! here (the job would otherwise ask again only then).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use shotdeck::engine::events::{JobPhase, PhaseEvent};
use shotdeck::engine::store::JobStore;

use crate::account_gate::{board, collect_status, options, settle, sim_allowing, submit};
use crate::engines::{engine_tuned, machine_on, tuning};
use crate::support;

/// When `history` first reached a phase `p` says yes to.
fn first_at(history: &[PhaseEvent], p: impl Fn(JobPhase) -> bool) -> i64 {
    let e = history.iter().find(|e| p(e.phase));
    e.unwrap_or_else(|| panic!("{history:#?}")).at
}

async fn phase_of(store: &dyn JobStore, id: i64) -> JobPhase {
    let views = store.views(vec![id]).await.unwrap();
    views.first().unwrap().phase
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_freed_on_one_engine_is_taken_by_anothers_first_job_before_its_tick() {
    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    // Tasks of 0.3 s on an account of one.
    let sim = sim_allowing(1).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, board) = board(dir.path());
    // Housekeeping (and a waiting job's own asking) every 10 s: far slower than the task.
    let slow = shotdeck::engine::Tuning {
        watch_interval: Duration::from_secs(10),
        lease_ttl: Duration::from_secs(30),
        ..tuning()
    };
    assert_eq!(slow.tick(), Duration::from_secs(10));
    let mut one_slot = options(&server);
    one_slot.max_in_flight = 1;
    let (mut engines, mut stores) = (Vec::new(), Vec::new());
    let seen = Arc::new(Mutex::new(Vec::new()));
    for host in ["host-a", "host-b"] {
        let store = machine_on(one_slot.clone(), &schema, host).await;
        let base = sim.base_url();
        let handle = engine_tuned(base, store.clone(), &dir.path().join(host), slow.clone()).await;
        engines.push(collect_status(handle, seen.clone()));
        stores.push(store);
    }
    let store = stores[1].clone();
    submit(&engines[0].cmd, &path, &board).await;
    // Job 1 (host-a's) holds the account's one slot before job 2 (host-b's) is recorded.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let views = store.first_views(10).await.unwrap();
        if views.len() == 1 && views[0].phase.is_active() && views[0].phase != JobPhase::Queued {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{views:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    submit(&engines[1].cmd, &path, &board).await;
    settle(&*store, 2, Duration::from_secs(60)).await;

    let ids: Vec<i64> = {
        let mut views = store.first_views(10).await.unwrap();
        views.sort_by_key(|v| v.id);
        views.iter().map(|v| v.id).collect()
    };
    for id in &ids {
        assert_eq!(phase_of(&*store, *id).await, JobPhase::Done);
    }
    let (one, two) = (
        store.history(ids[0]).await.unwrap(),
        store.history(ids[1]).await.unwrap(),
    );
    let holds = |p: JobPhase| {
        matches!(
            p,
            JobPhase::Submitting | JobPhase::Submitted | JobPhase::Processing
        )
    };
    let freed = first_at(&one, |p| p == JobPhase::Downloading);
    let queued = first_at(&two, |p| p == JobPhase::Queued);
    let taken = first_at(&two, holds);
    assert!(queued < freed, "job 2 came while job 1 held the slot");
    // It was told to wait: the slot was in use when it asked.
    let waited = seen
        .lock()
        .unwrap()
        .iter()
        .any(|m| m.contains("1 of 1 slots"));
    assert!(waited, "{:?}", seen.lock().unwrap());
    // Taken seconds before host-b's tick (10 s after job 2 first asked) would have asked.
    assert!(
        taken - queued < 6_000,
        "job 2 waited {} ms for the slot freed {} ms after it was queued",
        taken - queued,
        freed - queued
    );
    assert!(taken >= freed, "never two at once");
    assert_eq!(sim.stats().max_in_flight_seen, 1);
}
