//! Jobs nothing was sent for, and jobs the user stops waiting for: a submit interrupted
//! before sending is never sent by the next engine on its own; `Send` sends it once;
//! `Cancel` stops all work and says what may still be charged.

use shotdeck::engine::events::{Action, Refusal};
use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::engine::store::{CANCELLED_CODE, Store};

use crate::restart::recorded_job;
use crate::support::*;

#[tokio::test]
async fn a_job_left_queued_by_a_killed_submit_waits_until_the_user_sends_it() {
    let h = Harness::start(0.3).await;
    let (id, job) = recorded_job(&h, Provider::Kling);
    let mut engine = h.engine().await;
    let parked = engine.initial_jobs.iter().find(|v| v.id == id).unwrap();
    assert_eq!(parked.phase, JobPhase::NotSent);
    let mut events = Events::new(&mut engine);
    // However long the engine runs, nothing is sent by itself.
    tokio::time::sleep(Duration::from_millis(500)).await;
    events.drain();
    assert_eq!(
        events.latest.get(&id).map(|v| v.phase),
        Some(JobPhase::NotSent)
    );
    assert_eq!(h.sim.stats().creates_accepted, 0);
    assert_eq!(h.sim.stats().api_requests, 0);
    let history = Store::open(&h.store_path()).unwrap().history(id).unwrap();
    let note = history.last().unwrap().note.clone().unwrap();
    assert!(note.contains(&format!("shotdeck jobs send {id}")), "{note}");

    engine.cmd_tx.try_send(JobCmd::Send(id)).unwrap();
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(
        h.sim.stats().creates_by_external_id[&job.external_task_id],
        1
    );
    // A second send is refused: the job was sent.
    engine.cmd_tx.try_send(JobCmd::Send(id)).unwrap();
    let refusal = events.rejection().await;
    assert!(
        matches!(
            refusal,
            Refusal::WrongPhase {
                action: Action::Send,
                ..
            }
        ),
        "{refusal:?}"
    );
    let reason = refusal.to_string();
    assert!(
        reason.contains("only a job that was never sent"),
        "{reason}"
    );
    assert_eq!(h.sim.stats().creates_accepted, 1);
    shutdown(engine).await;
}

#[tokio::test]
async fn a_submit_still_running_in_its_own_process_is_left_alone() {
    let h = Harness::start(0.3).await;
    let (id, _) = recorded_job(&h, Provider::Kling);
    // The recording process is alive: its lease runs for a while yet.
    let store = Store::open(&h.store_path()).unwrap();
    let until = shotdeck::engine::store::now_ms() + 60_000;
    assert!(store.take_lease(id, "crashed", until, 0).unwrap());
    let engine = h.engine().await;
    let v = engine.initial_jobs.iter().find(|v| v.id == id).unwrap();
    assert_eq!(
        v.phase,
        JobPhase::Queued,
        "not parked while its submitter lives"
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn cancel_stops_polling_and_says_the_task_may_still_be_charged() {
    let h = Harness::start(30.0).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let (id, _) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    let running = events
        .wait_for("a task id", |v| v.id == id && v.task_id.is_some())
        .await;
    engine.cmd_tx.try_send(JobCmd::Cancel(id)).unwrap();
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Failed);
    let e = v.error.unwrap();
    assert_eq!(e.code.as_deref(), Some(CANCELLED_CODE));
    let task = running.task_id.unwrap();
    assert!(
        e.message.contains(&task) && e.message.contains("charged"),
        "{}",
        e.message
    );
    let polls = h.sim.stats().api_requests;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(h.sim.stats().api_requests, polls, "no more polls");
    shutdown(engine).await;
}
