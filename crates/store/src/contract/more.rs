//! Contract bodies for the reads, the user's word and money (see the parent module).

use std::path::PathBuf;
use std::sync::Arc;

use shotdeck_core::budget::{Budget, UnitPrices};
use shotdeck_core::jobs::{CANCELLED_CODE, JobId, JobPhase, JobView};

use super::{A, B, LONG, insert, job, terms};
use crate::{
    CancelError, FileProgress, FileTarget, JobChange, JobStore, KeeperError, ListFilter, PageQuery,
    Resolution, ResolveError, StoreError,
};

fn ids(views: &[JobView]) -> Vec<JobId> {
    views.iter().map(|v| v.id).collect()
}

pub(super) async fn walk(s: &dyn JobStore, id: JobId, phases: &[JobPhase]) {
    for &p in phases {
        s.apply(id, A, JobChange::phase(p), 5)
            .await
            .unwrap()
            .unwrap();
    }
}

pub(super) const TO_DONE: &[JobPhase] = &[
    JobPhase::Submitting,
    JobPhase::Submitted,
    JobPhase::Processing,
    JobPhase::Downloading,
    JobPhase::Done,
];

fn page(board: Option<&str>, below: JobId, limit: usize, filter: Option<&str>) -> PageQuery {
    PageQuery {
        board: board.map(PathBuf::from),
        below,
        limit,
        filter: filter.map(str::to_string),
    }
}

/// Pages walk down by id, per board or across; filters are the query's; counts per board.
pub async fn pages_filters_and_counts(s: Arc<dyn JobStore>) {
    let mut v = Vec::new();
    for n in 1..=5 {
        let board = if n % 2 == 0 { "/b.json" } else { "/a.json" };
        v.push(
            insert(&*s, job(&format!("page-{n}"), board, 1.0), LONG)
                .await
                .id,
        );
    }
    let got = |p: PageQuery| {
        let s = s.clone();
        async move { s.page(p).await.unwrap() }
    };
    assert_eq!(
        ids(&got(page(None, JobId::MAX, 2, None)).await.jobs),
        [v[4], v[3]]
    );
    let on_a = got(page(Some("/a.json"), JobId::MAX, 10, None)).await;
    assert_eq!(
        (ids(&on_a.jobs), on_a.matching),
        (vec![v[4], v[2], v[0]], None)
    );
    assert_eq!(
        ids(&got(page(Some("/a.json"), v[2], 10, None)).await.jobs),
        [v[0]]
    );
    let by_text = got(page(None, JobId::MAX, 10, Some("PAGE-2"))).await;
    assert_eq!(
        (ids(&by_text.jobs), by_text.matching),
        (vec![v[1]], Some(1))
    );
    // Take 2 of each board: a's is job 3, b's job 4.
    let takes = got(page(None, JobId::MAX, 10, Some("Take 2"))).await;
    assert_eq!(
        (ids(&takes.jobs), takes.matching),
        (vec![v[3], v[2]], Some(2))
    );
    let later = got(page(None, v[3], 10, Some("take 2"))).await;
    assert_eq!((ids(&later.jobs), later.matching), (vec![v[2]], None));
    let literal = got(page(None, JobId::MAX, 10, Some("%"))).await;
    assert_eq!((literal.jobs.len(), literal.matching), (0, Some(0)));
    let counts = s.counts().await.unwrap();
    assert_eq!(
        (
            counts.of(Some(PathBuf::from("/a.json").as_path())),
            counts.of(None)
        ),
        (3, 5)
    );
    assert_eq!(counts.newest, v[4]);
    assert_eq!(
        s.widest_task_id(ListFilter::default()).await.unwrap(),
        Some(0)
    );
    let other = ListFilter {
        board_path: Some(PathBuf::from("/c.json")),
        limit: None,
    };
    assert_eq!(s.widest_task_id(other).await.unwrap(), None);
    let accepted = JobChange {
        task_id: Some("task-123456".into()),
        ..JobChange::phase(JobPhase::Submitted)
    };
    let cursor = s.change_cursor().await.unwrap();
    // Its writer's clock is behind every other writer's: the cursor is not a clock.
    s.apply(v[0], A, accepted, 1).await.unwrap().unwrap();
    assert_eq!(
        s.widest_task_id(ListFilter::default()).await.unwrap(),
        Some(11)
    );
    let changes = s.changed_since(cursor).await.unwrap();
    assert_eq!(ids(&changes.jobs), [v[0]]);
    let after = s.changed_since(changes.next).await.unwrap();
    assert_eq!(ids(&after.jobs), Vec::<JobId>::new());
    assert_eq!(s.unfinished().await.unwrap().len(), 5);
    let first = s.first_views(2).await.unwrap();
    assert_eq!(ids(&first), [v[4], v[3], v[2], v[1], v[0]]);
    assert_eq!(
        ids(&s.views(vec![v[2], 999_999, v[0]]).await.unwrap()),
        [v[2], v[0]]
    );
    assert_eq!(s.in_flight().await.unwrap(), v);
}

