//! Files land on the machine that asked: an engine on another machine polls a job to the
//! end but leaves its download to the asker's engine, which fetches it into the asker's
//! folder when it next runs. On SQLite (one machine's store) nothing changes.

use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::JobPhase;
use shotdeck::sim::SAMPLE_MP4;

use crate::support::*;

crate::on_both_backends!(
    a_job_polled_on_another_machine_is_downloaded_by_the_asker,
    super::polled_elsewhere_downloaded_by_the_asker
);

async fn polled_elsewhere_downloaded_by_the_asker(backend: Backend) {
    let shared = matches!(backend, Backend::Postgres { .. });
    let h = Harness::on(backend, 0.6).await;
    let board = h.board("single-shot.json");
    let mut a = h.engine_on("host-a").await;
    let mut ev_a = Events::new(&mut a);
    let (id, _) = submit(&h, &a, &mut ev_a, "single-shot.json", Provider::Kling).await;
    ev_a.reached(id, JobPhase::Submitted).await;
    shutdown(a).await;

    let mut b = h.engine_on("host-b").await;
    let mut ev_b = Events::new(&mut b);
    if !shared {
        // One machine's store: the other engine is this machine's, and downloads it.
        let v = ev_b.finished(id).await;
        assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
        shutdown(b).await;
        return;
    }
    let at_b = ev_b.reached(id, JobPhase::Downloading).await;
    assert!(at_b.files.is_empty(), "{:?}", at_b.files);
    // B goes on running but leaves the job alone: no video is fetched on host-b.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let stats = h.sim.stats();
    assert_eq!(
        stats.video_requests, 0,
        "host-b fetched a video host-a asked for"
    );
    let history = h.store("host-b").await.history(id).await.unwrap();
    let ready = history.iter().rev().find_map(|e| e.note.clone()).unwrap();
    assert!(ready.contains("left for host-a to download"), "{history:?}");
    let still = h.store("host-b").await.record(id).await.unwrap().unwrap();
    assert_eq!(still.view.phase, JobPhase::Downloading);
    assert_eq!(
        still.lease_owner, None,
        "released, for host-a's engine to take"
    );

    // A's engine, next time it runs, downloads it into A's folder.
    let mut a = h.engine_on("host-a").await;
    let mut ev_a = Events::new(&mut a);
    let done = ev_a.finished(id).await;
    assert_eq!(done.phase, JobPhase::Done, "{:?}", done.error);
    let folder = std::fs::canonicalize(board.parent().unwrap()).unwrap();
    assert!(done.files[0].path.starts_with(&folder), "{:?}", done.files);
    assert_eq!(std::fs::read(&done.files[0].path).unwrap(), SAMPLE_MP4);
    assert_eq!(h.sim.stats().video_requests, 1);
    shutdown(a).await;
    shutdown(b).await;
}

crate::on_both_backends!(
    jobs_fetch_on_another_machine_lands_in_its_copy_of_the_project,
    super::fetch_into_this_machines_clone
);

