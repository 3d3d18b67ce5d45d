//! A create's answer is never thrown away: an engine told to stop while a create is on its
//! way waits for the answer and records the task, and an answer that arrives after the job
//! was taken from this engine (its lease lost) is still recorded on the job.

use shotdeck::core::provider::Provider;
use shotdeck::engine::EngineHandle;
use shotdeck::engine::events::JobPhase;
use shotdeck::engine::store::{CANCELLED_IN_DOUBT_CODE, Store, now_ms};
use shotdeck::sim::Faults;

use crate::support::*;

/// Every answer from the simulated gateway comes this late: the create is still on its
/// way when the test acts.
fn slow_answers(h: &Harness) {
    h.sim.set_faults(Faults {
        latency_ms: 1_500,
        ..Faults::default()
    });
}

/// A gateway submit whose create has left (the job is `submitting`) and is not answered.
async fn create_on_its_way(h: &Harness) -> (EngineHandle, Events, i64, String) {
    slow_answers(h);
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let (id, ext) = submit(
        h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Gateway,
    )
    .await;
    events
        .wait_for("the create on its way", |v| {
            v.id == id && v.phase == JobPhase::Submitting
        })
        .await;
    (engine, events, id, ext)
}

#[tokio::test]
async fn stopping_while_a_create_is_in_flight_records_its_answer() {
    let h = Harness::start(30.0).await;
    let (engine, _events, id, ext) = create_on_its_way(&h).await;
    shutdown(engine).await;
    let v = Store::open(&h.store_path())
        .unwrap()
        .view(id)
        .unwrap()
        .unwrap();
    assert_eq!(v.phase, JobPhase::Submitted, "{v:#?}");
    assert_eq!(v.task_id, h.sim.dashboard_task_id(&ext));
    assert!(v.task_id.is_some());
    assert_eq!(h.sim.stats().creates_accepted, 1);
}

#[tokio::test]
async fn a_create_answered_after_the_job_was_taken_still_records_its_task() {
    let h = Harness::start(30.0).await;
    let (engine, mut events, id, ext) = create_on_its_way(&h).await;
    // Another process takes the job while the create is out (here the user cancels it).
    let cancelled = Store::open(&h.store_path())
        .unwrap()
        .cancel(id, "other-process", now_ms())
        .unwrap();
    assert_eq!(cancelled.task_id, None);
    let v = events
        .wait_for("the late answer recorded", |v| {
            v.id == id && v.task_id.is_some()
        })
        .await;
    assert_eq!(v.task_id, h.sim.dashboard_task_id(&ext));
    let stored = Store::open(&h.store_path())
        .unwrap()
        .view(id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.task_id, v.task_id, "in the store, not only the log");
    assert_eq!(stored.phase, JobPhase::Failed);
    assert_eq!(
        stored.error.unwrap().code.as_deref(),
        Some(CANCELLED_IN_DOUBT_CODE)
    );
    shutdown(engine).await;
}
