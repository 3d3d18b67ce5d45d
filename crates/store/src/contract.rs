//! What every backend must do, as test bodies over `Arc<dyn JobStore>`: the SQLite tests
//! below call them, and PostgreSQL's (tests/store_pg, with the `testing` feature) call the
//! same functions on a fresh schema. Each expects an empty store.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use shotdeck_core::Provider;
use shotdeck_core::budget::{Budget, UnitPrices};
use shotdeck_core::compose::{PlaceholderImages, compose};
use shotdeck_core::jobs::{JobPhase, JobView};
use shotdeck_core::model::Board;

use crate::{FileProgress, JobChange, JobStore, LeaseTerms, NewJob, Refusal, Restart, StoreError};

pub(crate) const A: &str = "engine-a";
pub(crate) const B: &str = "engine-b";

pub(crate) fn job(ext: &str, board: &str, usd: f64) -> NewJob {
    let b = Board::starter();
    let request = compose(&b, Provider::Kling, &PlaceholderImages, ext).unwrap();
    NewJob {
        board_key: None,
        board_path: PathBuf::from(board),
        board: b,
        provider: Provider::Kling,
        request,
        external_task_id: ext.into(),
        estimated_usd: Some(usd),
        retry_of: None,
    }
}

/// A lease no test outlives, and one that lapses at once (the test then sleeps past it:
/// PostgreSQL times leases by its own clock, not the test's `now`).
pub(crate) const LONG: Duration = Duration::from_secs(3600);
pub(crate) const SHORT: Duration = Duration::from_millis(1);

pub(crate) fn terms(ttl: Duration) -> LeaseTerms {
    LeaseTerms {
        ttl,
        create_timeout: Duration::ZERO,
    }
}

pub(crate) async fn insert(s: &dyn JobStore, j: NewJob, lease: Duration) -> JobView {
    s.insert_within_budget(j, Budget::default(), UnitPrices::new(), A, lease, 1)
        .await
        .unwrap()
        .unwrap()
}

/// A job the budget refuses is not recorded: the sum and the insert are one transaction.
pub async fn budget_refusal_records_nothing(s: Arc<dyn JobStore>) {
    let budget = Budget {
        per_board: Some(2.0),
        ..Budget::default()
    };
    let prices = UnitPrices::new();
    let first = s
        .insert_within_budget(
            job("b1", "/a.json", 1.5),
            budget,
            prices.clone(),
            A,
            LONG,
            1,
        )
        .await
        .unwrap();
    assert!(first.is_ok());
    let refused = s
        .insert_within_budget(
            job("b2", "/a.json", 1.0),
            budget,
            prices.clone(),
            A,
            LONG,
            2,
        )
        .await
        .unwrap();
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(s.counts().await.unwrap().of(None), 1);
    // Another board has its own limit.
    let other = s
        .insert_within_budget(job("b3", "/b.json", 1.0), budget, prices, A, LONG, 3)
        .await
        .unwrap();
    assert!(other.is_ok());
}

/// Takes count per board; a job is retried once, and the retry shows what it retries.
pub async fn takes_and_the_one_retry_rule(s: Arc<dyn JobStore>) {
    let a1 = insert(&*s, job("t1", "/a.json", 1.0), LONG).await;
    let b1 = insert(&*s, job("t2", "/b.json", 1.0), LONG).await;
    let retry = NewJob {
        retry_of: Some(a1.id),
        ..job("t3", "/a.json", 1.0)
    };
    let a2 = insert(&*s, retry.clone(), LONG).await;
    assert_eq!((a1.take, b1.take, a2.take), (1, 1, 2));
    assert_eq!(a2.retry_of_take, Some(1));
    let again = NewJob {
        external_task_id: "t4".into(),
        ..retry
    };
    let refused = s
        .insert_within_budget(again, Budget::default(), UnitPrices::new(), A, LONG, 2)
        .await;
    assert!(
        matches!(refused, Err(StoreError::AlreadyRetried { of, child }) if of == a1.id && child == a2.id),
        "{refused:?}"
    );
    assert_eq!(
        s.retries_of(a1.id).await.unwrap(),
        [(a2.id, JobPhase::Queued)]
    );
}

