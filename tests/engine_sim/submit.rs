//! What the engine does with a front end's submit: it validates, keys and composes the job
//! itself, and it waits out a rate-limited create without holding a request slot.

use base64::Engine as _;
use shotdeck::core::provider::Provider;
use shotdeck::engine::Engine;
use shotdeck::engine::events::JobCmd;
use shotdeck::engine::events::Refusal;
use shotdeck::engine::store::{ListFilter, Store};
use shotdeck::files::board_file;
use shotdeck::sim::{Faults, ScriptedFault};

use crate::support::*;

#[tokio::test]
async fn a_board_with_errors_is_refused_naming_the_finding_and_nothing_is_recorded() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let path = h.board("single-shot.json");
    let mut board = board_file::load(&path).unwrap();
    board.duration = 40.0;
    board_file::save(&path, &board).unwrap();

    let request = h.submit_request(&path, Provider::Kling);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let refusal = events.refusal(ticket).await;
    assert!(matches!(refusal, Refusal::Findings(_)), "{refusal:?}");
    let reason = refusal.to_string();
    assert!(
        reason.contains("error duration:") && reason.ends_with("nothing was sent"),
        "{reason}"
    );
    assert!(events.submitted.is_empty());
    let stored = Store::open(&h.store_path())
        .unwrap()
        .list(&ListFilter::default())
        .unwrap();
    assert!(stored.is_empty(), "{stored:#?}");
    assert_eq!(h.sim.stats().api_requests, 0);
    shutdown(engine).await;
}

#[tokio::test]
async fn the_engine_keys_the_job_and_embeds_its_images() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let (id, ext) = submit(
        &h,
        &engine,
        &mut events,
        "image-to-video.json",
        Provider::Kling,
    )
    .await;
    assert!(ext.starts_with("shotdeck-"), "{ext}");
    let rec = Store::open(&h.store_path())
        .unwrap()
        .record(id)
        .unwrap()
        .unwrap();
    assert_eq!(rec.request.body["external_task_id"], ext.as_str());
    let png = std::fs::read(h.dir.path().join("boards/images/street-first-frame.png")).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(png);
    assert_eq!(rec.request.body["image"], encoded.as_str());
    assert!(rec.view.estimated_usd.is_some_and(|usd| usd > 0.0));
    let v = events.finished(id).await;
    assert_eq!(
        v.phase,
        shotdeck::engine::events::JobPhase::Done,
        "{:?}",
        v.error
    );
    shutdown(engine).await;
}

/// With one request slot, two creates and a 429 (Retry-After: 2 s) for whichever comes
/// first: the limited job waits at least 2 s before it asks again, and the other job's
/// create and polls go on meanwhile. A client that slept on the Retry-After inside the
/// slot would have let nothing through until the limited create was answered.
#[tokio::test]
async fn a_rate_limited_create_waits_without_holding_the_request_slot() {
    let h = Harness::start(4.0).await;
    h.sim.set_faults(Faults {
        script: vec![ScriptedFault::RateLimit],
        retry_after_secs: 2,
        ..Faults::default()
    });
    let mut config = h.config();
    config.tuning.max_concurrent_requests = 1;
    let mut engine = Engine::start(config).await.unwrap();
    let mut events = Events::new(&mut engine);
    let path = h.board("single-shot.json");
    let tickets: Vec<_> = (0..2)
        .map(|_| {
            let request = h.submit_request(&path, Provider::Kling);
            let ticket = request.ticket;
            engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
            ticket
        })
        .collect();
    let mut jobs = Vec::new();
    for t in tickets {
        let id = events.job_for(t).await.id;
        jobs.push(
            events
                .wait_for("a task id", |v| v.id == id && v.task_id.is_some())
                .await,
        );
    }
    let limited_at = |id: i64| {
        events
            .history
            .iter()
            .find(|v| v.id == id && v.error.as_ref().is_some_and(|e| e.retryable))
            .map(|v| v.updated_at)
    };
    let (limited, other) = match limited_at(jobs[0].id) {
        Some(_) => (&jobs[0], &jobs[1]),
        None => (&jobs[1], &jobs[0]),
    };
    let error_at = limited_at(limited.id).expect("one create was rate limited");
    let accepted_at = events
        .history
        .iter()
        .find(|v| v.id == limited.id && v.task_id.is_some())
        .unwrap()
        .updated_at;
    assert!(
        accepted_at - error_at >= 2_000,
        "asked again {} ms after the 429",
        accepted_at - error_at
    );

    let limited_task = limited.task_id.clone().unwrap();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let stats = loop {
        let stats = h.sim.stats();
        if stats.query_times_ms.contains_key(&limited_task) {
            break stats;
        }
        assert!(tokio::time::Instant::now() < deadline, "never polled");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let first_limited_poll = stats.query_times_ms[&limited_task][0];
    let other_polls = stats.query_times_ms.get(other.task_id.as_ref().unwrap());
    let meanwhile = other_polls.map_or(0, |times| {
        times.iter().filter(|t| **t < first_limited_poll).count()
    });
    assert!(
        meanwhile >= 5,
        "the other job polled {meanwhile} times during the 2 s wait"
    );
    assert_eq!(stats.creates_by_external_id[&limited.external_task_id], 1);
    assert_eq!(stats.creates_accepted, 2);
    shutdown(engine).await;
}
