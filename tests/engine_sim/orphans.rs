//! Results nobody fetched: a job polled to the end on another machine and left for the
//! asker, who never comes back. Once older than `[team] fetch_orphans_after_days` (23) an
//! engine of the team fetches it into its orphans folder, one engine only; a younger one
//! is left for the asker; an answer that says the results are gone is reported on the job
//! and not asked again. The age comes from the engines' injected clocks. On one machine's
//! SQLite store nothing changes: the job is this machine's, and is fetched beside its board.

use std::path::PathBuf;
use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::EngineHandle;
use shotdeck::engine::events::{JobPhase, JobView};
use shotdeck::sim::{Faults, SAMPLE_MP4, ScriptedFault};

use crate::support::*;

const DAY_MS: i64 = 86_400_000;

/// A job host-a asked for, whose task succeeded; on a shared store host-b polled it to the
/// end and left it for host-a, which never came back. Answers its id and the board.
async fn left_for_host_a(h: &Harness) -> (i64, PathBuf) {
    let board = h.board("single-shot.json");
    let mut a = h.engine_on("host-a").await;
    let mut ev_a = Events::new(&mut a);
    let (id, _) = submit(h, &a, &mut ev_a, "single-shot.json", Provider::Kling).await;
    ev_a.reached(id, JobPhase::Submitted).await;
    shutdown(a).await;
    if matches!(h.backend, Backend::Postgres { .. }) {
        let mut b = h.engine_on("host-b").await;
        let mut ev_b = Events::new(&mut b);
        ev_b.reached(id, JobPhase::Downloading).await;
        shutdown(b).await;
    }
    (id, board)
}

/// An engine on `host` whose clock is `days` ahead (the job is that old to it), sweeping
/// for orphans every 200 ms, its orphans folder `<temp>/orphans-<host>`.
async fn aged(h: &Harness, host: &str, days: i64) -> EngineHandle {
    let mut config = h.config_on(h.store(host).await);
    config.tuning.clock_offset_ms = days * DAY_MS;
    config.tuning.orphan_sweep_every = Duration::from_millis(200);
    config.settings.orphans_dir = Some(h.dir.path().join(format!("orphans-{host}")));
    shotdeck::engine::Engine::start(config).await.unwrap()
}

/// The job as `host` sees it once it is done (its files are that host's rows).
async fn done_on(h: &Harness, hosts: &[&str], id: i64) -> (String, JobView) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        for host in hosts {
            let v = h.store(host).await.view(id).await.unwrap().unwrap();
            if v.phase == JobPhase::Done && !v.files.is_empty() {
                return (host.to_string(), v);
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job {id} never done"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

crate::on_both_backends!(
    an_orphan_is_fetched_once_when_old_enough,
    super::fetched_once_when_old_enough
);

async fn fetched_once_when_old_enough(backend: Backend) {
    let shared = matches!(backend, Backend::Postgres { .. });
    let h = Harness::on(backend, 0.3).await;
    let (id, board) = left_for_host_a(&h).await;

    // 20 days old: host-a has a week and more to come back.
    let young = aged(&h, "host-c", 20).await;
    if !shared {
        // One machine: the job is this machine's, adopted and fetched beside its board.
        let (_, v) = done_on(&h, &["host-c"], id).await;
        let folder = std::fs::canonicalize(board.parent().unwrap()).unwrap();
        assert!(v.files[0].path.starts_with(&folder), "{:?}", v.files);
        assert_eq!(h.sim.stats().video_requests, 1);
        shutdown(young).await;
        return;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let still = h.store("host-c").await.view(id).await.unwrap().unwrap();
    assert_eq!(still.phase, JobPhase::Downloading, "{still:?}");
    assert_eq!(
        h.sim.stats().video_requests,
        0,
        "a 20-day-old job was fetched"
    );
    shutdown(young).await;

    // 24 days old, two engines on two machines: one of them fetches it, once.
    let (c, d) = tokio::join!(aged(&h, "host-c", 24), aged(&h, "host-d", 24));
    let (host, v) = done_on(&h, &["host-c", "host-d"], id).await;
    let folder = h.dir.path().join(format!("orphans-{host}"));
    assert!(v.files[0].path.starts_with(&folder), "{:?}", v.files);
    assert_eq!(std::fs::read(&v.files[0].path).unwrap(), SAMPLE_MP4);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(h.sim.stats().video_requests, 1, "fetched by both engines");
    let other = if host == "host-c" { "host-d" } else { "host-c" };
    let there = h.store(other).await.view(id).await.unwrap().unwrap();
    assert!(there.files.is_empty(), "{:?}", there.files);
    let history = h.store(other).await.history(id).await.unwrap();
    let note = history
        .last()
        .and_then(|e| e.note.clone())
        .unwrap_or_default();
    assert!(
        note.contains(&format!("on {host}: nobody had fetched them")),
        "{history:?}"
    );
    // Some machine has it now: nothing is left to warn about.
    let store = h.store("host-a").await;
    assert!(store.unfetched(0, i64::MAX, 10).await.unwrap().is_empty());
    // The asker can still fetch it from the URL while it lives.
    let on_a = store.view(id).await.unwrap().unwrap();
    assert!(on_a.fetch_hint().is_some(), "{on_a:?}");
    shutdown(c).await;
    shutdown(d).await;
}

crate::on_both_backends!(
    an_orphan_whose_results_look_gone_is_reported_not_retried,
    super::gone_is_reported_not_retried
);

async fn gone_is_reported_not_retried(backend: Backend) {
    let shared = matches!(backend, Backend::Postgres { .. });
    let h = Harness::on(backend, 0.3).await;
    let (id, _) = left_for_host_a(&h).await;
    let task = h
        .store("host-a")
        .await
        .view(id)
        .await
        .unwrap()
        .unwrap()
        .task_id
        .unwrap();
    let polls_before = h
        .sim
        .stats()
        .queries_by_task
        .get(&task)
        .copied()
        .unwrap_or(0);
    // The next answer is not one a live task gives (the sim cannot expire a task; an
    // unreadable answer takes the same way as a 404 for a task Kling deleted).
    h.sim.set_faults(Faults {
        script: vec![ScriptedFault::Malformed],
        ..Faults::default()
    });
    let mut c = aged(&h, "host-c", 24).await;
    let mut ev = Events::new(&mut c);
    if !shared {
        // One machine: the job is adopted, not swept, and its poll asks again.
        let v = ev.finished(id).await;
        assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
        shutdown(c).await;
        return;
    }
    let v = ev
        .wait_for("the job to show why", |v| v.id == id && v.error.is_some())
        .await;
    let why = v.error.unwrap().message;
    assert!(why.contains("could not be fetched for the team"), "{why}");
    assert_eq!(v.phase, JobPhase::Downloading);
    // Sweeps go on every 200 ms; the job is not asked about again.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let stats = h.sim.stats();
    let polls = stats.queries_by_task.get(&task).copied().unwrap_or(0);
    assert!(
        polls <= polls_before + 1,
        "asked {} times",
        polls - polls_before
    );
    assert_eq!(stats.video_requests, 0);
    // Still no machine has it: `jobs` warns about it.
    let store = h.store("host-c").await;
    assert_eq!(store.unfetched(0, i64::MAX, 10).await.unwrap(), [id]);
    shutdown(c).await;
}
