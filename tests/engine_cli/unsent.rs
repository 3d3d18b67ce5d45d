//! `jobs send` and `jobs cancel`: a job a killed submit recorded is sent only on the
//! user's word (exactly once), and cancelling says what it leaves behind.

use shotdeck::core::compose::{PlaceholderImages, compose};
use shotdeck::core::model::Board;
use shotdeck::core::provider::Provider;
use shotdeck::engine::new_external_task_id;
use shotdeck::engine::store::{NewJob, Store, now_ms};
use shotdeck::sim::Faults;

use super::{Setup, describe, text};

/// Records a `queued` job the way a submit killed before sending leaves it.
fn recorded_by_a_killed_submit(s: &Setup) -> (i64, String) {
    let board = Board::starter();
    let ext = new_external_task_id();
    let request = compose(&board, Provider::Kling, &PlaceholderImages, &ext).unwrap();
    let job = NewJob {
        board_key: None,
        board_path: s.dir.path().join("boards/starter.json"),
        board,
        provider: Provider::Kling,
        request,
        external_task_id: ext.clone(),
        estimated_usd: None,
        retry_of: None,
    };
    let mut store = Store::open(&s.dir.path().join("data/jobs.sqlite3")).unwrap();
    let now = now_ms();
    let id = store.insert_job(&job, "killed", now - 1, now - 10).unwrap();
    (id, ext)
}

#[tokio::test]
async fn a_job_never_sent_is_sent_once_by_jobs_send_and_only_with_a_yes() {
    let s = Setup::new(Faults::default()).await;
    let (id, ext) = recorded_by_a_killed_submit(&s);
    let id_arg = id.to_string();

    // Waiting for it sends nothing: it says how to send it (exit 1: nothing spent).
    let out = s.run(&["jobs", "wait", &id_arg]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(err.contains("never sent"), "{err}");
    assert!(err.contains(&format!("shotdeck jobs send {id}")), "{err}");
    let listed = text(&s.run(&["jobs"]).await.stdout);
    assert!(listed.contains("not_sent"), "{listed}");

    // From a script, not without --yes.
    let out = s.run(&["jobs", "send", &id_arg]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("pass --yes"),
        "{}",
        describe(&out)
    );
    assert_eq!(s.sim.stats().api_requests, 0, "nothing was sent");

    let out = s.run(&["jobs", "send", &id_arg, "--yes", "--wait"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(s.sim.stats().creates_by_external_id[&ext], 1);

    let out = s.run(&["jobs", "send", &id_arg, "--yes"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stderr).contains("only a job that was never sent"));
    let out = s.run(&["jobs", "cancel", &id_arg]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stderr).contains("nothing to cancel"));
    assert_eq!(s.sim.stats().creates_accepted, 1);
}

#[tokio::test]
async fn jobs_cancel_says_what_it_leaves_behind() {
    let s = Setup::new(Faults::default()).await;
    let (unsent, _) = recorded_by_a_killed_submit(&s);
    let out = s.run(&["jobs", "cancel", &unsent.to_string()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stderr).contains("nothing was created or charged"));

    let board = s.board("noir-3-shot.json");
    let out = s
        .run(&[
            "submit",
            board.to_str().unwrap(),
            "--yes",
            "--provider",
            "kling",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let sent = unsent + 1;
    let out = s.run(&["jobs", "cancel", &sent.to_string()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(err.contains("cannot cancel a task"), "{err}");
    assert!(err.contains("may still run and be charged"), "{err}");
    let shown = text(&s.run(&["jobs", "show", &sent.to_string()]).await.stdout);
    assert!(shown.contains("cancelled"), "{shown}");
}