/// `shotdeck jobs fetch ID` on host-c, whose copy of the project is elsewhere on its disk:
/// the videos land beside the same board in host-c's copy, recorded for host-c.
async fn fetch_into_this_machines_clone(backend: Backend) {
    use shotdeck::engine::ProjectHere;
    use shotdeck::engine::events::JobCmd;
    use shotdeck::files::project::{self, Init};

    let shared = matches!(backend, Backend::Postgres { .. });
    let h = Harness::on(backend, 0.3).await;
    let ann = h.board("single-shot.json");
    let Init::Created { id: project, .. } = project::init(h.dir.path(), None).unwrap() else {
        panic!("the temp folder is not a project yet");
    };
    let mut a = h.engine_on("host-a").await;
    let mut ev_a = Events::new(&mut a);
    let (id, _) = submit(&h, &a, &mut ev_a, "single-shot.json", Provider::Kling).await;
    let at_a = ev_a.finished(id).await;
    assert_eq!(at_a.phase, JobPhase::Done, "{:?}", at_a.error);
    shutdown(a).await;

    let clone = crate::projects::clone_into(&h, h.dir.path(), "cy-machine");
    let clone_root = clone.parent().unwrap().parent().unwrap().to_path_buf();
    let mut config = h.config_on(h.store("host-c").await);
    config.settings.project_here = Some(ProjectHere {
        id: format!("shotdeck:{project}"),
        root: clone_root,
    });
    let mut c = shotdeck::engine::Engine::start(config).await.unwrap();
    let mut ev_c = Events::new(&mut c);
    if shared {
        assert_eq!(
            at_a.fetch_hint(),
            None,
            "host-a has its files: nothing to fetch there"
        );
        let on_c = h.store("host-c").await.view(id).await.unwrap().unwrap();
        assert_eq!(
            on_c.fetch_hint().as_deref(),
            Some(format!("done on host-a; `shotdeck jobs fetch {id}` to get it here").as_str())
        );
    }
    c.cmd_tx.try_send(JobCmd::Redownload(id)).unwrap();
    let fetched = ev_c
        .wait_for("the videos on this machine", |v| {
            v.id == id
                && v.phase == JobPhase::Done
                && v.files.iter().all(|f| f.complete)
                && !v.files.is_empty()
        })
        .await;
    let here = if shared {
        std::fs::canonicalize(clone.parent().unwrap()).unwrap()
    } else {
        // One machine's store: the job was asked for here, and stays beside its board.
        std::fs::canonicalize(ann.parent().unwrap()).unwrap()
    };
    assert!(
        fetched.files[0].path.starts_with(&here),
        "{:?}",
        fetched.files
    );
    assert_eq!(std::fs::read(&fetched.files[0].path).unwrap(), SAMPLE_MP4);
    if shared {
        // Host-a's record of its own files is untouched.
        let on_a = h.store("host-a").await.view(id).await.unwrap().unwrap();
        assert_eq!(on_a.files[0].path, at_a.files[0].path);
        assert_eq!(h.sim.stats().video_requests, 2);
    }
    shutdown(c).await;
}

crate::on_both_backends!(
    a_wait_on_another_machine_ends_when_the_job_is_done_on_the_team,
    super::wait_elsewhere_ends_when_done
);

/// `jobs wait ID` on host-b for a job host-a asked for: its engine (scoped to the job, as
/// the command's is) polls the task to the end and leaves it for host-a, and the view it
/// reports ends the wait with where it is done; `--fetch` then asks for it here, and it
/// lands where `jobs fetch` would put it.
async fn wait_elsewhere_ends_when_done(backend: Backend) {
    use shotdeck::engine::JobScope;
    use shotdeck::engine::events::JobCmd;

    let shared = matches!(backend, Backend::Postgres { .. });
    let h = Harness::on(backend, 0.3).await;
    h.board("single-shot.json");
    let mut a = h.engine_on("host-a").await;
    let mut ev_a = Events::new(&mut a);
    let (id, _) = submit(&h, &a, &mut ev_a, "single-shot.json", Provider::Kling).await;
    ev_a.reached(id, JobPhase::Submitted).await;
    shutdown(a).await;

    let here = h.dir.path().join("host-b-folder");
    let mut config = h
        .config_on(h.store("host-b").await)
        .with_scope(JobScope::only([id]));
    config.settings.fetch_dir = Some(here.clone());
    let mut b = shotdeck::engine::Engine::start(config).await.unwrap();
    let host = b.host.clone();
    let mut ev_b = Events::new(&mut b);
    if !shared {
        // One machine: every job is this machine's; the wait ends with the files here.
        assert_eq!(host, None);
        let v = ev_b.finished(id).await;
        assert_eq!((v.phase, v.done_elsewhere(None)), (JobPhase::Done, None));
        shutdown(b).await;
        return;
    }
    assert_eq!(host.as_deref(), Some("host-b"));
    let ended = ev_b
        .wait_for("the wait to end", |v| {
            v.id == id && v.done_elsewhere(host.as_deref()).is_some()
        })
        .await;
    assert_eq!(ended.phase, JobPhase::Downloading);
    assert_eq!(
        ended.done_elsewhere(host.as_deref()).unwrap(),
        format!("done on host-a; `shotdeck jobs fetch {id}` to get it here")
    );
    assert_eq!(h.sim.stats().video_requests, 0);
    // `--fetch`: the same engine asks for the videos here.
    b.cmd_tx.send(JobCmd::Redownload(id)).await.unwrap();
    let fetched = ev_b
        .wait_for("the videos here", |v| {
            v.id == id && v.phase == JobPhase::Done && !v.files.is_empty()
        })
        .await;
    assert!(
        fetched.files[0].path.starts_with(&here),
        "{:?}",
        fetched.files
    );
    assert_eq!(std::fs::read(&fetched.files[0].path).unwrap(), SAMPLE_MP4);
    shutdown(b).await;
}
