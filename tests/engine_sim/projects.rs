//! A board's name across machines: two clones of one project (two folders with the same
//! `.shotdeck` marker, as two machines' checkouts are) submit one board; the store counts
//! them as takes of one board, and each job's video lands in the folder that asked.

use std::path::{Path, PathBuf};

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::JobCmd;
use shotdeck::files::project::{self, Init};

use crate::support::*;

/// A clone of the project at `root` under `dir/name`: the committed marker and the board
/// (with its images), as `git clone` would give on another machine.
pub(crate) fn clone_into(h: &Harness, root: &Path, name: &str) -> PathBuf {
    let to = h.dir.path().join(name);
    let marker = to.join(".shotdeck");
    std::fs::create_dir_all(&marker).unwrap();
    std::fs::copy(
        root.join(".shotdeck/project.toml"),
        marker.join("project.toml"),
    )
    .unwrap();
    copy_dir(&root.join("boards"), &to.join("boards"));
    to.join("boards/image-to-video.json")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn two_clones_of_a_project_submit_takes_of_one_board_and_keep_their_own_files() {
    let h = Harness::start(0.3).await;
    let ann = h.board("image-to-video.json");
    let root = h.dir.path();
    let Init::Created { id, .. } = project::init(root, Some("noir")).unwrap() else {
        panic!("the temp folder is not a project yet");
    };
    let bo = clone_into(&h, root, "bo-machine");
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let mut jobs = Vec::new();
    for board in [&ann, &bo, &ann] {
        let request = h.submit_request(board, Provider::Kling);
        let ticket = request.ticket;
        engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
        jobs.push(events.job_for(ticket).await.id);
    }
    for &id in &jobs {
        events.finished(id).await;
    }
    let views: Vec<_> = jobs.iter().map(|id| events.latest[id].clone()).collect();
    let takes: Vec<u32> = views.iter().map(|v| v.take).collect();
    assert_eq!(takes, [1, 2, 3], "one board, whichever clone submits it");
    for v in &views {
        assert_eq!(v.board_key.project, format!("shotdeck:{id}"));
        assert_eq!(v.board_key.path, "boards/image-to-video.json");
    }
    let bo_dir = std::fs::canonicalize(bo.parent().unwrap()).unwrap();
    let ann_dir = std::fs::canonicalize(ann.parent().unwrap()).unwrap();
    assert!(
        views[1].files[0].path.starts_with(&bo_dir),
        "{:?}",
        views[1].files
    );
    assert!(
        views[0].files[0].path.starts_with(&ann_dir),
        "{:?}",
        views[0].files
    );
    assert!(!views[0].files[0].path.starts_with(&bo_dir));
    shutdown(engine).await;
}
