//! Faults the simulated backend injects, and what the engine makes of them.

use shotdeck::core::provider::Provider;
use shotdeck::engine::Engine;
use shotdeck::engine::events::JobPhase;
use shotdeck::engine::events::{Action, Refusal};
use shotdeck::sim::{Faults, ScriptedFault, SimKeys};

use crate::support::*;

pub(crate) fn script(faults: &[ScriptedFault]) -> Faults {
    Faults {
        script: faults.to_vec(),
        ..Faults::default()
    }
}

#[tokio::test]
async fn a_wrong_secret_fails_the_job_with_the_auth_code() {
    let h = Harness::start(0.5).await;
    let wrong = SimKeys {
        secret_key: "not-the-secret".into(),
        ..SimKeys::demo()
    };
    let mut engine = Engine::start(h.config_with_keys(wrong)).await.unwrap();
    let mut events = Events::new(&mut engine);
    let (id, ext) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Failed);
    let err = v.error.unwrap();
    assert_eq!(err.code.as_deref(), Some("1002"), "{}", err.message);
    assert!(
        err.message.contains("check the API keys"),
        "{}",
        err.message
    );
    assert!(!err.retryable);
    assert!(!h.sim.stats().creates_by_external_id.contains_key(&ext));
    assert_eq!(h.sim.stats().creates_accepted, 0);
    shutdown(engine).await;
}

#[tokio::test]
async fn a_rate_limit_storm_is_waited_out_with_bounded_requests() {
    let h = Harness::start(0.6).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let mut jobs = Vec::new();
    for provider in [Provider::Kling, Provider::Gateway] {
        jobs.push(submit(&h, &engine, &mut events, "single-shot.json", provider).await);
    }
    for (id, _) in &jobs {
        events
            .wait_for("a task id", |v| v.id == *id && v.task_id.is_some())
            .await;
    }
    // Three 429s (Retry-After: 1 s) on the polls: the engine backs off, every job holds
    // off together, and one job is limited twice in a row.
    h.sim.set_faults(script(&[ScriptedFault::RateLimit; 3]));
    for (id, ext) in &jobs {
        let v = events.finished(*id).await;
        assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
        assert_eq!(v.error, None, "cleared once the storm passed");
        assert_eq!(h.sim.stats().creates_by_external_id[ext], 1);
    }
    let stats = h.sim.stats();
    assert_eq!(stats.faults_injected, 3);
    // Two creates, the 429s, and polls at ≤ one per 100 ms per job while tasks run; the
    // storm's waits add none (they are spent holding off, not asking).
    assert!(
        stats.api_requests <= 2 + 3 + 2 * 10,
        "{} requests",
        stats.api_requests
    );
    assert!(
        events.history.iter().any(|v| v
            .error
            .as_ref()
            .is_some_and(|e| e.retryable && e.code.is_some())),
        "the storm was shown while it lasted"
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    h.sim.set_faults(script(&[ScriptedFault::ServerError; 5]));
    let (id, ext) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(v.error, None, "cleared once the server recovered");
    let stats = h.sim.stats();
    assert_eq!(stats.creates_by_external_id[&ext], 1);
    assert_eq!(stats.faults_injected, 5);
    shutdown(engine).await;
}

crate::on_both_backends!(
    a_lost_create_answer_is_reconciled_not_resent,
    super::lost_create_answer_is_reconciled
);

async fn lost_create_answer_is_reconciled(backend: Backend) {
    let h = Harness::on(backend, 0.3).await;
    let mut engine = h.engine_on("host-a").await;
    let mut events = Events::new(&mut engine);
    h.sim.set_faults(script(&[ScriptedFault::DropAfterCreate]));
    let (id, ext) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    let stats = h.sim.stats();
    assert_eq!(stats.creates_by_external_id[&ext], 1);
    assert_eq!(stats.creates_accepted, 1);
    shutdown(engine).await;
}

#[tokio::test]
async fn a_lost_create_answer_at_a_gateway_waits_for_the_user_then_attaches() {
    for provider in [Provider::Gateway, Provider::KlingRelay] {
        let h = Harness::start(0.3).await;
        let mut engine = h.engine().await;
        let mut events = Events::new(&mut engine);
        h.sim.set_faults(script(&[ScriptedFault::DropAfterCreate]));
        let (id, ext) = submit(&h, &engine, &mut events, "single-shot.json", provider).await;
        let waiting = events.settled(id).await;
        assert_eq!(waiting.phase, JobPhase::NeedsAttention, "{provider}");
        let err = waiting.error.clone().expect("says what to do");
        assert!(!err.retryable, "{provider}");
        assert!(
            err.message
                .contains(&format!("shotdeck jobs attach {id} TASK_ID")),
            "{provider}: {}",
            err.message
        );
        assert!(
            err.message.contains(&format!("shotdeck jobs lost {id}")),
            "{provider}"
        );
        // Nothing is re-sent, however long the engine runs.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let stats = h.sim.stats();
        assert_eq!(stats.creates_by_external_id[&ext], 1, "{provider}");
        assert_eq!(stats.creates_accepted, 1, "{provider}");

        let task = h
            .sim
            .dashboard_task_id(&ext)
            .expect("made despite the lost answer");
        let v = settle_as_user(&h, &engine, &mut events, waiting).await;
        assert_eq!(v.phase, JobPhase::Done, "{provider}: {:?}", v.error);
        assert_eq!(v.task_id.as_deref(), Some(task.as_str()));
        assert_eq!(h.sim.stats().creates_by_external_id[&ext], 1, "{provider}");
        shutdown(engine).await;
    }
}

#[tokio::test]
async fn malformed_answers_are_survived_and_never_end_an_accepted_task() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);

    // A malformed create answer (nothing created) and one malformed poll: recovers.
    h.sim.set_faults(script(&[
        ScriptedFault::Malformed,
        ScriptedFault::Truncated,
    ]));
    let (id, ext) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(h.sim.stats().creates_by_external_id[&ext], 1);

    // Nothing but garbage while polling: the accepted task is never given up. The job
    // shows what it waits for and asks at a bounded rate until answers make sense again.
    let (id, ext) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    events
        .wait_for("a task id", |v| v.id == id && v.task_id.is_some())
        .await;
    h.sim.set_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let shown = events
        .wait_for("the garbage shown", |v| {
            v.id == id
                && v.error
                    .as_ref()
                    .is_some_and(|e| e.message.contains("retry 6"))
        })
        .await;
    assert!(shown.phase.is_active(), "{shown:#?}");
    let e = shown.error.unwrap();
    assert!(
        e.retryable && e.message.contains("malformed response"),
        "{e:?}"
    );
    assert!(e.message.contains("poll retry 6 in"), "{e:?}");
    let before = h.sim.stats().api_requests;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let asked = h.sim.stats().api_requests - before;
    assert!(
        asked <= 5,
        "{asked} polls in 500 ms with a 100 ms schedule and backoff"
    );
    h.sim.set_faults(Faults::default());
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(h.sim.stats().creates_by_external_id[&ext], 1);
    shutdown(engine).await;
}