/// A cancel takes the job from the engine that holds it and says what may be charged.
pub async fn cancel_takes_the_job_and_says_what_may_be_charged(s: Arc<dyn JobStore>) {
    let v = insert(&*s, job("c1", "/a.json", 1.0), LONG).await;
    let accepted = JobChange {
        task_id: Some("t-9".into()),
        ..JobChange::phase(JobPhase::Processing)
    };
    s.apply(v.id, A, accepted, 1).await.unwrap().unwrap();
    let cancelled = s.cancel(v.id, "cli-1", 2).await.unwrap();
    assert_eq!(cancelled.phase, JobPhase::Failed);
    let e = cancelled.error.unwrap();
    assert_eq!(e.code.as_deref(), Some(CANCELLED_CODE));
    assert!(e.message.contains("t-9"), "{}", e.message);
    let late = s.apply(v.id, A, JobChange::phase(JobPhase::Downloading), 3);
    assert_eq!(late.await.unwrap(), None, "the engine's lease is gone");
    let again = s.cancel(v.id, "cli-1", 4).await;
    assert!(
        matches!(again, Err(CancelError::Finished { .. })),
        "{again:?}"
    );
    let missing = s.cancel(999_999, "cli-1", 4).await;
    assert!(
        matches!(
            missing,
            Err(CancelError::Store(StoreError::NotFound(999_999)))
        ),
        "{missing:?}"
    );
    let unsent = insert(&*s, job("c2", "/a.json", 1.0), LONG).await;
    let e = s
        .cancel(unsent.id, "cli-1", 5)
        .await
        .unwrap()
        .error
        .unwrap();
    assert!(e.message.contains("nothing was created"), "{}", e.message);
    assert_eq!(
        s.adoptable(terms(LONG), 10, true).await.unwrap(),
        Vec::<JobId>::new()
    );
}

/// One keeper per board: it needs a done take, moves, clears, and leaves other boards be.
pub async fn one_keeper_per_board(s: Arc<dyn JobStore>) {
    let first = insert(&*s, job("k1", "/a.json", 1.0), LONG).await.id;
    let second = insert(&*s, job("k2", "/a.json", 1.0), LONG).await.id;
    let other = insert(&*s, job("k3", "/b.json", 1.0), LONG).await.id;
    let refused = s.set_keeper(first, true, 10).await;
    assert!(
        matches!(
            refused,
            Err(KeeperError::NotDone {
                phase: JobPhase::Queued,
                ..
            })
        ),
        "{refused:?}"
    );
    for id in [first, second, other] {
        walk(&*s, id, TO_DONE).await;
    }
    let marks = |views: Vec<JobView>| views.iter().map(|v| (v.id, v.keeper)).collect::<Vec<_>>();
    assert_eq!(
        marks(s.set_keeper(first, true, 10).await.unwrap()),
        [(first, true)]
    );
    s.set_keeper(other, true, 11).await.unwrap();
    let moved = s.set_keeper(second, true, 12).await.unwrap();
    assert_eq!(marks(moved), [(first, false), (second, true)]);
    assert!(s.view(other).await.unwrap().unwrap().keeper);
    assert!(s.set_keeper(second, true, 13).await.unwrap().is_empty());
    let cleared = s.set_keeper(second, false, 14).await.unwrap();
    assert_eq!(marks(cleared), [(second, false)]);
    assert_eq!(s.view(second).await.unwrap().unwrap().updated_at, 14);
    let missing = s.set_keeper(999_999, false, 15).await;
    assert!(
        matches!(
            missing,
            Err(KeeperError::Store(StoreError::NotFound(999_999)))
        ),
        "{missing:?}"
    );
}

async fn waiting(s: &dyn JobStore, ext: &str) -> JobId {
    let id = insert(s, job(ext, "/a.json", 1.0), LONG).await.id;
    walk(s, id, &[JobPhase::Submitting, JobPhase::NeedsAttention]).await;
    s.release(id, A).await.unwrap();
    id
}

