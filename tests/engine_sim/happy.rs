//! Every mode on both providers, submitted together, end to end.

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::Refusal;
use shotdeck::engine::events::{JobCmd, JobEvent, JobPhase};
use shotdeck::engine::store::Store;
use shotdeck::sim::SAMPLE_MP4;

use crate::support::*;

async fn every_mode_finishes(provider: Provider) {
    let h = Harness::start(0.5).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    assert!(engine.initial_jobs.is_empty());
    let mut jobs = Vec::new();
    for example in ["single-shot.json", "image-to-video.json", "reference.json"] {
        let (id, ext) = submit(&h, &engine, &mut events, example, provider).await;
        jobs.push((example, id, ext));
    }
    for (example, id, ext) in &jobs {
        let v = events.finished(*id).await;
        assert_eq!(v.phase, JobPhase::Done, "{example}: {:?}", v.error);
        assert_eq!(v.error, None);
        assert!(v.task_id.is_some());
        assert_eq!(v.files.len(), 1, "{example}");
        let f = &v.files[0];
        assert!(f.complete);
        assert_eq!(f.bytes_done, SAMPLE_MP4.len() as u64);
        assert_eq!(f.bytes_total, Some(SAMPLE_MP4.len() as u64));
        let stem = example.trim_end_matches(".json");
        // `<stem>-<job id>-<8 characters of the external id>.mp4`: job ids restart per store.
        let unique: String = ext
            .trim_start_matches("shotdeck-")
            .chars()
            .take(8)
            .collect();
        let expected = h
            .dir
            .path()
            .join(format!("boards/{stem}.renders/{stem}-{id}-{unique}.mp4"));
        assert_eq!(f.path, expected);
        assert_eq!(std::fs::read(&f.path).unwrap(), SAMPLE_MP4);
        assert_eq!(h.sim.stats().creates_by_external_id[ext], 1, "{example}");
    }
    // The engine answers a front end's request for one job's whole record.
    let (_, first, _) = jobs[0];
    engine.cmd_tx.try_send(JobCmd::Details(first)).unwrap();
    let rec = events.details().await;
    assert_eq!(rec.view.id, first);
    assert_eq!(rec.history.last().map(|e| e.phase), Some(JobPhase::Done));
    // The queue's `/`: the store matches the text (here the board's file name, any case).
    let (_, reference, _) = jobs[2];
    let filtered = JobCmd::Page {
        board: None,
        below: i64::MAX,
        limit: 10,
        filter: Some("REFERENCE.json".into()),
    };
    engine.cmd_tx.try_send(filtered).unwrap();
    let JobEvent::Page {
        jobs: page,
        filter,
        matching,
        ..
    } = events.page().await
    else {
        unreachable!("`pages` holds pages only");
    };
    assert_eq!(page.iter().map(|j| j.id).collect::<Vec<_>>(), [reference]);
    assert_eq!(
        (filter.as_deref(), matching),
        (Some("REFERENCE.json"), Some(1))
    );
    engine.cmd_tx.try_send(JobCmd::Details(9_999)).unwrap();
    let refusal = events.rejection().await;
    assert!(
        matches!(refusal, Refusal::NotFound { id: 9_999, .. }),
        "{refusal:?}"
    );
    assert!(refusal.to_string().contains("#9999 is not in the store"));
    shutdown(engine).await;

    // The store has the whole story, readable without an engine.
    let store = Store::open(&h.store_path()).unwrap();
    for (_, id, _) in &jobs {
        let rec = store.record(*id).unwrap().unwrap();
        let phases: Vec<JobPhase> = rec.history.iter().map(|e| e.phase).collect();
        assert_eq!(phases.first(), Some(&JobPhase::Queued));
        assert_eq!(phases.get(1), Some(&JobPhase::Submitting));
        assert!(phases.contains(&JobPhase::Downloading));
        assert_eq!(phases.last(), Some(&JobPhase::Done));
        assert!(rec.view.finished_at.is_some());
        assert_eq!(rec.lease_owner, None, "released at shutdown");
    }
}

#[tokio::test]
async fn kling_text_image_and_reference_jobs_finish() {
    every_mode_finishes(Provider::Kling).await;
}

#[tokio::test]
async fn gateway_text_image_and_reference_jobs_finish() {
    every_mode_finishes(Provider::Gateway).await;
}

#[tokio::test]
async fn kling_relay_text_image_and_reference_jobs_finish() {
    every_mode_finishes(Provider::KlingRelay).await;
}

/// What `--demo --provider gateway|kling-relay` runs: the demo's own simulator and engine.
#[tokio::test]
async fn the_demo_runs_every_provider_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let config = shotdeck::files::config::Config::default();
    let (demo, mut engine) = shotdeck::app::demo::start(&config, dir.path().into(), 0.2)
        .await
        .unwrap();
    let mut events = Events::new(&mut engine);
    let board_path = shotdeck::app::demo::write_demo_board(dir.path()).unwrap();
    let board = shotdeck::files::board_file::load(&board_path).unwrap();
    for provider in Provider::ALL {
        // Stock new-api carries no shot list: the demo board goes there as its first shot.
        let mut board = board.clone();
        if provider == Provider::NewApi {
            board.multi_shot = false;
            board.prompt = board.shots[0].prompt.clone();
            board.duration = 5.0;
        }
        let request = shotdeck::engine::events::SubmitRequest::new(
            &board_path,
            board,
            provider,
            Default::default(),
        );
        let ticket = request.ticket;
        engine
            .cmd_tx
            .try_send(shotdeck::engine::events::JobCmd::Submit(request))
            .unwrap();
        let job = events.job_for(ticket).await;
        let v = events.finished(job.id).await;
        assert_eq!(v.phase, JobPhase::Done, "{provider}: {:?}", v.error);
    }
    shutdown(engine).await;
    drop(demo);
}

#[tokio::test]
async fn a_finished_job_costs_no_more_requests() {
    let h = Harness::start(0.3).await;
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
    assert_eq!(events.finished(id).await.phase, JobPhase::Done);
    let before = h.sim.stats().api_requests;
    // Several poll and watch intervals: an idle engine must not ask anything.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(h.sim.stats().api_requests, before);
    assert_eq!(events.drain(), 0, "no events while idle");
    shutdown(engine).await;
}
