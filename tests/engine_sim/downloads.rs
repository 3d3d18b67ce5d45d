//! Interrupted downloads, automatic and user-requested resumes (the sidecar's SHA-256 is
//! the spliced file's), and redownloads.

use sha2::{Digest, Sha256};
use shotdeck::core::provider::Provider;
use shotdeck::engine::Engine;
use shotdeck::engine::download::part_path;
use shotdeck::engine::events::{Action, Refusal};
use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::engine::sidecar::sidecar_path;
use shotdeck::sim::{Faults, SAMPLE_MP4};

use crate::support::*;

const CUT: u64 = 1_500;

fn cut_downloads() -> Faults {
    Faults {
        download_drop_after_bytes: Some(CUT),
        ..Faults::default()
    }
}

#[tokio::test]
async fn an_interrupted_download_waits_for_the_user_and_then_resumes() {
    let h = Harness::start(0.3).await;
    h.sim.set_faults(cut_downloads());
    let mut config = h.config();
    config.tuning.download_attempts = 1;
    let mut engine = Engine::start(config).await.unwrap();
    let mut events = Events::new(&mut engine);
    let (id, _) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;

    let stuck = events
        .wait_for("the download to give up", |v| {
            v.id == id && v.phase == JobPhase::Downloading && v.error.is_some()
        })
        .await;
    let err = stuck.error.unwrap();
    assert!(
        err.message.contains("interrupted after 1500 bytes"),
        "{}",
        err.message
    );
    let file = &stuck.files[0];
    assert!(!file.complete);
    assert!(!file.path.exists());
    assert_eq!(std::fs::metadata(part_path(&file.path)).unwrap().len(), CUT);

    engine.cmd_tx.try_send(JobCmd::Redownload(id)).unwrap();
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(v.error, None);
    assert_eq!(std::fs::read(&v.files[0].path).unwrap(), SAMPLE_MP4);
    assert!(!part_path(&v.files[0].path).exists());
    // The sidecar names the bytes on disk, spliced from two responses: its SHA-256 is the
    // whole video's, computed here independently.
    let on_disk = std::fs::read(&v.files[0].path).unwrap();
    let sidecar = std::fs::read_to_string(sidecar_path(&v.files[0].path)).unwrap();
    let sidecar = shotdeck::engine::sidecar::read(&sidecar).expect("a sidecar");
    let hex: String = Sha256::digest(&on_disk)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sidecar.video.sha256, hex);
    assert_eq!(sidecar.video.bytes, on_disk.len() as u64);
    let stats = h.sim.stats();
    assert_eq!(stats.video_requests, 2);
    assert_eq!(
        stats.video_bytes_served,
        SAMPLE_MP4.len() as u64,
        "the second request fetched only the missing bytes"
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn a_stalled_download_resumes_when_an_engine_starts() {
    let h = Harness::start(0.3).await;
    h.sim.set_faults(cut_downloads());
    let mut config = h.config();
    config.tuning.download_attempts = 1;
    let mut engine = Engine::start(config).await.unwrap();
    let mut events = Events::new(&mut engine);
    let (id, _) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    events
        .wait_for("the download to give up", |v| {
            v.id == id && v.error.is_some()
        })
        .await;
    shutdown(engine).await;

    // A stalled job is not picked up by running engines, but a starting one retries it, and
    // its first view already shows the retry rather than the old error.
    let mut engine = h.engine().await;
    let start = engine.initial_jobs.iter().find(|v| v.id == id).unwrap();
    assert_eq!(start.phase, JobPhase::Downloading);
    assert_eq!(start.error, None);
    let mut events = Events::new(&mut engine);
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(std::fs::read(&v.files[0].path).unwrap(), SAMPLE_MP4);
    shutdown(engine).await;
}

#[tokio::test]
async fn an_interrupted_download_is_resumed_automatically_when_tries_remain() {
    let h = Harness::start(0.3).await;
    h.sim.set_faults(cut_downloads());
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let (id, _) = submit(
        &h,
        &engine,
        &mut events,
        "reference.json",
        Provider::Gateway,
    )
    .await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(std::fs::read(&v.files[0].path).unwrap(), SAMPLE_MP4);
    assert_eq!(h.sim.stats().video_bytes_served, SAMPLE_MP4.len() as u64);
    shutdown(engine).await;
}

#[tokio::test]
async fn redownload_skips_intact_files_and_refetches_missing_ones() {
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
    let done = events.finished(id).await;
    assert_eq!(done.phase, JobPhase::Done);
    let path = done.files[0].path.clone();

    engine.cmd_tx.try_send(JobCmd::Redownload(id)).unwrap();
    events.reached(id, JobPhase::Downloading).await;
    assert_eq!(events.finished(id).await.phase, JobPhase::Done);
    assert_eq!(h.sim.stats().video_requests, 1, "the file was intact");

    std::fs::remove_file(&path).unwrap();
    engine.cmd_tx.try_send(JobCmd::Redownload(id)).unwrap();
    events.reached(id, JobPhase::Downloading).await;
    let v = events.finished(id).await;
    assert_eq!(v.phase, JobPhase::Done);
    assert_eq!(std::fs::read(&path).unwrap(), SAMPLE_MP4);
    assert_eq!(h.sim.stats().video_requests, 2);
    shutdown(engine).await;
}

#[tokio::test]
async fn a_failed_job_has_nothing_to_redownload() {
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
    assert_eq!(events.finished(id).await.phase, JobPhase::Failed);
    engine.cmd_tx.try_send(JobCmd::Redownload(id)).unwrap();
    let refusal = events.rejection().await;
    assert!(
        matches!(
            refusal,
            Refusal::WrongPhase {
                action: Action::Redownload,
                ..
            }
        ),
        "{refusal:?}"
    );
    let reason = refusal.to_string();
    assert!(reason.contains("nothing to download"), "{reason}");
    shutdown(engine).await;
}

#[tokio::test]
async fn trickling_servers_give_the_download_slot_back_and_the_job_says_why() {
    let h = Harness::start(0.3).await;
    // 20 bytes a second: the 4 KB sample would hold the only slot for minutes.
    h.sim.set_faults(Faults {
        video_bytes_per_sec: 20,
        ..Faults::default()
    });
    let mut config = h.config();
    config.tuning.max_concurrent_downloads = 1;
    config.tuning.download_attempts = 2;
    config.tuning.download.rate_window = std::time::Duration::from_millis(300);
    // A long wait between a job's two tries: the other job must get the slot meanwhile.
    config.tuning.poll.backoff_base = std::time::Duration::from_secs(3);
    config.tuning.poll.backoff_max = std::time::Duration::from_secs(3);
    let mut engine = Engine::start(config).await.unwrap();
    let mut events = Events::new(&mut engine);
    let (a, _) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    let (b, _) = submit(
        &h,
        &engine,
        &mut events,
        "reference.json",
        Provider::Gateway,
    )
    .await;
    for id in [a, b] {
        let v = events
            .wait_for("each download to give up on the slow server", |v| {
                v.id == id && v.phase == JobPhase::Downloading && v.error.is_some()
            })
            .await;
        let message = v.error.unwrap().message;
        assert!(message.contains("slower than 1024 bytes/s"), "{message}");
    }
    // Whichever job gave up first, the other was downloading before that: the first one's
    // wait between tries did not hold the only slot.
    let index = |pred: &dyn Fn(&shotdeck::engine::events::JobView) -> bool| {
        events.history.iter().position(pred).unwrap()
    };
    let gave_up = |id: i64| index(&|v| v.id == id && v.error.is_some());
    let (first, other) = if gave_up(a) < gave_up(b) {
        (a, b)
    } else {
        (b, a)
    };
    let other_started = index(&|v| v.id == other && v.files.iter().any(|f| f.bytes_done > 0));
    assert!(
        other_started < gave_up(first),
        "job {other} only started after job {first} gave up"
    );
    shutdown(engine).await;
}

// A kill in the middle of a download: on each store, the engine started again on the same
// machine takes the job over and resumes the file from what is on disk, to the exact bytes.
crate::on_both_backends!(
    a_download_killed_midway_resumes_from_the_partial_file,
    super::killed_download_resumes
);

async fn killed_download_resumes(backend: Backend) {
    let h = Harness::on(backend, 0.2).await;
    // The ~4 kB video trickles out over ~2 s: the kill lands mid-file.
    h.sim.set_faults(Faults {
        video_bytes_per_sec: 2_000,
        ..Faults::default()
    });
    let config = h.config_on(h.store("host-a").await);
    let request = h.submit_request(&h.board("single-shot.json"), Provider::Kling);
    let mid_file = |v: &shotdeck::engine::events::JobView| {
        v.phase == JobPhase::Downloading && v.files.first().is_some_and(|f| f.bytes_done >= 500)
    };
    let (at_kill, _) = crate::restart::crash_when(config, request, mid_file).await;
    let path = at_kill.files[0].path.clone();
    let on_disk = std::fs::metadata(part_path(&path)).map_or(0, |m| m.len());
    let whole = SAMPLE_MP4.len() as u64;
    assert!(
        on_disk > 0 && on_disk < whole,
        "{on_disk} bytes at the kill"
    );
    // The simulator may go on writing into the dead engine's socket for a while: count
    // from when it stopped.
    let mut served_before = h.sim.stats().video_bytes_served;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let now = h.sim.stats().video_bytes_served;
        if now == served_before {
            break;
        }
        served_before = now;
    }

    let mut engine = Engine::start(h.config_on(h.store("host-a").await))
        .await
        .unwrap();
    let mut events = Events::new(&mut engine);
    let v = events.finished(at_kill.id).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(std::fs::read(&v.files[0].path).unwrap(), SAMPLE_MP4);
    assert!(!part_path(&v.files[0].path).exists());
    let stats = h.sim.stats();
    assert_eq!(stats.creates_by_external_id[&at_kill.external_task_id], 1);
    assert_eq!(stats.video_requests, 2, "one cut, one resumed");
    assert_eq!(
        stats.video_bytes_served - served_before,
        whole - on_disk,
        "resumed from the {on_disk} bytes on disk, not from zero"
    );
    shutdown(engine).await;
}
