//! An idle engine follows the team's jobs live: the store's change feed (LISTEN/NOTIFY)
//! wakes it with nothing in flight, so no housekeeping tick is running to find them.

use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobEvent, JobPhase, SubmitOptions, SubmitRequest};
use shotdeck_core::jobs::JobView;

use crate::engines::{engine, machine_on, sim_and_board};
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_engine_sees_a_job_another_engine_submits_until_done() {
    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    let (sim, dir, board_path, board) = sim_and_board().await;
    let options = || {
        shotdeck::engine::store::pg::PgOptions::new(
            shotdeck_core::store_url::StoreUrl::parse(&server).unwrap(),
        )
    };
    let store_a = machine_on(options(), &schema, "host-a").await;
    let store_b = machine_on(options(), &schema, "host-b").await;
    let mut a = engine(&sim, store_a, &dir.path().join("a")).await;
    let mut b = engine(&sim, store_b, &dir.path().join("b")).await;
    assert!(b.initial_jobs.is_empty());

    let request = SubmitRequest::new(
        &board_path,
        board,
        Provider::Kling,
        SubmitOptions::default(),
    );
    a.cmd_tx.send(JobCmd::Submit(request)).await.unwrap();
    let id = loop {
        let event = tokio::time::timeout(Duration::from_secs(10), a.event_rx.recv())
            .await
            .expect("engine A answers its submit")
            .expect("engine A runs");
        if let JobEvent::Submitted { job, .. } = event {
            break job.id;
        }
    };

    // B, with nothing of its own in flight, hears of the job and follows it to the end.
    let mut seen: Vec<JobView> = Vec::new();
    let first_deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while seen.last().is_none_or(|v| v.phase != JobPhase::Done) {
        let until = if seen.is_empty() {
            first_deadline
        } else {
            deadline
        };
        let event = tokio::time::timeout_at(until, b.event_rx.recv())
            .await
            .unwrap_or_else(|_| panic!("engine B saw job {id} only as far as {seen:#?}"))
            .expect("engine B runs");
        if let JobEvent::Updated(view) = event
            && view.id == id
        {
            seen.push(view);
        }
    }
    let phases: Vec<JobPhase> = seen.iter().map(|v| v.phase).collect();
    use JobPhase::*;
    let path = [Queued, Submitting, Submitted, Processing, Downloading, Done];
    let rank = |p: &JobPhase| path.iter().position(|q| q == p);
    assert!(
        phases.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "out of order: {phases:?}"
    );
    assert!(phases.len() >= 2, "only the end was seen: {phases:?}");
    assert_eq!(
        seen.last().map(|v| v.board_title.as_str()),
        Some("Noir opening")
    );

    for e in [&a, &b] {
        let _ = e.cmd_tx.send(JobCmd::Shutdown).await;
    }
    a.task.await.unwrap();
    b.task.await.unwrap();
}
