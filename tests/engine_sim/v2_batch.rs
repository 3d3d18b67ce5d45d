//! Kling's v2 design polls many tasks with one `GET /tasks?task_ids=a,b,…`: ten Kling 3.0
//! Turbo jobs in flight at once on the simulator cost about one lookup per interval for all
//! of them, not one per job. The number measured here is the README's ("Kling's two
//! request designs").

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase};

use crate::support::*;

const JOBS: usize = 10;

#[tokio::test]
async fn ten_v2_jobs_in_flight_share_their_lookups() {
    // Each task runs 1.5 s: about 15 poll intervals of 100 ms.
    let h = Harness::start(1.5).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let path = h.board("single-shot.json");
    let mut board = shotdeck::files::board_file::load(&path).unwrap();
    board.model = "kling-v3-turbo".into();
    let mut tickets = Vec::new();
    for _ in 0..JOBS {
        let request = shotdeck::engine::events::SubmitRequest::new(
            &path,
            board.clone(),
            Provider::Kling,
            shotdeck::engine::events::SubmitOptions::default(),
        );
        tickets.push(request.ticket);
        engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    }
    let mut ids = Vec::new();
    for ticket in tickets {
        ids.push(events.job_for(ticket).await.id);
    }
    for id in &ids {
        let v = events.finished(*id).await;
        assert_eq!(v.phase, JobPhase::Done, "{v:#?}");
    }
    shutdown(engine).await;
    let stats = h.sim.stats();
    assert_eq!(stats.creates_accepted, JOBS as u64);
    let polls = stats.api_requests - stats.creates_accepted;
    let per_job = polls as f64 / JOBS as f64;
    let answered: u64 = stats.queries_by_task.values().sum();
    eprintln!(
        "v2 polling: {JOBS} jobs, {polls} lookup requests ({per_job:.1} per job), \
         {answered} task answers, {} batch lookups",
        stats.task_lookups
    );
    assert!(
        per_job <= 4.0,
        "{polls} lookups for {JOBS} jobs: the tasks were not looked up together"
    );
}

/// `[profiles.kling] route = "v2"`: the example's omni board with an element goes to
/// `/omni-video/kling-3.0-omni` and runs to its video like any other job.
#[tokio::test]
async fn an_omni_board_with_an_element_runs_on_the_v2_design() {
    let h = Harness::start(0.5).await;
    let mut config = h.config();
    config.settings.profiles.kling.route = shotdeck::core::kling_v2::RoutePref::V2;
    let mut engine = shotdeck::engine::Engine::start(config).await.unwrap();
    let mut events = Events::new(&mut engine);
    let (id, _) = submit(&h, &engine, &mut events, "element.json", Provider::Kling).await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{v:#?}");
    shutdown(engine).await;
    let record = shotdeck::engine::store::Store::open(&h.store_path())
        .unwrap()
        .record(id)
        .unwrap()
        .unwrap();
    assert_eq!(record.create_path, "/omni-video/kling-3.0-omni");
    let stats = h.sim.stats();
    assert_eq!(stats.creates_accepted, 1);
    assert!(
        stats.task_lookups >= 1,
        "polled through GET /tasks: {stats:?}"
    );
    assert_eq!(stats.list_requests, 0);
}
