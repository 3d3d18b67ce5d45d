//! Inserting: the budget in the insert's transaction (team time zone), take numbers per
//! board under concurrency, the one-retry rule as a constraint, and files per machine.

use shotdeck_core::budget::{Budget, Limit};
use shotdeck_store::pg::{PgError, PgStore};

use crate::support::{insert, job, store};

/// A store with account studio-a (3 slots, no budget of its own, UTC).
async fn with_account() -> Option<(PgStore, tokio_postgres::Client)> {
    let (store, raw) = store().await?;
    store
        .upsert_account("studio-a", 3, None, "UTC")
        .await
        .unwrap();
    Some((store, raw))
}

async fn parallel<T: Send + 'static>(
    n: usize,
    store: &PgStore,
    f: impl Fn(usize, PgStore) -> tokio::task::JoinHandle<T>,
) -> Vec<T> {
    let handles: Vec<_> = (0..n).map(|i| f(i, store.clone())).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_parallel_submits_never_overspend_the_day() {
    let Some((store, _raw)) = with_account().await else {
        return;
    };
    let budget = Budget {
        per_day: Some(10.0),
        ..Budget::default()
    };
    let results = parallel(10, &store, |i, store| {
        tokio::spawn(async move {
            let mut j = job(i, "studio-a", &format!("b{i}.json"));
            j.estimated_usd = Some(4.0);
            store.insert_within_budget(&j, &budget).await.unwrap()
        })
    })
    .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 2, "$4 jobs under $10 a day: {results:?}");
    let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(refused.limit, Limit::PerDay);
    assert_eq!(refused.spent_usd, 8.0);
    assert_eq!(store.spent_today("studio-a").await.unwrap(), 8.0);
}

#[tokio::test]
async fn today_starts_at_midnight_in_the_team_time_zone() {
    let Some((store, raw)) = store().await else {
        return;
    };
    // The account's own daily budget, in a zone far from UTC.
    store
        .upsert_account("studio-a", 3, Some(5.0), "Pacific/Kiritimati")
        .await
        .unwrap();
    let a = insert(&store, &job(0, "studio-a", "a.json")).await;
    let b = insert(&store, &job(1, "studio-a", "a.json")).await;
    let midnight = "(date_trunc('day', now() AT TIME ZONE 'Pacific/Kiritimati') \
                    AT TIME ZONE 'Pacific/Kiritimati')";
    for (id, at) in [
        (a.id, "- interval '1 minute'"),
        (b.id, "+ interval '1 second'"),
    ] {
        raw.execute(
            &format!("UPDATE jobs SET created_at = {midnight} {at} WHERE id = $1"),
            &[&id],
        )
        .await
        .unwrap();
    }
    // Only the job after the team's midnight counts today.
    assert_eq!(store.spent_today("studio-a").await.unwrap(), 1.0);
    let mut big = job(2, "studio-a", "a.json");
    big.estimated_usd = Some(4.0);
    assert!(
        store
            .insert_within_budget(&big, &Budget::default())
            .await
            .unwrap()
            .is_ok()
    );
    big.external_task_id.push('x');
    big.estimated_usd = Some(0.5);
    let over = store
        .insert_within_budget(&big, &Budget::default())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (over.limit, over.limit_usd, over.spent_usd),
        (Limit::PerDay, 5.0, 5.0)
    );
    // A job refused before it had a task does not count.
    raw.execute("UPDATE jobs SET phase = 'failed' WHERE id = $1", &[&b.id])
        .await
        .unwrap();
    assert_eq!(store.spent_today("studio-a").await.unwrap(), 4.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn takes_are_numbered_per_board_without_gaps_under_concurrency() {
    let Some((store, _raw)) = with_account().await else {
        return;
    };
    let takes = parallel(40, &store, |i, store| {
        tokio::spawn(async move {
            let board = if i % 2 == 0 { "even.json" } else { "odd.json" };
            insert(&store, &job(i, "studio-a", board)).await.take
        })
    })
    .await;
    for parity in 0..2 {
        let mut mine: Vec<i32> = takes.iter().skip(parity).step_by(2).copied().collect();
        mine.sort();
        assert_eq!(mine, (1..=20).collect::<Vec<_>>());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_is_retried_once_whoever_races() {
    let Some((store, _raw)) = with_account().await else {
        return;
    };
    let first = insert(&store, &job(0, "studio-a", "a.json")).await;
    let results = parallel(6, &store, move |i, store| {
        tokio::spawn(async move {
            let mut retry = job(i, "studio-a", "a.json");
            retry.retry_of = Some(first.id);
            store
                .insert_within_budget(&retry, &Budget::default())
                .await
                .map(|r| r.unwrap().id)
        })
    })
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(r, PgError::AlreadyRetried { of } if *of == first.id),
            "{r}"
        );
    }
}

#[tokio::test]
async fn files_are_asked_for_per_machine_and_the_account_must_exist() {
    let Some((store, raw)) = with_account().await else {
        return;
    };
    let a = insert(&store, &job(0, "studio-a", "a.json")).await;
    store
        .want_files(a.id, "host-a", "/home/ann/proj/a.renders", 2)
        .await
        .unwrap();
    store
        .want_files(a.id, "host-b", "/srv/bob/proj/a.renders", 2)
        .await
        .unwrap();
    assert!(
        store
            .file_progress(a.id, "host-b", 1, 10, Some(10))
            .await
            .unwrap()
    );
    assert!(
        !store
            .file_progress(a.id, "host-c", 0, 1, None)
            .await
            .unwrap()
    );
    let rows = raw
        .query(
            "SELECT host, idx, complete FROM job_files ORDER BY host, idx",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(String, i32, bool)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let want = [
        ("host-a", 0, false),
        ("host-a", 1, false),
        ("host-b", 0, false),
        ("host-b", 1, true),
    ];
    assert_eq!(got, want.map(|(h, i, c)| (h.to_string(), i, c)));
    let err = store
        .insert_within_budget(&job(1, "nobody", "a.json"), &Budget::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PgError::NoAccount(_)), "{err}");
}
