//! LISTEN/NOTIFY: phase changes arrive, progress does not, a rolled-back write sends
//! nothing, and a listener whose connection is killed catches up on what it missed.

use std::time::Duration;

use shotdeck_store::pg::{JobChanged, Listener, SlotOutcome};

use crate::support::{GRACE, LEASE, queued, store};

async fn next(listener: &mut Listener) -> JobChanged {
    tokio::time::timeout(Duration::from_secs(10), listener.recv())
        .await
        .expect("a change within 10 s")
        .expect("the listener is running")
}

async fn nothing_within(listener: &mut Listener, ms: u64) {
    let got = tokio::time::timeout(Duration::from_millis(ms), listener.recv()).await;
    assert!(got.is_err(), "expected silence, got {got:?}");
}

#[tokio::test]
async fn phase_changes_are_heard_and_progress_is_not() {
    let Some((store, raw)) = store().await else {
        return;
    };
    let mut listener = store.listen().await.unwrap();
    let ids = queued(&store, "studio-a", 3, 1).await;
    let inserted = next(&mut listener).await;
    assert_eq!((inserted.id, inserted.phase.as_str()), (ids[0], "queued"));

    store.register_engine("eng-a", "h", "u").await.unwrap();
    let accounts = vec!["studio-a".to_string()];
    let lease = store
        .claim("eng-a", &accounts, 1, LEASE, GRACE)
        .await
        .unwrap()[0]
        .lease
        .clone();
    // Claiming, polling, progress and heartbeats are not phase changes.
    store.mark_polled(&lease).await.unwrap();
    store.heartbeat("eng-a").await.unwrap();
    store.want_files(ids[0], "h", "/d", 1).await.unwrap();
    store
        .file_progress(ids[0], "h", 0, 5, Some(10))
        .await
        .unwrap();
    // A phase change that is rolled back is never announced.
    raw.batch_execute(&format!(
        "BEGIN; UPDATE jobs SET phase = 'failed' WHERE id = {}; ROLLBACK;",
        ids[0]
    ))
    .await
    .unwrap();
    nothing_within(&mut listener, 300).await;

    assert_eq!(store.take_slot(&lease).await.unwrap(), SlotOutcome::Taken);
    let changed = next(&mut listener).await;
    assert_eq!((changed.id, changed.phase.as_str()), (ids[0], "submitting"));
    assert!(changed.version > inserted.version);
}

#[tokio::test]
async fn a_listener_that_lost_its_connection_rereads_what_it_missed() {
    let Some((store, raw)) = store().await else {
        return;
    };
    let ids = queued(&store, "studio-a", 3, 2).await;
    let mut listener = store.listen().await.unwrap();
    nothing_within(&mut listener, 100).await;

    // Change a job and kill the listener's session in one transaction: the commit (and
    // its NOTIFY) comes after the old session is gone and before the listener's reconnect
    // (it waits 50 ms first), so only the re-read can bring the change.
    raw.batch_execute("BEGIN").await.unwrap();
    raw.execute(
        "UPDATE jobs SET phase = 'not_sent' WHERE id = $1",
        &[&ids[1]],
    )
    .await
    .unwrap();
    let killed: i64 = raw
        .query_one(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) \
             FROM pg_stat_activity WHERE application_name = $1",
            &[&listener.application_name()],
        )
        .await
        .unwrap()
        .get(0);
    raw.batch_execute("COMMIT").await.unwrap();
    assert_eq!(killed, 1);
    let missed = next(&mut listener).await;
    assert_eq!((missed.id, missed.phase.as_str()), (ids[1], "not_sent"));
    assert_eq!(listener.reconnects(), 1);
    // And it goes on listening on the new connection.
    raw.execute(
        "UPDATE jobs SET phase = 'not_sent' WHERE id = $1",
        &[&ids[0]],
    )
    .await
    .unwrap();
    let live = next(&mut listener).await;
    assert_eq!((live.id, live.phase.as_str()), (ids[0], "not_sent"));
}