/// The user's attach / lost, a create's late answer, files and the whole record.
pub async fn attention_late_tasks_and_files(s: Arc<dyn JobStore>) {
    let w = waiting(&*s, "w1").await;
    let bad = s.resolve_attention(w, Resolution::Attach("..".into()), "cli", 2);
    assert!(matches!(bad.await, Err(ResolveError::BadTaskId(_))));
    let typo = s.resolve_attention(w, Resolution::Attach("task_O9".into()), "cli", 3);
    assert_eq!(typo.await.unwrap().phase, JobPhase::Submitted);
    let fixed = s.resolve_attention(w, Resolution::Attach("task_09".into()), "cli", 4);
    assert_eq!(fixed.await.unwrap().task_id.as_deref(), Some("task_09"));
    let lost = waiting(&*s, "w2").await;
    let gone = s
        .resolve_attention(lost, Resolution::Lost, "cli", 5)
        .await
        .unwrap();
    assert_eq!(gone.phase, JobPhase::Failed);
    let not_waiting = s.resolve_attention(lost, Resolution::Lost, "cli", 6).await;
    assert!(matches!(not_waiting, Err(ResolveError::NotWaiting { .. })));
    let late = waiting(&*s, "w3").await;
    let v = s
        .record_late_task(late, "t-late", 7)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (v.phase, v.task_id.as_deref(), v.error),
        (JobPhase::Submitted, Some("t-late"), None)
    );
    assert_eq!(s.record_late_task(late, "t-other", 8).await.unwrap(), None);

    let f = insert(&*s, job("f1", "/a.json", 1.0), LONG).await.id;
    walk(&*s, f, &[JobPhase::Submitting, JobPhase::Downloading]).await;
    let targets = |tag: &str| {
        (0..2)
            .map(|i| FileTarget {
                url: format!("http://x/{tag}{i}.mp4"),
                path: PathBuf::from(format!("/videos/f1-{i}.mp4")),
            })
            .collect::<Vec<_>>()
    };
    let v = s.set_files(f, A, targets("a"), 9).await.unwrap().unwrap();
    assert_eq!(v.files.len(), 2);
    let half = FileProgress {
        bytes_done: 5,
        bytes_total: Some(10),
        complete: false,
    };
    s.file_progress(f, A, 0, half, 10).await.unwrap().unwrap();
    let v = s
        .file_media_seconds(f, A, 0, 4.9, 11)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (v.files[0].bytes_done, v.files[0].media_seconds),
        (5, Some(4.9))
    );
    // Recorded again (an engine restarting the download): progress is kept.
    let v = s.set_files(f, A, targets("b"), 12).await.unwrap().unwrap();
    assert_eq!(
        (v.files[0].bytes_done, v.files[0].url.as_str()),
        (5, "http://x/a0.mp4")
    );
    assert_eq!(s.set_files(f, B, targets("c"), 13).await.unwrap(), None);
    assert!(s.note_poll(f, A, 14).await.unwrap());
    let rec = s.record(f).await.unwrap().unwrap();
    assert_eq!(
        (rec.lease_owner.as_deref(), rec.last_polled_at),
        (Some(A), Some(14))
    );
    assert_eq!(rec.view.external_task_id, "f1");
    assert_eq!(rec.request.body, job("f1", "/a.json", 1.0).request.body);
    let phases: Vec<_> = rec.history.iter().map(|e| e.phase).collect();
    assert_eq!(
        phases,
        [
            JobPhase::Queued,
            JobPhase::Submitting,
            JobPhase::Downloading
        ]
    );
    assert_eq!(s.record(999_999).await.unwrap(), None);
}

/// The ledger counts what may have been spent; today starts at the store's midnight.
pub async fn ledger_and_spend(s: Arc<dyn JobStore>) {
    let noon = 1_700_000_000_000_i64;
    let day = 86_400_000;
    let prices = UnitPrices::new();
    let at = |ext: &str, usd: f64, now: i64| {
        let s = s.clone();
        let j = job(ext, "/a.json", usd);
        let prices = prices.clone();
        async move {
            s.insert_within_budget(j, Budget::default(), prices, A, LONG, now)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let old = at("l1", 4.0, noon - 2 * day).await;
    let today = at("l2", 1.0, noon).await;
    let refused = at("l3", 2.0, noon).await;
    s.apply(refused, A, JobChange::phase(JobPhase::Failed), noon)
        .await
        .unwrap();
    assert_eq!(s.spent_today(noon, prices.clone()).await.unwrap(), 1.0);
    let all = s.ledger(None, None, prices.clone()).await.unwrap();
    let counted: Vec<_> = all.iter().map(|e| (e.id, e.counted_usd)).collect();
    assert_eq!(counted, [(old, 4.0), (today, 1.0), (refused, 0.0)]);
    // Each row's day is the store's: the one whose midnight starts at or before it.
    for e in &all {
        let start = s.local_date_ms(&e.day).await.unwrap().expect("a date");
        assert!(start <= e.created_at && e.created_at - start < day, "{e:?}");
    }
    let recent = s
        .ledger(Some(noon - 1_000), None, prices.clone())
        .await
        .unwrap();
    assert_eq!(recent.len(), 2);
    let elsewhere = Some(PathBuf::from("/b.json"));
    assert!(
        s.ledger(None, elsewhere, prices.clone())
            .await
            .unwrap()
            .is_empty()
    );
    let budget = Budget {
        per_day: Some(1.5),
        ..Budget::default()
    };
    let over = s
        .insert_within_budget(job("l4", "/a.json", 1.0), budget, prices, A, LONG, noon)
        .await
        .unwrap();
    assert!(over.is_err(), "{over:?}");
    assert_eq!(s.local_date_ms("2023-02-30").await.unwrap(), None);
    assert_eq!(s.local_date_ms("14.11.2023").await.unwrap(), None);
    let midnight = s.local_date_ms("2023-11-14").await.unwrap().unwrap();
    assert!(
        midnight <= noon && noon - midnight < day + 3_600_000 * 14,
        "{midnight}"
    );
}
