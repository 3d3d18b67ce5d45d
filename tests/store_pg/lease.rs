//! Leases on the database clock, adoption after a stopped heartbeat, epoch fencing, and
//! the in-doubt wait before a `submitting` job is adopted.

use std::time::Duration;

use shotdeck_core::jobs::JobPhase;
use shotdeck_store::JobChange;
use shotdeck_store::pg::{Claimed, PgError, PgStore, SlotOutcome};

use crate::support::{GRACE, LEASE, queued, store};

fn accounts() -> Vec<String> {
    vec!["studio-a".to_string()]
}

/// Engine `engine`'s heartbeat as if it stopped an hour ago (a partition, a SIGKILL).
async fn stop_heartbeat(raw: &tokio_postgres::Client, engine: &str) {
    raw.execute(
        "UPDATE engines SET last_seen = now() - interval '1 hour' WHERE id = $1",
        &[&engine],
    )
    .await
    .unwrap();
}

async fn two_engines(store: &PgStore) {
    store
        .register_engine("eng-a", "host-a", "ann")
        .await
        .unwrap();
    store
        .register_engine("eng-b", "host-b", "bob")
        .await
        .unwrap();
}

async fn claim(store: &PgStore, engine: &str, max: i64) -> Vec<Claimed> {
    store
        .claim(engine, &accounts(), max, LEASE, GRACE)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stale_owner_writes_nothing_after_another_engine_adopts() {
    let Some((store, raw)) = store().await else {
        return;
    };
    let ids = queued(&store, "studio-a", 3, 1).await;
    two_engines(&store).await;

    let a = claim(&store, "eng-a", 10).await;
    assert_eq!(a.len(), 1);
    let lease_a = a[0].lease.clone();
    assert_eq!(
        (lease_a.job, lease_a.epoch, a[0].adopted),
        (ids[0], 1, false)
    );
    // A live owner's job is not B's to take.
    let b = claim(&store, "eng-b", 10).await;
    assert!(b.is_empty(), "{b:?}");

    stop_heartbeat(&raw, "eng-a").await;
    let b = claim(&store, "eng-b", 10).await;
    assert_eq!(b.len(), 1);
    let lease_b = b[0].lease.clone();
    assert_eq!(
        (lease_b.job, lease_b.epoch, b[0].adopted),
        (ids[0], 2, true)
    );

    // A comes back and writes with its old epoch: nothing changes.
    let late = JobChange {
        task_id: Some("task-from-a".into()),
        ..JobChange::phase(JobPhase::Submitted)
    };
    assert!(!store.apply(&lease_a, &late).await.unwrap());
    assert_eq!(store.take_slot(&lease_a).await.unwrap(), SlotOutcome::Lost);
    assert!(!store.release(&lease_a).await.unwrap());
    assert!(!store.mark_polled(&lease_a).await.unwrap());
    let row = raw
        .query_one(
            "SELECT phase, task_id, lease_owner FROM jobs WHERE id = $1",
            &[&ids[0]],
        )
        .await
        .unwrap();
    let (phase, task, owner): (String, Option<String>, String) =
        (row.get(0), row.get(1), row.get(2));
    assert_eq!(
        (phase.as_str(), task, owner.as_str()),
        ("queued", None, "eng-b")
    );

    // The new owner's writes land, and the history names who wrote them.
    assert_eq!(store.take_slot(&lease_b).await.unwrap(), SlotOutcome::Taken);
    let accepted = JobChange {
        task_id: Some("task-from-b".into()),
        ..JobChange::phase(JobPhase::Submitted)
    }
    .with_note("accepted");
    assert!(store.apply(&lease_b, &accepted).await.unwrap());
    assert_eq!(
        store.phase(ids[0]).await.unwrap(),
        Some(JobPhase::Submitted)
    );
    let history = store.history(ids[0]).await.unwrap();
    let phases: Vec<_> = history.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(phases, ["queued", "submitting", "submitted"]);
    assert_eq!(history[2].1.as_deref(), Some("accepted"));
    // An impossible move is refused, not written.
    let refused = store
        .apply(&lease_b, &JobChange::phase(JobPhase::Queued))
        .await;
    assert!(
        matches!(refused, Err(PgError::Transition(_))),
        "{refused:?}"
    );
    assert_eq!(
        store.phase(ids[0]).await.unwrap(),
        Some(JobPhase::Submitted)
    );
}

#[tokio::test]
async fn a_submitting_job_is_adopted_only_after_the_create_could_have_ended() {
    let Some((store, raw)) = store().await else {
        return;
    };
    let ids = queued(&store, "studio-a", 3, 1).await;
    two_engines(&store).await;
    let a = claim(&store, "eng-a", 1).await;
    assert_eq!(
        store.take_slot(&a[0].lease).await.unwrap(),
        SlotOutcome::Taken
    );
    stop_heartbeat(&raw, "eng-a").await;

    // A's create may still be on the wire: B must not look it up yet.
    let b = claim(&store, "eng-b", 1).await;
    assert!(b.is_empty(), "{b:?}");
    raw.execute(
        "UPDATE jobs SET submitting_since = now() - interval '121 seconds' WHERE id = $1",
        &[&ids[0]],
    )
    .await
    .unwrap();
    let b = claim(&store, "eng-b", 1).await;
    assert_eq!(b.len(), 1);
    assert_eq!((b[0].phase, b[0].adopted), (JobPhase::Submitting, true));
    assert!(b[0].external_task_id.starts_with("shotdeck-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_claimers_share_the_queue_without_overlap() {
    let Some((store, _raw)) = store().await else {
        return;
    };
    let ids = queued(&store, "studio-a", 3, 30).await;
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let me = format!("eng-{i}");
                store.register_engine(&me, "h", "u").await.unwrap();
                let mut mine = Vec::new();
                let mut empty = 0;
                loop {
                    let got = store
                        .claim(&me, &accounts(), 2, LEASE, GRACE)
                        .await
                        .unwrap();
                    // A claim that lost every candidate to a racing engine is empty too:
                    // the queue is drained once several in a row are.
                    empty = if got.is_empty() { empty + 1 } else { 0 };
                    if empty == 3 {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|c| c.lease.job));
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    assert_eq!(all, ids, "every job claimed exactly once");
}
