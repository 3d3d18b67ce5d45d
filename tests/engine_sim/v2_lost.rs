//! A Kling 3.0 Turbo create (the v2 design) whose answer is lost: the engine finds the task
//! with `GET /tasks?external_task_ids=<ours>` and polls it to its video, exactly one task
//! made; a create that never arrived is sent again only once its whole request timeout has
//! passed; odd lookup answers keep the create in doubt and are asked again, never re-sent.

use std::time::{Duration, Instant};

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase, SubmitOptions, SubmitRequest};
use shotdeck::engine::{Engine, EngineHandle};
use shotdeck::sim::ScriptedFault;

use crate::faults::script;
use crate::support::*;

/// Submits the single-shot example as a Kling 3.0 Turbo board (v2 by the model table).
async fn submit_turbo(h: &Harness, engine: &EngineHandle, events: &mut Events) -> (i64, String) {
    let path = h.board("single-shot.json");
    let mut board = shotdeck::files::board_file::load(&path).unwrap();
    board.model = "kling-v3-turbo".into();
    let request = SubmitRequest::new(&path, board, Provider::Kling, SubmitOptions::default());
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let job = events.job_for(ticket).await;
    (job.id, job.external_task_id)
}

// SQLite only: run beside `fetch_here`'s PostgreSQL wait test, a PostgreSQL run of this
// one made that test time out (not explained yet; each passes alone).
#[tokio::test]
async fn a_lost_v2_create_answer_is_found_by_its_external_id() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    // The create makes its task and loses its answer; the client's own lookup right after
    // meets a 500, so the engine's next step must find the task itself.
    h.sim.set_faults(script(&[
        ScriptedFault::DropAfterCreate,
        ScriptedFault::ServerError,
    ]));
    let (id, ext) = submit_turbo(&h, &engine, &mut events).await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    let stats = h.sim.stats();
    assert_eq!(stats.faults_injected, 2);
    assert_eq!(stats.creates_by_external_id[&ext], 1, "never re-sent");
    assert_eq!(stats.creates_accepted, 1);
    assert!(stats.external_lookups >= 1, "{stats:?}");
    assert_eq!(
        v.task_id.as_deref(),
        h.sim.dashboard_task_id(&ext).as_deref()
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn a_v2_create_that_never_arrived_is_sent_again_only_after_its_timeout() {
    let h = Harness::start(0.3).await;
    let mut config = h.config();
    let grace = Duration::from_secs(1);
    config.tuning.create_grace = grace;
    let mut engine = Engine::start(config).await.unwrap();
    let mut events = Events::new(&mut engine);
    // The connection is cut before the create is handled: nothing was made.
    h.sim.set_faults(script(&[ScriptedFault::Drop]));
    let started = Instant::now();
    let (id, ext) = submit_turbo(&h, &engine, &mut events).await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert!(
        started.elapsed() >= grace,
        "re-sent within the create's timeout"
    );
    let waited = events.history.iter().any(|v| {
        v.id == id
            && v.status_msg
                .as_deref()
                .is_some_and(|m| m.contains("does not list the task yet"))
    });
    assert!(waited, "the job said why it waited");
    let stats = h.sim.stats();
    assert_eq!(stats.creates_by_external_id[&ext], 1, "one create handled");
    assert_eq!(stats.creates_accepted, 1);
    assert!(stats.external_lookups >= 2, "{stats:?}");
    shutdown(engine).await;
}

#[tokio::test]
async fn odd_lookup_answers_keep_a_lost_v2_create_in_doubt_and_never_re_send_it() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    // The task is made, its answer lost; then three unreadable lookup answers (the client's
    // own, then two of the engine's: one fewer than `odd_answer_limit`).
    h.sim.set_faults(script(&[
        ScriptedFault::DropAfterCreate,
        ScriptedFault::Malformed,
        ScriptedFault::Malformed,
        ScriptedFault::Malformed,
    ]));
    let (id, ext) = submit_turbo(&h, &engine, &mut events).await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    let in_doubt = events.history.iter().any(|v| {
        v.id == id
            && v.error
                .as_ref()
                .is_some_and(|e| e.message.contains("stays in doubt, nothing is re-sent"))
    });
    assert!(in_doubt, "the job said it stays in doubt");
    let stats = h.sim.stats();
    assert_eq!(stats.faults_injected, 4);
    assert_eq!(stats.creates_by_external_id[&ext], 1, "never re-sent");
    assert_eq!(stats.creates_accepted, 1);
    shutdown(engine).await;
}

#[tokio::test]
async fn a_v2_lookup_that_keeps_answering_oddly_waits_for_the_user() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let mut faults = vec![ScriptedFault::DropAfterCreate];
    faults.extend([ScriptedFault::Malformed; 4]);
    h.sim.set_faults(script(&faults));
    let (id, ext) = submit_turbo(&h, &engine, &mut events).await;
    let waiting = events.settled(id).await;
    assert_eq!(waiting.phase, JobPhase::NeedsAttention, "{waiting:?}");
    let message = waiting.error.expect("says what to do").message;
    assert!(message.contains("Kling's console"), "{message}");
    assert!(message.contains(&format!("shotdeck jobs attach {id} TASK_ID")));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.sim.stats().creates_by_external_id[&ext], 1);
    shutdown(engine).await;
}
