//! The account gate: with ten clients racing for three slots exactly three get one (the
//! three oldest jobs), a shared hold-off after 1302, and a lowered limit after a 1303.

use std::time::Duration;

use shotdeck_store::pg::{Lease, SlotOutcome};

use crate::support::{GRACE, LEASE, queued, store};

async fn leases(store: &shotdeck_store::pg::PgStore, engine: &str, n: i64) -> Vec<Lease> {
    store.register_engine(engine, "h", "u").await.unwrap();
    let accounts = vec!["studio-a".to_string()];
    let claimed = store
        .claim(engine, &accounts, n, LEASE, GRACE)
        .await
        .unwrap();
    claimed.into_iter().map(|c| c.lease).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_parallel_clients_and_a_limit_of_three_admit_exactly_the_three_oldest() {
    let Some((store, raw)) = store().await else {
        return;
    };
    let ids = queued(&store, "studio-a", 3, 10).await;
    let all = leases(&store, "eng-a", 10).await;
    assert_eq!(all.len(), 10);
    // Ten tasks, each on its own pooled connection, all asking at once (newest first, so
    // FIFO is the gate's doing and not the order of the calls).
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(10));
    let tasks: Vec<_> = all
        .into_iter()
        .rev()
        .map(|lease| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let outcome = store.take_slot(&lease).await.unwrap();
                (lease, outcome)
            })
        })
        .collect();
    let mut taken = Vec::new();
    let mut waits = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (lease, SlotOutcome::Taken) => taken.push(lease.job),
            (lease, SlotOutcome::Wait { .. }) => waits.push(lease),
            (_, other) => panic!("{other:?}"),
        }
    }
    taken.sort();
    assert_eq!(taken, ids[..3], "exactly the three oldest");
    assert_eq!(waits.len(), 7);
    let in_flight: i64 = raw
        .query_one("SELECT count(*) FROM jobs WHERE phase = 'submitting'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(in_flight, 3);
    // The next in line, asking again, is told why it waits.
    let next = waits.iter().find(|l| l.job == ids[3]).unwrap();
    let outcome = store.take_slot(next).await.unwrap();
    assert_eq!(
        outcome.to_string(),
        "queued: 3 of 3 slots in use on account studio-a"
    );
}

#[tokio::test]
async fn a_younger_job_waits_behind_an_older_queued_one() {
    let Some((store, _raw)) = store().await else {
        return;
    };
    queued(&store, "studio-a", 1, 2).await;
    let all = leases(&store, "eng-a", 2).await;
    let outcome = store.take_slot(&all[1]).await.unwrap();
    assert_eq!(
        outcome,
        SlotOutcome::Wait {
            account: "studio-a".into(),
            in_use: 0,
            limit: 1,
            ahead: 1
        }
    );
    assert_eq!(
        outcome.to_string(),
        "queued: 0 of 1 slots in use on account studio-a, 1 ahead"
    );
    assert_eq!(store.take_slot(&all[0]).await.unwrap(), SlotOutcome::Taken);
}

#[tokio::test]
async fn a_1302_holds_the_whole_account_off() {
    let Some((store, _raw)) = store().await else {
        return;
    };
    queued(&store, "studio-a", 3, 1).await;
    let all = leases(&store, "eng-a", 1).await;
    store
        .hold_off("studio-a", Duration::from_secs(60))
        .await
        .unwrap();
    // A shorter hold-off does not shorten the one in place.
    store
        .hold_off("studio-a", Duration::from_secs(1))
        .await
        .unwrap();
    match store.take_slot(&all[0]).await.unwrap() {
        SlotOutcome::HeldOff { account, for_ms } => {
            assert_eq!(account, "studio-a");
            assert!((50_000..=60_000).contains(&for_ms), "{for_ms}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        store
            .hold_off("nobody", Duration::from_secs(1))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_1303_under_our_count_lowers_the_limit_and_requeues_the_job() {
    let Some((store, raw)) = store().await else {
        return;
    };
    let ids = queued(&store, "studio-a", 3, 3).await;
    let all = leases(&store, "eng-a", 3).await;
    assert_eq!(store.take_slot(&all[0]).await.unwrap(), SlotOutcome::Taken);
    assert_eq!(store.take_slot(&all[1]).await.unwrap(), SlotOutcome::Taken);
    // Kling says 1303 for the second while we count 2 of 3: someone else holds a slot.
    let over = store
        .over_limit(&all[1], Duration::from_secs(30), Duration::from_secs(600))
        .await
        .unwrap();
    assert!(over.requeued);
    assert_eq!(over.limit, 1);
    let row = raw
        .query_one(
            "SELECT phase, run_after > now() + interval '20 seconds' FROM jobs WHERE id = $1",
            &[&ids[1]],
        )
        .await
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0).as_str(), row.get::<_, bool>(1)),
        ("queued", true)
    );
    // The third job now waits: 1 of the lowered 1 slot is in use.
    match store.take_slot(&all[2]).await.unwrap() {
        SlotOutcome::Wait { in_use, limit, .. } => assert_eq!((in_use, limit), (1, 1)),
        other => panic!("{other:?}"),
    }
    // Once the cooldown is over, the configured limit is back.
    raw.execute(
        "UPDATE accounts SET lowered_until = now() - interval '1 second'",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(store.take_slot(&all[2]).await.unwrap(), SlotOutcome::Taken);
}

/// The interleaving the account lock exists for: another machine holds the account row
/// and fills the slots; our gate must wait for it and then count from a fresh snapshot.
/// (FIFO alone would not catch this: the jobs that fill the slots here are younger.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_waits_for_the_account_lock_and_counts_after_it() {
    let Some((store, raw)) = store().await else {
        return;
    };
    let ids = queued(&store, "studio-a", 3, 4).await;
    let all = leases(&store, "eng-a", 1).await;
    assert_eq!(all[0].job, ids[0]);
    raw.batch_execute("BEGIN; SELECT 1 FROM accounts WHERE id = 'studio-a' FOR UPDATE")
        .await
        .unwrap();
    let gate = {
        let (store, lease) = (store.clone(), all[0].clone());
        tokio::spawn(async move { store.take_slot(&lease).await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !gate.is_finished(),
        "the gate must wait for the account row"
    );
    raw.execute(
        "UPDATE jobs SET phase = 'submitting' WHERE id = ANY($1)",
        &[&ids[1..].to_vec()],
    )
    .await
    .unwrap();
    raw.batch_execute("COMMIT").await.unwrap();
    match gate.await.unwrap() {
        SlotOutcome::Wait { in_use, limit, .. } => assert_eq!((in_use, limit), (3, 3)),
        other => panic!("admitted past the limit: {other:?}"),
    }
}
