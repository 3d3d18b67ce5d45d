//! What the tests do as the user would: submit a board, attach a task found on a dashboard,
//! mark a job lost, stop the engine.

use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::EngineHandle;
use shotdeck::engine::events::{JobCmd, JobPhase, JobView};
use shotdeck::engine::store::{Resolution, ResolveError, Store, now_ms};

use super::{Events, Harness, PATIENCE};

/// Submits `board` through `engine` and returns the recorded job's id and external id.
pub async fn submit(
    h: &Harness,
    engine: &EngineHandle,
    events: &mut Events,
    example: &str,
    provider: Provider,
) -> (i64, String) {
    let request = h.submit_request(&h.board(example), provider);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let job = events.job_for(ticket).await;
    (job.id, job.external_task_id)
}

/// Plays the user who found the task on the gateway's dashboard: `jobs attach ID TASK_ID`
/// through the store, then asks the engine to pick the job up.
pub async fn attach(h: &Harness, engine: &EngineHandle, id: i64, task_id: &str) {
    let attach = Resolution::Attach(task_id.to_string());
    let v = resolve(h, id, &attach).await;
    assert_eq!(v.phase, JobPhase::Submitted);
    engine.cmd_tx.try_send(JobCmd::Refresh).unwrap();
}

/// The user's answer, once the engine that parked the job has let go of it (its worker
/// reports the phase a moment before its lease is released).
async fn resolve(h: &Harness, id: i64, resolution: &Resolution) -> JobView {
    let mut store = Store::open(&h.store_path()).unwrap();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match store.resolve_attention(id, resolution, "test-user", now_ms()) {
            Err(ResolveError::Busy(_)) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => return other.unwrap(),
        }
    }
}

/// Plays the user for a settled job: one waiting for attention is attached to the task the
/// gateway's dashboard shows and followed to its end, or marked lost when there is none.
pub async fn settle_as_user(
    h: &Harness,
    engine: &EngineHandle,
    events: &mut Events,
    v: JobView,
) -> JobView {
    if v.phase != JobPhase::NeedsAttention {
        return v;
    }
    match h.sim.dashboard_task_id(&v.external_task_id) {
        Some(task) => {
            attach(h, engine, v.id, &task).await;
            events.finished(v.id).await
        }
        None => resolve(h, v.id, &Resolution::Lost).await,
    }
}

pub async fn shutdown(engine: EngineHandle) {
    let _ = engine.cmd_tx.try_send(JobCmd::Shutdown);
    tokio::time::timeout(PATIENCE, engine.task)
        .await
        .expect("the engine stops")
        .unwrap();
}

/// Asks the engine for `provider`'s element library, as the editor's `e` does.
pub fn ask_library(engine: &EngineHandle, provider: Provider) {
    engine
        .cmd_tx
        .try_send(JobCmd::Elements { provider })
        .expect("the engine takes commands");
}
