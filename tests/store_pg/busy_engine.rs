//! The gate's cost and a busy engine's queue, on PostgreSQL, with the engine's store wrapped
//! in a `Tap` that counts its calls and can hold them.
//!
//! - Only the first of an engine's jobs waiting for a slot asks the gate: 30 jobs on an
//!   account of two slots cost a few `take_slot` calls each, not one per waiting job per
//!   tick (which grew with the queue: ~50 a job in the team benchmark).
//! - An engine alive but too busy to get anything but its heartbeat through for longer than
//!   a lease keeps its queued jobs: another engine does not adopt (and park) them. A dead
//!   engine's queued jobs are still parked `not_sent` one lease after its last heartbeat.

use std::sync::Arc;
use std::time::Duration;

use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::engine::store::JobStore;
use shotdeck::engine::store::tap::{Hold, Tap};
use shotdeck::sim::{Faults, SimConfig, SimServer};

use crate::account_gate::{
    LIMIT, all_done, collect_status, options, sent_once_or_never, settle, setup, submit,
};
use crate::engines::{engine, machine_on};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_first_waiting_job_of_an_engine_asks_the_gate() {
    let Some(t) = setup().await else {
        return;
    };
    let store = machine_on(options(&t.server), &t.schema, "host-a").await;
    let tap = Tap::new(store.clone());
    const JOBS: usize = 30;
    all_done(&t, &t.sim, tap.clone(), &*store, JOBS).await;
    assert!(t.sim.stats().max_in_flight_seen <= LIMIT as u64);
    let calls = tap.calls();
    let asked = calls.get("take_slot").copied().unwrap_or(0);
    let per_job = asked as f64 / JOBS as f64;
    eprintln!("take_slot: {asked} calls for {JOBS} jobs ({per_job:.1} a job); all: {calls:?}");
    assert!(
        asked >= JOBS as u64,
        "every job asked at least once: {calls:?}"
    );
    assert!(
        per_job <= 10.0,
        "{asked} take_slot calls for {JOBS} jobs: the waiting jobs all ask"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_engine_whose_heartbeat_lives_keeps_its_queued_jobs() {
    let not_sent = held_while_two_wait(Hold::AllButRenewals).await;
    assert_eq!(not_sent, Some(0), "a live engine's queued jobs were parked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_engines_queued_jobs_are_still_parked_not_sent() {
    let not_sent = held_while_two_wait(Hold::Everything).await;
    assert_eq!(
        not_sent,
        Some(2),
        "a dead engine's queued jobs were not parked"
    );
}

/// Engine A runs four jobs on an account of two slots whose tasks take 3 s; once two are
/// in flight and two wait, A's store calls are held (`hold`) for three leases while engine
/// B watches the store. Answers how many jobs ended `not_sent` (`None`: no server).
async fn held_while_two_wait(hold: Hold) -> Option<usize> {
    let t = setup().await?;
    let sim = SimServer::start(
        SimConfig {
            task_seconds: 3.0,
            faults: Faults {
                max_in_flight: Some(LIMIT as u32),
                ..Faults::default()
            },
            ..SimConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let store_a = machine_on(options(&t.server), &t.schema, "host-a").await;
    let tap = Tap::new(store_a.clone());
    let a = collect_status(
        engine(&sim, tap.clone(), &t.dir.path().join("a")).await,
        Arc::default(),
    );
    const JOBS: usize = 4;
    for _ in 0..JOBS {
        submit(&a.cmd, &t.path, &t.board).await;
    }
    // The second engine on the same machine: one on another host would leave the videos of
    // A's jobs to host-a (this test is about queued jobs and leases, not where files land).
    let store_b = machine_on(options(&t.server), &t.schema, "host-a").await;
    wait_until(&*store_b, |vs| {
        vs.len() == JOBS
            && vs.iter().filter(|v| v.phase == JobPhase::Queued).count() == 2
            && vs
                .iter()
                .filter(|v| matches!(v.phase, JobPhase::Submitted | JobPhase::Processing))
                .count()
                == 2
    })
    .await;
    let b = collect_status(
        engine(&sim, store_b.clone(), &t.dir.path().join("b")).await,
        Arc::default(),
    );
    tap.hold(hold);
    // Three leases (the tests' lease is 0.9 s): long enough for B to adopt what lapsed.
    tokio::time::sleep(Duration::from_millis(2700)).await;
    if hold == Hold::Everything {
        // Dead for good: B parks the queued jobs and finishes the two in flight.
        wait_until(&*store_b, |vs| {
            vs.iter()
                .all(|v| matches!(v.phase, JobPhase::NotSent | JobPhase::Done))
        })
        .await;
    }
    tap.release();
    settle(&*store_b, JOBS, Duration::from_secs(60)).await;
    let all = store_b.first_views(100).await.unwrap();
    sent_once_or_never(&all, &sim);
    for e in [a, b] {
        let _ = e.cmd.send(JobCmd::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), e.task).await;
    }
    Some(all.iter().filter(|v| v.phase == JobPhase::NotSent).count())
}

/// Waits (up to 30 s) until the store's jobs satisfy `done`.
async fn wait_until(store: &dyn JobStore, done: impl Fn(&[shotdeck_core::jobs::JobView]) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let views = store.first_views(100).await.unwrap();
        if done(&views) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{views:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
