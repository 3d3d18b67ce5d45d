//! Restarts, crashes and two engines on one store.

use std::collections::BTreeMap;

use shotdeck::core::compose::{PlaceholderImages, compose};
use shotdeck::core::model::Board;
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::engine::store::{JobChange, NewJob, Store, now_ms};
use shotdeck::engine::{Engine, new_external_task_id};

use crate::support::*;

/// Every gap between two queries of one task, in milliseconds.
fn query_gaps(times: &BTreeMap<String, Vec<u64>>) -> Vec<(String, u64)> {
    times
        .iter()
        .flat_map(|(task, t)| t.windows(2).map(move |w| (task.clone(), w[1] - w[0])))
        .collect()
}

#[tokio::test]
async fn a_restarted_engine_resumes_polling_and_finishes() {
    let h = Harness::start(0.8).await;
    let mut a = h.engine().await;
    let mut events = Events::new(&mut a);
    let (id, ext) = submit(&h, &a, &mut events, "single-shot.json", Provider::Gateway).await;
    events.reached(id, JobPhase::Processing).await;
    shutdown(a).await;

    let mut b = h.engine().await;
    let initial = b.initial_jobs.iter().find(|v| v.id == id).unwrap();
    assert_eq!(initial.phase, JobPhase::Processing);
    let mut events = Events::new(&mut b);
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(h.sim.stats().creates_by_external_id[&ext], 1);
    shutdown(b).await;
}

#[tokio::test]
async fn a_crashed_engines_job_is_taken_over_once_its_lease_expires() {
    let h = Harness::start(1.0).await;
    let config = h.config();
    let request = h.submit_request(&h.board("single-shot.json"), Provider::Kling);
    let ticket = request.ticket;
    // Engine A runs on its own runtime, which is then dropped mid-job: its tasks vanish
    // without releasing anything, as in a crash.
    let (id, ext, owner_a) = tokio::task::spawn_blocking(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let out = rt.block_on(async move {
            let mut a = Engine::start(config).await.unwrap();
            let mut events = Events::new(&mut a);
            a.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
            let job = events.job_for(ticket).await;
            events.reached(job.id, JobPhase::Processing).await;
            (job.id, job.external_task_id, a.instance.clone())
        });
        drop(rt);
        out
    })
    .await
    .unwrap();
    let rec = Store::open(&h.store_path())
        .unwrap()
        .record(id)
        .unwrap()
        .unwrap();
    assert_eq!(
        rec.lease_owner.as_deref(),
        Some(owner_a.as_str()),
        "not released"
    );
    assert!(rec.lease_until.unwrap() > now_ms() - 1_000);

    let mut b = h.engine().await;
    let mut events = Events::new(&mut b);
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(h.sim.stats().creates_by_external_id[&ext], 1);
    let history = Store::open(&h.store_path()).unwrap().history(id).unwrap();
    assert_eq!(history.last().unwrap().phase, JobPhase::Done);
    shutdown(b).await;
}

#[tokio::test]
async fn two_engines_share_a_store_without_double_polling() {
    let h = Harness::start(1.0).await;
    let mut a = h.engine().await;
    let mut b = h.engine().await;
    let mut ev_a = Events::new(&mut a);
    let mut ev_b = Events::new(&mut b);
    let mut jobs = Vec::new();
    for _ in 0..2 {
        jobs.push(submit(&h, &a, &mut ev_a, "single-shot.json", Provider::Kling).await);
    }
    jobs.push(submit(&h, &b, &mut ev_b, "single-shot.json", Provider::Gateway).await);
    // Hand A's jobs over mid-flight: B continues them.
    for (id, _) in &jobs[..2] {
        ev_a.reached(*id, JobPhase::Processing).await;
    }
    shutdown(a).await;
    for (id, ext) in &jobs {
        let v = ev_b.finished(*id).await;
        assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
        assert_eq!(h.sim.stats().creates_by_external_id[ext], 1);
    }
    let stats = h.sim.stats();
    // Polls are 100 ms ± 20 % apart: two engines polling one task would leave gaps far
    // below 80 ms. Allow a little scheduling slack.
    for (task, gap) in query_gaps(&stats.query_times_ms) {
        assert!(gap >= 70, "task {task} was queried twice within {gap} ms");
    }
    for (task, n) in &stats.queries_by_task {
        assert!(*n <= 14, "task {task}: {n} queries for a 1 s task");
    }
    shutdown(b).await;
}

