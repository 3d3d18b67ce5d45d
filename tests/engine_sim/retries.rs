//! Second chances cost at most one more create: a job is retried once, however often the
//! retry is asked for, and polling a task again creates nothing.

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::Refusal;
use shotdeck::engine::events::{JobCmd, JobPhase, SubmitOptions, SubmitRequest};
use shotdeck::sim::{Faults, ScriptedFault};

use shotdeck::engine::EngineHandle;

use crate::support::*;

fn failing_tasks() -> Faults {
    Faults {
        task_failure_rate: 1.0,
        ..Faults::default()
    }
}

/// An engine with one job whose task the provider accepted and then failed; the faults
/// are cleared afterwards, so whatever is sent next succeeds.
async fn with_a_failed_job(h: &Harness) -> (EngineHandle, Events, i64) {
    h.sim.set_faults(failing_tasks());
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let (id, _) = submit(h, &engine, &mut events, "single-shot.json", Provider::Kling).await;
    assert_eq!(events.finished(id).await.phase, JobPhase::Failed);
    h.sim.set_faults(Faults::default());
    (engine, events, id)
}

/// A retry of job `id` with the board as it is on disk now.
fn board_retry(h: &Harness, id: i64) -> SubmitRequest {
    let board = h.board("single-shot.json");
    SubmitRequest::new(
        &board,
        shotdeck::files::board_file::load(&board).unwrap(),
        Provider::Kling,
        SubmitOptions {
            retry_of: Some(id),
            ..SubmitOptions::default()
        },
    )
}

#[tokio::test]
async fn a_failed_job_is_retried_once_however_often_retry_is_asked_for() {
    let h = Harness::start(0.3).await;
    let (engine, mut events, id) = with_a_failed_job(&h).await;
    let creates_before = h.sim.stats().creates_accepted;

    // Two quick stored-request retries and a retry of the board as it is now, all queued
    // before the engine has answered any of them.
    engine.cmd_tx.try_send(JobCmd::Retry(id)).unwrap();
    engine.cmd_tx.try_send(JobCmd::Retry(id)).unwrap();
    let board_retry = board_retry(&h, id);
    let ticket = board_retry.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(board_retry)).unwrap();

    let retried = events.wait_for("the retry", |v| v.id != id).await;
    let refusal = events.refusal(ticket).await;
    assert!(
        matches!(refusal, Refusal::AlreadyRetried { id: of, .. } if of == id),
        "{refusal:?}"
    );
    let refusal = refusal.to_string();
    let expected = format!("job {id} was already retried as job {}", retried.id);
    assert!(refusal.contains(&expected), "{refusal}");
    assert!(refusal.contains("nothing was sent"), "{refusal}");
    let done = events.finished(retried.id).await;
    assert_eq!(done.phase, JobPhase::Done, "{:?}", done.error);
    assert!(
        events
            .rejections
            .iter()
            .any(|r| r.to_string().contains(&expected)),
        "the second Retry is refused too: {:?}",
        events.rejections
    );
    assert_eq!(events.latest.len(), 2, "one new job: {:#?}", events.latest);
    assert_eq!(h.sim.stats().creates_accepted, creates_before + 1);

    // After the retry finished, asking again is still refused, naming the retry.
    engine.cmd_tx.try_send(JobCmd::Retry(id)).unwrap();
    let reason = events.rejection().await.to_string();
    assert!(reason.contains(&expected), "{reason}");
    assert_eq!(h.sim.stats().creates_accepted, creates_before + 1);
    shutdown(engine).await;
}

#[tokio::test]
async fn a_retry_of_the_board_is_a_submit_linked_to_the_job_it_retries() {
    let h = Harness::start(0.3).await;
    let (engine, mut events, id) = with_a_failed_job(&h).await;
    let request = board_retry(&h, id);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let job = events.job_for(ticket).await;
    assert_eq!(events.finished(job.id).await.phase, JobPhase::Done);
    let store = shotdeck::engine::store::Store::open(&h.store_path()).unwrap();
    assert_eq!(store.record(job.id).unwrap().unwrap().retry_of, Some(id));
    assert_eq!(
        store.retries_of(id).unwrap(),
        vec![(job.id, JobPhase::Done)]
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn polling_a_failed_task_again_creates_nothing() {
    let h = Harness::start(0.3).await;
    // The simulated task stays failed: faults are decided when a task is created.
    let (engine, mut events, id) = with_a_failed_job(&h).await;
    let failed = events.latest[&id].clone();
    let task = failed.task_id.clone().expect("the provider accepted it");
    let stats = h.sim.stats();
    let polls_before = stats.queries_by_task.get(&task).copied().unwrap_or(0);

    engine.cmd_tx.try_send(JobCmd::Repoll(id)).unwrap();
    let reopened = events.reached(id, JobPhase::Submitted).await;
    assert!(reopened.error.is_none() && reopened.finished_at.is_none());
    // The provider still says failed: the job ends where it was, with one more poll.
    let again = events
        .wait_for("the job to fail again", |v| {
            v.id == id && v.phase == JobPhase::Failed && v.updated_at > reopened.updated_at
        })
        .await;
    assert!(again.error.is_some());
    let stats = h.sim.stats();
    assert!(stats.queries_by_task[&task] > polls_before);
    assert_eq!(stats.creates_accepted, 1, "no new task");
    assert_eq!(events.latest.len(), 1, "no new job");
    shutdown(engine).await;
}

#[tokio::test]
async fn a_job_the_provider_never_accepted_has_nothing_to_poll() {
    let h = Harness::start(0.3).await;
    h.sim.set_faults(Faults {
        script: vec![ScriptedFault::Balance],
        ..Faults::default()
    });
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
    let failed = events.finished(id).await;
    assert!(failed.task_id.is_none(), "{failed:?}");
    engine.cmd_tx.try_send(JobCmd::Repoll(id)).unwrap();
    let refusal = events.rejection().await;
    assert!(matches!(refusal, Refusal::NoTaskId { .. }), "{refusal:?}");
    let reason = refusal.to_string();
    assert!(reason.contains("has no task id"), "{reason}");
    assert_eq!(h.sim.stats().creates_accepted, 0);
    shutdown(engine).await;
}