/// Once another engine adopted a job whose lease expired, the old owner's writes change
/// nothing.
pub async fn a_stale_owner_writes_nothing(s: Arc<dyn JobStore>) {
    let v = insert(&*s, job("s1", "/a.json", 1.0), SHORT).await;
    let submitting = JobChange::phase(JobPhase::Submitting);
    s.apply(v.id, A, submitting, 50).await.unwrap().unwrap();
    // A stops renewing; at 200 (and in fact) its lease has expired and B adopts the job.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(s.adoptable(terms(LONG), 200, false).await.unwrap(), [v.id]);
    let adopted = s.adopt(v.id, B, terms(LONG), 200).await.unwrap();
    assert_eq!(adopted, crate::Adopted::Work(None));
    let before = s.view(v.id).await.unwrap().unwrap();
    let late = JobChange {
        task_id: Some("t-stale".into()),
        ..JobChange::phase(JobPhase::Submitted)
    };
    assert_eq!(s.apply(v.id, A, late, 300).await.unwrap(), None);
    let progress = FileProgress {
        bytes_done: 1,
        bytes_total: None,
        complete: false,
    };
    assert_eq!(
        s.file_progress(v.id, A, 0, progress, 300).await.unwrap(),
        None
    );
    assert!(!s.note_poll(v.id, A, 300).await.unwrap());
    assert_eq!(
        s.renew_leases(A, LONG, vec![v.id], 300).await.unwrap(),
        [v.id]
    );
    assert_eq!(s.view(v.id).await.unwrap().unwrap(), before);
    // The new owner's write goes through.
    let accepted = JobChange::phase(JobPhase::Submitted);
    let now = s.apply(v.id, B, accepted, 400).await.unwrap().unwrap();
    assert_eq!(now.phase, JobPhase::Submitted);
}

/// A move the state machine forbids is an error and writes nothing; reopening a failed
/// job is the user's word only, and only for a task the provider accepted.
pub async fn invalid_transitions_are_refused(s: Arc<dyn JobStore>) {
    let v = insert(&*s, job("i1", "/a.json", 1.0), LONG).await;
    let refused = s.apply(v.id, A, JobChange::phase(JobPhase::Done), 2).await;
    assert!(
        matches!(refused, Err(StoreError::Transition(_))),
        "{refused:?}"
    );
    assert_eq!(s.view(v.id).await.unwrap().unwrap().phase, JobPhase::Queued);
    assert_eq!(s.history(v.id).await.unwrap().len(), 1);
    // Failed without a task: nothing to poll.
    s.apply(v.id, A, JobChange::phase(JobPhase::Failed), 3)
        .await
        .unwrap();
    let revive = s
        .apply(v.id, A, JobChange::phase(JobPhase::Submitted), 4)
        .await;
    assert!(
        matches!(revive, Err(StoreError::Transition(_))),
        "{revive:?}"
    );
    let repoll = s.restart(v.id, Restart::Repoll, A, LONG, 5).await.unwrap();
    assert_eq!(repoll, Err(Refusal::NoTaskId { id: v.id }));
    // Failed with a task: the user's repoll reopens it.
    let w = insert(&*s, job("i2", "/a.json", 1.0), LONG).await;
    let failed = JobChange {
        task_id: Some("t-9".into()),
        ..JobChange::phase(JobPhase::Failed)
    };
    s.apply(w.id, A, failed, 6).await.unwrap();
    let reopened = s.restart(w.id, Restart::Repoll, A, LONG, 7).await.unwrap();
    let reopened = reopened.unwrap().unwrap();
    assert_eq!(
        (reopened.phase, reopened.error),
        (JobPhase::Submitted, None)
    );
    let history = s.history(w.id).await.unwrap();
    assert_eq!(history.last().map(|e| e.phase), Some(JobPhase::Submitted));
}