/// The starter board composed for `provider` as a job would store it, with a fresh key.
pub(crate) fn starter_job(h: &Harness, provider: Provider) -> NewJob {
    let board = Board::starter();
    let ext = new_external_task_id();
    let request = compose(&board, provider, &PlaceholderImages, &ext).unwrap();
    NewJob {
        board_key: None,
        board_path: h.dir.path().join("boards/starter.json"),
        board,
        provider,
        request,
        external_task_id: ext,
        estimated_usd: None,
        retry_of: None,
    }
}

/// A job recorded `queued` by a process that crashed before sending it (its lease expired).
pub(crate) fn recorded_job(h: &Harness, provider: Provider) -> (i64, NewJob) {
    let job = starter_job(h, provider);
    let now = now_ms();
    let id = Store::open(&h.store_path())
        .unwrap()
        .insert_job(&job, "crashed", now - 1, now - 10)
        .unwrap();
    (id, job)
}

/// A process that crashed right after recording `submitting`, before (or after) sending.
fn stranded_job(h: &Harness, provider: Provider) -> (i64, NewJob) {
    let (id, job) = recorded_job(h, provider);
    let now = now_ms();
    Store::open(&h.store_path())
        .unwrap()
        .apply(
            id,
            "crashed",
            &JobChange::phase(JobPhase::Submitting),
            now - 5,
        )
        .unwrap()
        .unwrap();
    (id, job)
}

#[tokio::test]
async fn a_crash_mid_submit_is_reconciled_by_external_id() {
    let provider = Provider::Kling;
    let h = Harness::start(0.3).await;
    let (id, job) = stranded_job(&h, provider);
    // The create reached the provider before the crash.
    let client = (h.config().clients)(provider).unwrap();
    let created = client.create(&job.request).await.unwrap();

    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(v.task_id.as_deref(), Some(created.task_id.as_str()));
    assert_eq!(
        h.sim.stats().creates_by_external_id[&job.external_task_id],
        1,
        "found, not re-sent"
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn a_crash_mid_submit_at_a_gateway_waits_for_the_user() {
    for provider in [Provider::Gateway, Provider::KlingRelay] {
        let h = Harness::start(0.3).await;
        let (id, job) = stranded_job(&h, provider);
        let client = (h.config().clients)(provider).unwrap();
        let created = client.create(&job.request).await.unwrap();

        let mut engine = h.engine().await;
        let mut events = Events::new(&mut engine);
        let v = events.reached(id, JobPhase::NeedsAttention).await;
        assert!(
            v.error
                .unwrap()
                .message
                .contains("stopped while the create was being sent")
        );
        attach(&h, &engine, id, &created.task_id).await;
        let v = events.finished(id).await;
        assert_eq!(v.phase, JobPhase::Done, "{provider}: {:?}", v.error);
        assert_eq!(
            h.sim.stats().creates_by_external_id[&job.external_task_id],
            1,
            "{provider}: never re-sent"
        );
        shutdown(engine).await;
    }
}

#[tokio::test]
async fn a_crash_before_the_create_left_sends_it_once() {
    let h = Harness::start(0.3).await;
    let (id, job) = stranded_job(&h, Provider::Kling);
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(
        h.sim.stats().creates_by_external_id[&job.external_task_id],
        1
    );
    shutdown(engine).await;
}
