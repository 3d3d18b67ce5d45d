//! `submit --wait` when another process changes its job: a cancel ends the wait, an
//! adoption is followed from the store.

use std::time::Duration;

use shotdeck::sim::Faults;

use super::*;

#[tokio::test]
async fn submit_wait_ends_as_failed_with_the_reason_when_another_process_cancels_the_job() {
    let setup = Setup::with_task_seconds(Faults::default(), 600.0).await;
    let first = submit_wait_with_a_task(&setup).await;
    let cancel = setup.run(&["jobs", "cancel", "1"]).await;
    assert!(cancel.status.success(), "{}", describe(&cancel));
    let out = tokio::time::timeout(Duration::from_secs(60), first.wait_with_output())
        .await
        .expect("submit --wait notices the cancel and returns")
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("cancelled by the user"),
        "{}",
        describe(&out)
    );
}

#[tokio::test]
async fn submit_wait_follows_the_job_from_the_store_once_another_process_adopts_it() {
    use shotdeck::engine::events::{JobError, JobPhase};
    use shotdeck::engine::store::{JobChange, STORE_FILE, Store, now_ms};
    let setup = Setup::with_task_seconds(Faults::default(), 600.0).await;
    let first = submit_wait_with_a_task(&setup).await;
    // Another engine takes the job over, as one does once a suspended submitter's lease
    // lapses, and records what it learns: here, that the provider failed the task.
    let path = setup.dir.path().join("data").join(STORE_FILE);
    let other = "another-engine";
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE jobs SET lease_owner = ?1, lease_until = ?2 WHERE id = 1",
        rusqlite::params![other, now_ms() + 600_000],
    )
    .unwrap();
    drop(conn);
    let mut store = Store::open(&path).unwrap();
    let failed = JobChange::phase(JobPhase::Failed)
        .with_error(Some(JobError {
            code: Some("1301".into()),
            message: "the adopting engine saw the task fail".into(),
            retryable: false,
        }))
        .with_note("failed, seen by another engine");
    store.apply(1, other, &failed, now_ms()).unwrap().unwrap();
    let out = tokio::time::timeout(Duration::from_secs(60), first.wait_with_output())
        .await
        .expect("submit --wait follows the adopted job to its end")
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("the adopting engine saw the task fail"),
        "{}",
        describe(&out)
    );
}
