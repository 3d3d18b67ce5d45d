//! Boards and files across machines on one PostgreSQL store: two machines with their own
//! clone of one project (the same `.shotdeck` marker in two folders) submit takes of one
//! board, and a machine that asks for another machine's finished job gets its videos in
//! its own folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobPhase, JobView, SubmitOptions, SubmitRequest};
use shotdeck::engine::store::JobStore;
use shotdeck::files::project::{self, Init};

use crate::engines::{engine, machine_on, sim_and_board};
use crate::support;

/// A clone of the project holding `board` under `dir/name`: its marker and the board.
fn clone_of(board: &Path, dir: &Path, name: &str) -> PathBuf {
    let root = board.parent().unwrap();
    let to = dir.join(name);
    std::fs::create_dir_all(to.join(".shotdeck")).unwrap();
    let marker = ".shotdeck/project.toml";
    std::fs::copy(root.join(marker), to.join(marker)).unwrap();
    let copy = to.join(board.file_name().unwrap());
    std::fs::copy(board, &copy).unwrap();
    copy
}

async fn until(
    store: &dyn JobStore,
    id: i64,
    what: &str,
    ok: impl Fn(&JobView) -> bool,
) -> JobView {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let v = store.view(id).await.unwrap();
        if let Some(v) = v.filter(|v| ok(v)) {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: {:#?}",
            store.view(id).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_machines_share_a_projects_board_and_fetch_each_others_videos() {
    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    let (sim, dir, board_a, board) = sim_and_board().await;
    let Init::Created { id: project_id, .. } = project::init(dir.path(), None).unwrap() else {
        panic!("a fresh folder");
    };
    let board_b = clone_of(&board_a, dir.path(), "bo-clone");
    let url = shotdeck_core::store_url::StoreUrl::parse(&server).unwrap();
    let options = || shotdeck::engine::store::pg::PgOptions::new(url.clone());
    let store_a = machine_on(options(), &schema, "host-a").await;
    let store_b = machine_on(options(), &schema, "host-b").await;
    let a = engine(&sim, store_a.clone(), &dir.path().join("a")).await;
    let b = engine(&sim, store_b.clone(), &dir.path().join("b")).await;

    let mut ids = Vec::new();
    for (e, path) in [(&a, &board_a), (&b, &board_b)] {
        let request = SubmitRequest::new(
            path,
            board.clone(),
            Provider::Kling,
            SubmitOptions::default(),
        );
        e.cmd_tx.send(JobCmd::Submit(request)).await.unwrap();
        // One after the other, so the take numbers say who came first.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while store_a.counts().await.unwrap().of(None) == ids.len() {
            assert!(tokio::time::Instant::now() < deadline, "no job recorded");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        ids.push(store_a.first_views(1).await.unwrap()[0].id);
    }
    let done = |v: &JobView| v.phase == JobPhase::Done;
    let ann = until(&*store_a, ids[0], "done on a", done).await;
    let bo = until(&*store_b, ids[1], "done on b", done).await;
    assert_eq!((ann.take, bo.take), (1, 2), "one board, two clones");
    assert_eq!(ann.board_key, bo.board_key);
    assert_eq!(ann.board_key.project, format!("shotdeck:{project_id}"));
    assert_eq!(ann.board_key.path, "noir.json");
    assert_ne!(ann.board_path, bo.board_path, "each asker's own folder");

    // Machine b asks for a's video: it has no file rows of its own for the job, so its
    // engine asks the task for its videos again and downloads them into b's folder.
    let on_b = store_b.view(ids[0]).await.unwrap().unwrap();
    assert!(on_b.files.is_empty(), "b has not fetched it: {on_b:#?}");
    b.cmd_tx.send(JobCmd::Redownload(ids[0])).await.unwrap();
    let fetched = until(&*store_b, ids[0], "fetched on b", |v| {
        done(v) && !v.files.is_empty() && v.files.iter().all(|f| f.complete)
    })
    .await;
    let b_dir = dir.path().join("b");
    assert!(fetched.files[0].path.starts_with(&b_dir), "{fetched:#?}");
    assert!(fetched.files[0].path.is_file());
    let on_a = store_a.view(ids[0]).await.unwrap().unwrap();
    assert!(
        on_a.files[0].path.starts_with(dir.path().join("a")),
        "{on_a:#?}"
    );
    for e in [a, b] {
        let _ = e.cmd_tx.send(JobCmd::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), e.task).await;
    }
}
