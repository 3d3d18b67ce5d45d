//! A soak under every fault at once: rate limits, server errors, dropped connections,
//! malformed and truncated JSON, lost create answers, slow answers, failing tasks and cut
//! downloads, across every provider. Every job must end (a gateway job whose create was in
//! doubt after the user answers it, as `jobs attach` or `jobs lost`), none may be sent
//! twice, nothing may panic, and every done job's video must be whole.

use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::Engine;
use shotdeck::engine::events::{JobPhase, JobView};
use shotdeck::engine::store::{ListFilter, Store};
use shotdeck::sim::{Faults, SAMPLE_MP4, ScriptedFault};

use crate::panics;
use crate::support::*;

/// The whole soak must settle within this; a healthy run takes a few seconds.
const SOAK_BOUND: Duration = Duration::from_secs(40);

/// (board, provider) for each job: every example the providers accept, round-robin.
const JOBS: [(&str, Provider); 14] = [
    ("single-shot.json", Provider::Kling),
    ("single-shot.json", Provider::Gateway),
    ("image-to-video.json", Provider::Kling),
    ("image-to-video.json", Provider::KlingRelay),
    ("noir-3-shot.json", Provider::Kling),
    ("noir-3-shot.json", Provider::Gateway),
    ("reference.json", Provider::Gateway),
    ("single-shot.json", Provider::Kling),
    ("single-shot.json", Provider::KlingRelay),
    ("image-to-video.json", Provider::Kling),
    ("image-to-video.json", Provider::Gateway),
    ("noir-3-shot.json", Provider::Kling),
    ("noir-3-shot.json", Provider::KlingRelay),
    ("reference.json", Provider::Gateway),
];

fn every_fault_at_once() -> Faults {
    Faults {
        latency_ms: 15,
        rate_limit_rate: 0.03,
        retry_after_secs: 1,
        server_error_rate: 0.08,
        drop_rate: 0.05,
        malformed_rate: 0.04,
        task_failure_rate: 0.2,
        download_drop_after_bytes: Some(1_200),
        // The first API requests are the creates: lose some answers after the task was
        // made, and cut some JSON short, so reconciliation by external id must kick in.
        script: vec![
            ScriptedFault::Truncated,
            ScriptedFault::DropAfterCreate,
            ScriptedFault::Truncated,
            ScriptedFault::Drop,
            ScriptedFault::DropAfterCreate,
            ScriptedFault::Malformed,
            ScriptedFault::Truncated,
        ],
        ..Faults::default()
    }
}

/// Why a failed job failed must be visible: a provider code, the provider's own reason for
/// a failed task, or (the one uncoded engine verdict) answers that stayed unreadable.
fn assert_explained(v: &JobView) {
    let err = v
        .error
        .as_ref()
        .unwrap_or_else(|| panic!("job {} failed without an error", v.id));
    let task_failed = v.status_msg.as_deref() == Some(err.message.as_str());
    let unreadable = err.message.contains("malformed response");
    assert!(
        err.code.is_some() || task_failed || unreadable,
        "job {} failed without a code or the provider's reason: {err:?}",
        v.id
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_job_ends_once_under_every_fault_at_once() {
    panics::watch();
    let panics_before = panics::worker_panics();
    let h = Harness::start(0.5).await;
    h.sim.set_faults(every_fault_at_once());
    let mut config = h.config();
    // Resumable cuts may land on top of a drop: give downloads room to finish by themselves.
    config.tuning.download_attempts = 4;
    config.tuning.odd_answer_limit = 4;
    let mut engine = Engine::start(config).await.unwrap();
    let mut events = Events::new(&mut engine);

    let mut jobs = Vec::new();
    for (board, provider) in JOBS {
        jobs.push(submit(&h, &engine, &mut events, board, provider).await);
    }
    let finished = tokio::time::timeout(SOAK_BOUND, async {
        let mut out = Vec::new();
        for (id, _) in &jobs {
            let settled = events.settled(*id).await;
            out.push(settle_as_user(&h, &engine, &mut events, settled).await);
        }
        out
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "not every job ended within {SOAK_BOUND:?}; faults {}; sim {:?}",
            every_fault_at_once().summary(),
            h.sim.stats()
        )
    });
    assert!(
        !engine.task.is_finished(),
        "the engine task ended (panicked?) while jobs were running"
    );

    let stats = h.sim.stats();
    let mut done = 0;
    for (v, (_, ext)) in finished.iter().zip(&jobs) {
        let creates = stats.creates_by_external_id.get(ext).copied().unwrap_or(0);
        assert!(
            creates <= 1,
            "job {}: {creates} create requests with external id {ext}",
            v.id
        );
        match v.phase {
            JobPhase::Done => {
                done += 1;
                assert_eq!(creates, 1, "job {} is done but was never created", v.id);
                assert_eq!(v.error, None, "job {}: a stale error on a done job", v.id);
                for f in &v.files {
                    assert!(f.complete, "job {}: {f:?}", v.id);
                    let bytes = std::fs::read(&f.path).unwrap();
                    assert_eq!(bytes.len(), SAMPLE_MP4.len(), "{}", f.path.display());
                    assert!(bytes == SAMPLE_MP4, "{} differs", f.path.display());
                }
                assert!(!v.files.is_empty(), "job {} is done with no file", v.id);
            }
            JobPhase::Failed => assert_explained(v),
            other => unreachable!("finished() returned an active phase {other:?}"),
        }
    }
    // With a 20 % task failure rate, 14 jobs all failing would mean the faults, not the
    // dice, decided: p = 0.2^14.
    eprintln!(
        "soak: {done} of {} jobs done; {} requests, {} faults injected",
        finished.len(),
        stats.api_requests,
        stats.faults_injected
    );
    assert!(done > 0, "no job finished: {finished:#?}");
    assert!(stats.faults_injected >= 7, "the script alone injects 7");

    // The store holds exactly the jobs submitted, each once, all in a final phase.
    let store = Store::open(&h.store_path()).unwrap();
    let mut stored: Vec<_> = store
        .list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .map(|v| (v.id, v.external_task_id, v.phase))
        .collect();
    stored.sort_by_key(|(id, _, _)| *id);
    let mut expected: Vec<_> = finished
        .iter()
        .map(|v| (v.id, v.external_task_id.clone(), v.phase))
        .collect();
    expected.sort_by_key(|(id, _, _)| *id);
    assert_eq!(stored, expected);
    drop(store);

    shutdown(engine).await;
    assert_eq!(
        panics::worker_panics(),
        panics_before,
        "a tokio task panicked during the soak (see the output above)"
    );
}
