//! An account that may run one task at a time (the simulator's `max_in_flight`): the engine
//! backs off Kling's 429/1303 and every job still finishes, never over the limit.

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::JobPhase;
use shotdeck::sim::Faults;

use crate::support::*;

#[tokio::test]
async fn three_jobs_on_a_one_task_account_all_finish_one_at_a_time() {
    let h = Harness::start(0.3).await;
    h.sim.set_faults(Faults {
        max_in_flight: Some(1),
        ..Faults::default()
    });
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let mut jobs = Vec::new();
    for _ in 0..3 {
        jobs.push(
            submit(
                &h,
                &engine,
                &mut events,
                "single-shot.json",
                Provider::Kling,
            )
            .await,
        );
    }
    for (id, external_task_id) in &jobs {
        let done = events.finished(*id).await;
        assert_eq!(done.phase, JobPhase::Done, "job {id}: {:?}", done.error);
        assert!(h.sim.dashboard_task_id(external_task_id).is_some());
    }
    let stats = h.sim.stats();
    assert_eq!(stats.creates_accepted, 3, "one task per job");
    assert_eq!(
        stats.max_in_flight_seen, 1,
        "never over the account's limit"
    );
    shutdown(engine).await;
}

/// One machine's store keeps no account: after a 1303 the engine holds its further creates
/// until one of its own tasks ends, so the account is asked about once per freed slot,
/// not by every waiting job on its backoff (before: dozens of refusals for six jobs).
#[tokio::test]
async fn after_a_refusal_creates_wait_for_one_of_ours_to_end() {
    let h = Harness::start(0.3).await;
    h.sim.set_faults(Faults {
        max_in_flight: Some(1),
        ..Faults::default()
    });
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let mut jobs = Vec::new();
    for _ in 0..6 {
        let board = "single-shot.json";
        jobs.push(submit(&h, &engine, &mut events, board, Provider::Kling).await);
    }
    for (id, _) in &jobs {
        let done = events.finished(*id).await;
        assert_eq!(done.phase, JobPhase::Done, "job {id}: {:?}", done.error);
    }
    let stats = h.sim.stats();
    let sent: u64 = stats.creates_by_external_id.values().sum();
    assert_eq!(stats.creates_accepted, 6, "one task per job");
    assert_eq!(stats.max_in_flight_seen, 1);
    // The first burst (creates sent before the first refusal came back) and about one a
    // freed slot after it.
    let refused = sent - stats.creates_accepted;
    assert!(refused <= 6, "{refused} creates refused with 1303");
    shutdown(engine).await;
}
