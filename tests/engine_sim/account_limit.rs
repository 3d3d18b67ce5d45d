//! An account that may run one task at a time (the simulator's `max_in_flight`): the engine
//! backs off Kling's 429/1303 and every job still finishes, never over the limit.

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::JobPhase;
use shotdeck::sim::Faults;

use crate::support::*;

/// Submits `n` jobs to an engine on a one-task account, waits for every one to be done,
/// and stops the engine; answers the harness (the simulator's stats) and the jobs.
async fn on_a_one_task_account(n: usize) -> (Harness, Vec<(i64, String)>) {
    let h = Harness::start(0.3).await;
    h.sim.set_faults(Faults {
        max_in_flight: Some(1),
        ..Faults::default()
    });
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let mut jobs = Vec::new();
    for _ in 0..n {
        let board = "single-shot.json";
        jobs.push(submit(&h, &engine, &mut events, board, Provider::Kling).await);
    }
    for (id, _) in &jobs {
        let done = events.finished(*id).await;
        assert_eq!(done.phase, JobPhase::Done, "job {id}: {:?}", done.error);
    }
    shutdown(engine).await;
    (h, jobs)
}

#[tokio::test]
async fn three_jobs_on_a_one_task_account_all_finish_one_at_a_time() {
    let (h, jobs) = on_a_one_task_account(3).await;
    for (_, external_task_id) in &jobs {
        assert!(h.sim.dashboard_task_id(external_task_id).is_some());
    }
    let stats = h.sim.stats();
    assert_eq!(stats.creates_accepted, 3, "one task per job");
    assert_eq!(
        stats.max_in_flight_seen, 1,
        "never over the account's limit"
    );
}

/// One machine's store keeps no account: after a 1303 the engine holds its further creates
/// until one of its own tasks ends, so the account is asked about once per freed slot,
/// not by every waiting job on its backoff (before: dozens of refusals for six jobs).
#[tokio::test]
async fn after_a_refusal_creates_wait_for_one_of_ours_to_end() {
    let (h, _) = on_a_one_task_account(6).await;
    let stats = h.sim.stats();
    let sent: u64 = stats.creates_by_external_id.values().sum();
    assert_eq!(stats.creates_accepted, 6, "one task per job");
    assert_eq!(stats.max_in_flight_seen, 1);
    // The first burst (creates sent before the first refusal came back) and about one a
    // freed slot after it.
    let refused = sent - stats.creates_accepted;
    assert!(refused <= 6, "{refused} creates refused with 1303");
}
