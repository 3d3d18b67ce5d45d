//! Restarts, crashes and two engines on one store.

use std::collections::BTreeMap;

use shotdeck::core::budget::{Budget, UnitPrices};
use shotdeck::core::compose::{PlaceholderImages, compose};
use shotdeck::core::model::Board;
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase, JobView, SubmitRequest};
use shotdeck::engine::store::{JobStore, NewJob, Slot, Store, now_ms};
use shotdeck::engine::{Engine, EngineConfig, new_external_task_id};

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

/// Runs an engine on a runtime of its own, submits `request` and, once the job's view
/// satisfies `when`, drops the runtime: its tasks vanish without releasing anything, as in
/// a SIGKILL. Answers the job as it was then, and the dead engine's lease owner id.
pub(crate) async fn crash_when(
    config: EngineConfig,
    request: SubmitRequest,
    when: impl Fn(&JobView) -> bool + Send + 'static,
) -> (JobView, String) {
    let ticket = request.ticket;
    tokio::task::spawn_blocking(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let out = rt.block_on(async move {
            let mut a = Engine::start(config).await.unwrap();
            let mut events = Events::new(&mut a);
            a.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
            let id = events.job_for(ticket).await.id;
            let v = events
                .wait_for("the moment to crash", |v| v.id == id && when(v))
                .await;
            (v, a.instance.clone())
        });
        drop(rt);
        out
    })
    .await
    .unwrap()
}

// A kill while polling: on each store, the next engine takes the job over once the dead
// one's lease lapses, and polls the task it has; nothing is created again.
crate::on_both_backends!(
    a_crashed_engines_job_is_taken_over_once_its_lease_expires,
    super::crashed_engines_job_is_taken_over
);

async fn crashed_engines_job_is_taken_over(backend: Backend) {
    let h = Harness::on(backend, 1.0).await;
    let config = h.config_on(h.store("host-a").await);
    let request = h.submit_request(&h.board("single-shot.json"), Provider::Kling);
    let (at_kill, owner_a) = crash_when(config, request, |v| v.phase == JobPhase::Processing).await;
    let (id, ext) = (at_kill.id, at_kill.external_task_id);
    // The same machine, started again.
    let store = h.store("host-a").await;
    let rec = store.record(id).await.unwrap().unwrap();
    assert_eq!(
        rec.lease_owner.as_deref(),
        Some(owner_a.as_str()),
        "not released"
    );

    let mut b = Engine::start(h.config_on(store.clone())).await.unwrap();
    let mut events = Events::new(&mut b);
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(h.sim.stats().creates_by_external_id[&ext], 1);
    let history = store.history(id).await.unwrap();
    assert_eq!(history.last().unwrap().phase, JobPhase::Done);
    shutdown(b).await;
}

crate::on_both_backends!(
    two_engines_share_a_store_without_double_polling,
    super::two_engines_without_double_polling
);

async fn two_engines_without_double_polling(backend: Backend) {
    let shared = matches!(backend, Backend::Postgres { .. });
    let h = Harness::on(backend, 1.0).await;
    let mut a = h.engine_on("host-a").await;
    let mut b = h.engine_on("host-b").await;
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
    // On a team's store B polls A's jobs to the end and leaves their videos to host-a's
    // engine, which downloads them when it runs again.
    let mut a = None;
    for (n, (id, ext)) in jobs.iter().enumerate() {
        let v = if shared && n < 2 {
            ev_b.reached(*id, JobPhase::Downloading).await;
            if a.is_none() {
                let mut engine = h.engine_on("host-a").await;
                let events = Events::new(&mut engine);
                a = Some((engine, events));
            }
            let (_, events) = a.as_mut().expect("started above");
            events.finished(*id).await
        } else {
            ev_b.finished(*id).await
        };
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
    if let Some((a, _)) = a {
        shutdown(a).await;
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

/// A process that crashed right after recording `submitting`, before (or after) sending:
/// recorded and given its slot under a lease that then lapses, nothing released.
async fn stranded_job(h: &Harness, store: &dyn JobStore, provider: Provider) -> (i64, NewJob) {
    let job = starter_job(h, provider);
    let (now, lease) = (now_ms(), std::time::Duration::from_millis(300));
    let recorded = store
        .insert_within_budget(
            job.clone(),
            Budget::default(),
            UnitPrices::default(),
            "crashed",
            lease,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let slot = store.take_slot(recorded.id, "crashed", now_ms()).await;
    assert!(matches!(slot, Ok(Slot::Taken(_))), "{slot:?}");
    tokio::time::sleep(lease + std::time::Duration::from_millis(50)).await;
    (recorded.id, job)
}

crate::on_both_backends!(
    a_crash_mid_submit_is_reconciled_by_external_id,
    super::crash_mid_submit_is_reconciled
);

async fn crash_mid_submit_is_reconciled(backend: Backend) {
    let provider = Provider::Kling;
    let h = Harness::on(backend, 0.3).await;
    let store = h.store("host-a").await;
    let (id, job) = stranded_job(&h, &*store, provider).await;
    // The create reached the provider before the crash.
    let client = (h.config().clients)(provider).unwrap();
    let created = client.create(&job.request).await.unwrap();

    let mut engine = Engine::start(h.config_on(store)).await.unwrap();
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
        let store = h.store("host-a").await;
        let (id, job) = stranded_job(&h, &*store, provider).await;
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

crate::on_both_backends!(
    a_crash_before_the_create_left_sends_it_once,
    super::crash_before_the_create_left
);

async fn crash_before_the_create_left(backend: Backend) {
    let h = Harness::on(backend, 0.3).await;
    let store = h.store("host-a").await;
    let (id, job) = stranded_job(&h, &*store, Provider::Kling).await;
    let mut engine = Engine::start(h.config_on(store)).await.unwrap();
    let mut events = Events::new(&mut engine);
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(
        h.sim.stats().creates_by_external_id[&job.external_task_id],
        1
    );
    shutdown(engine).await;
}