/// A restart of a job that does not exist says so (not that someone holds its lease), and
/// takes nothing; one whose lease a live engine holds is `LeaseHeld`.
pub async fn restarting_a_missing_job_is_not_found(s: Arc<dyn JobStore>) {
    let missing = s
        .restart(999_999, Restart::Redownload, A, LONG, 1)
        .await
        .unwrap();
    assert!(
        matches!(missing, Err(Refusal::NotFound { id: 999_999, .. })),
        "{missing:?}"
    );
    let held = insert(&*s, job("r1", "/a.json", 1.0), LONG).await;
    let busy = s
        .restart(held.id, Restart::Redownload, B, LONG, 2)
        .await
        .unwrap();
    assert_eq!(busy, Err(Refusal::LeaseHeld { id: held.id }));
}

mod gate;
mod identity;
mod more;
mod orphans;
mod variants;
pub use gate::*;
pub use identity::*;
pub use more::*;
pub use orphans::*;
pub use variants::*;

/// Every body, by name, so a backend's test runs them all and names the one that failed.
pub const ALL: &[&str] = &[
    "budget_refusal_records_nothing",
    "takes_and_the_one_retry_rule",
    "a_stale_owner_writes_nothing",
    "invalid_transitions_are_refused",
    "pages_filters_and_counts",
    "cancel_takes_the_job_and_says_what_may_be_charged",
    "one_keeper_per_board",
    "attention_late_tasks_and_files",
    "ledger_and_spend",
    "the_gate_admits_only_the_lease_holder",
    "two_clones_share_takes_keeper_and_retries",
    "old_rows_join_their_project",
    "restarting_a_missing_job_is_not_found",
    "takes_are_recorded_all_or_none",
    "orphans_are_claimed_once_and_only_when_old",
];

/// Runs the body named `name` (one of [`ALL`]) on `s`.
pub async fn run(name: &str, s: Arc<dyn JobStore>) {
    match name {
        "budget_refusal_records_nothing" => budget_refusal_records_nothing(s).await,
        "takes_and_the_one_retry_rule" => takes_and_the_one_retry_rule(s).await,
        "a_stale_owner_writes_nothing" => a_stale_owner_writes_nothing(s).await,
        "invalid_transitions_are_refused" => invalid_transitions_are_refused(s).await,
        "pages_filters_and_counts" => pages_filters_and_counts(s).await,
        "cancel_takes_the_job_and_says_what_may_be_charged" => {
            cancel_takes_the_job_and_says_what_may_be_charged(s).await
        }
        "one_keeper_per_board" => one_keeper_per_board(s).await,
        "attention_late_tasks_and_files" => attention_late_tasks_and_files(s).await,
        "ledger_and_spend" => ledger_and_spend(s).await,
        "the_gate_admits_only_the_lease_holder" => the_gate_admits_only_the_lease_holder(s).await,
        "two_clones_share_takes_keeper_and_retries" => {
            two_clones_share_takes_keeper_and_retries(s).await
        }
        "old_rows_join_their_project" => old_rows_join_their_project(s).await,
        "restarting_a_missing_job_is_not_found" => restarting_a_missing_job_is_not_found(s).await,
        "takes_are_recorded_all_or_none" => takes_are_recorded_all_or_none(s).await,
        "orphans_are_claimed_once_and_only_when_old" => {
            orphans_are_claimed_once_and_only_when_old(s).await
        }
        other => panic!("no contract body {other:?}"),
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod sqlite {
    use super::*;
    use crate::SqliteStore;

    fn store() -> Arc<dyn JobStore> {
        Arc::new(SqliteStore::open_in_memory().unwrap())
    }

    #[tokio::test]
    async fn budget_refusal() {
        budget_refusal_records_nothing(store()).await;
    }

    #[tokio::test]
    async fn takes_and_retries() {
        takes_and_the_one_retry_rule(store()).await;
    }

    #[tokio::test]
    async fn stale_owner() {
        a_stale_owner_writes_nothing(store()).await;
    }

    #[tokio::test]
    async fn invalid_transitions() {
        invalid_transitions_are_refused(store()).await;
    }

    #[tokio::test]
    async fn every_body_by_name() {
        // The bodies added for the second backend, on SQLite too.
        for name in &ALL[4..] {
            run(name, store()).await;
        }
    }
}
