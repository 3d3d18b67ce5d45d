//! `changed_since` by the store's cursor: transactions, not clocks. A change whose
//! transaction drew a lower id than one already read, but committed after that read, is
//! still returned by the next read; the store's own writes do not wake its feed.

use std::sync::Arc;
use std::time::Duration;

use shotdeck_core::jobs::{JobId, JobView};
use shotdeck_store::{JobStore, now_ms};

use crate::support;

fn ids(views: &[JobView]) -> Vec<JobId> {
    views.iter().map(|v| v.id).collect()
}

async fn changed_xid(raw: &tokio_postgres::Client, id: JobId) -> i64 {
    raw.query_one("SELECT changed_xid FROM jobs WHERE id = $1", &[&id])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_committed_late_under_a_lower_transaction_id_is_not_skipped() {
    let Some((store, raw)) = support::store().await else {
        return;
    };
    let server = support::server().unwrap();
    let early = support::raw(&server, store.schema()).await;
    let jobs = support::queued(&store, "acct", 3, 2).await;
    let (x, y) = (jobs[0], jobs[1]);
    let store: Arc<dyn JobStore> = Arc::new(store);
    let cursor = store.change_cursor().await.unwrap();

    // `early` draws the lower transaction id first but commits last.
    early.batch_execute("BEGIN").await.unwrap();
    early
        .execute("UPDATE jobs SET status_msg = 'early' WHERE id = $1", &[&x])
        .await
        .unwrap();
    raw.batch_execute("BEGIN").await.unwrap();
    raw.execute("UPDATE jobs SET status_msg = 'late' WHERE id = $1", &[&y])
        .await
        .unwrap();
    raw.batch_execute("COMMIT").await.unwrap();

    let first = store.changed_since(cursor).await.unwrap();
    assert_eq!(ids(&first.jobs), [y], "only the committed change shows");
    early.batch_execute("COMMIT").await.unwrap();
    assert!(
        changed_xid(&raw, x).await < changed_xid(&raw, y).await,
        "the scenario needs x's transaction to have drawn the lower id"
    );

    let second = store.changed_since(first.next).await.unwrap();
    assert!(
        ids(&second.jobs).contains(&x),
        "the late commit was skipped: {:?}",
        ids(&second.jobs)
    );
    let x_view = second.jobs.iter().find(|v| v.id == x).unwrap();
    assert_eq!(x_view.status_msg.as_deref(), Some("early"));
    // Nothing running now: the cursor has caught up and nothing comes again.
    let third = store.changed_since(second.next).await.unwrap();
    assert_eq!(ids(&third.jobs), Vec::<JobId>::new());
    // A lease renewal is not a change anyone needs to see.
    let lease = Duration::from_secs(30);
    store
        .renew_leases("nobody", lease, Vec::new(), now_ms())
        .await
        .unwrap();
    raw.execute(
        "UPDATE jobs SET lease_owner = 'e', lease_until_ms = 1 WHERE id = $1",
        &[&x],
    )
    .await
    .unwrap();
    let fourth = store.changed_since(third.next).await.unwrap();
    assert_eq!(ids(&fourth.jobs), Vec::<JobId>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stores_own_writes_do_not_wake_its_feed_and_anothers_do() {
    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    let mine = support::connect(&server, &schema, 2).await;
    let other = support::connect(&server, &schema, 2).await;
    let feed = mine.watch().await.unwrap().expect("PostgreSQL has a feed");
    let own = support::queued(&mine, "acct", 3, 3).await;
    // The notifications arrive (counted) but wake nobody.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while mine.feed_counts().is_none_or(|(heard, _)| heard < 3) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no notification heard"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(mine.feed_counts(), Some((3, 3)));
    let woke = tokio::time::timeout(Duration::from_millis(300), feed.changed()).await;
    assert!(
        woke.is_err(),
        "its own {} inserts woke the store's feed",
        own.len()
    );
    // Another machine's insert wakes it.
    support::queued(&other, "acct", 3, 1).await;
    tokio::time::timeout(Duration::from_secs(5), feed.changed())
        .await
        .expect("another store's write wakes the feed");
    assert_eq!(mine.feed_counts(), Some((4, 3)));
}

/// An engine alone on the store: every notification its jobs cause is its own, and none
/// wakes it (each used to cost it a `changed_since` and an `in_flight` query).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_is_not_woken_by_its_own_jobs() {
    use shotdeck::engine::events::{JobCmd, JobPhase, SubmitOptions, SubmitRequest};
    use shotdeck_core::Provider;

    use crate::engines::{engine, sim_and_board};

    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    let (sim, dir, board_path, board) = sim_and_board().await;
    let store = Arc::new(support::connect(&server, &schema, 4).await);
    let e = engine(&sim, store.clone(), dir.path()).await;
    const JOBS: usize = 3;
    for _ in 0..JOBS {
        let request = SubmitRequest::new(
            &board_path,
            board.clone(),
            Provider::Kling,
            SubmitOptions::default(),
        );
        e.cmd_tx.send(JobCmd::Submit(request)).await.unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let views = store.first_views(10).await.unwrap();
        if views.len() == JOBS && views.iter().all(|v| v.phase == JobPhase::Done) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not done: {views:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Queued, submitting, submitted, processing, downloading, done: six each.
    let want = (6 * JOBS) as u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while store.feed_counts().is_none_or(|(heard, _)| heard < want) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            store.feed_counts()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (heard, own) = store.feed_counts().unwrap();
    eprintln!("{JOBS} jobs: {heard} notifications heard, {own} of them the engine's own");
    assert_eq!(heard, own, "only this engine wrote");
    let _ = e.cmd_tx.send(JobCmd::Shutdown).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), e.task).await;
}