#[tokio::test]
async fn an_exhausted_balance_fails_after_exactly_one_create() {
    for (provider, code) in [
        (Provider::Kling, "1102"),
        (Provider::Gateway, "quota_not_enough"),
        (Provider::KlingRelay, "1102"),
    ] {
        let h = Harness::start(0.3).await;
        h.sim.set_faults(Faults {
            balance_exhausted: true,
            ..Faults::default()
        });
        let mut engine = h.engine().await;
        let mut events = Events::new(&mut engine);
        let (id, ext) = submit(&h, &engine, &mut events, "single-shot.json", provider).await;
        let v = events.finished(id).await;
        assert_eq!(v.phase, JobPhase::Failed);
        let err = v.error.unwrap();
        assert_eq!(
            err.code.as_deref(),
            Some(code),
            "{provider}: {}",
            err.message
        );
        assert!(!err.retryable);
        let stats = h.sim.stats();
        assert_eq!(
            stats.creates_by_external_id[&ext], 1,
            "{provider}: never retried"
        );
        assert_eq!(stats.api_requests, 1, "{provider}");
        shutdown(engine).await;
    }
}

#[tokio::test]
async fn a_failed_task_fails_the_job_with_the_providers_reason() {
    let h = Harness::start(0.3).await;
    h.sim.set_faults(Faults {
        task_failure_rate: 1.0,
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
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Failed);
    let err = v.error.unwrap();
    assert!(
        ["Content safety check failed", "Internal generation error"]
            .contains(&err.message.as_str()),
        "{}",
        err.message
    );
    assert_eq!(v.status_msg.as_deref(), Some(err.message.as_str()));
    assert!(v.files.is_empty());

    // Retry sends the stored request again under a new idempotency key.
    h.sim.set_faults(Faults::default());
    engine
        .cmd_tx
        .try_send(shotdeck::engine::events::JobCmd::Retry(id))
        .unwrap();
    let retried = events.wait_for("the retry", |v| v.id != id).await;
    assert_ne!(retried.external_task_id, v.external_task_id);
    let done = events.finished(retried.id).await;
    assert_eq!(done.phase, JobPhase::Done, "{:?}", done.error);
    assert_eq!(
        h.sim.stats().creates_by_external_id[&done.external_task_id],
        1
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn retrying_an_active_job_is_refused() {
    let h = Harness::start(5.0).await;
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
    engine
        .cmd_tx
        .try_send(shotdeck::engine::events::JobCmd::Retry(id))
        .unwrap();
    let refusal = events.rejection().await;
    assert!(
        matches!(
            refusal,
            Refusal::WrongPhase {
                action: Action::Retry,
                ..
            }
        ),
        "{refusal:?}"
    );
    let reason = refusal.to_string();
    assert!(reason.contains(&format!("job {id} is still")), "{reason}");
    shutdown(engine).await;
}
