use std::path::PathBuf;

use super::*;
use crate::{FileProgress, FileTarget, Resolution, ResolveError};
use shotdeck_core::compose::{PlaceholderImages, compose};
use shotdeck_core::jobs::{JobError, JobPhase, LOST_CODE};
use shotdeck_core::model::Board;

const A: &str = "engine-a";
pub(super) const B: &str = "engine-b";

pub(super) fn new_job(ext: &str) -> NewJob {
    let board = Board::starter();
    let request = compose(&board, Provider::Kling, &PlaceholderImages, ext).unwrap();
    NewJob {
        board_key: None,
        board_path: PathBuf::from("/boards/noir.json"),
        board,
        provider: Provider::Kling,
        request,
        external_task_id: ext.into(),
        estimated_usd: Some(1.01),
        retry_of: None,
    }
}

fn store_with_job() -> (Store, JobId) {
    let mut s = Store::open_in_memory().unwrap();
    let id = s
        .insert_job(&new_job("shotdeck-1"), A, 10_000, 1_000)
        .unwrap();
    (s, id)
}

#[test]
fn a_new_job_is_queued_with_its_request_and_history() {
    let (s, id) = store_with_job();
    let rec = s.record(id).unwrap().unwrap();
    assert_eq!(rec.view.phase, JobPhase::Queued);
    assert_eq!(rec.view.board_title, "Untitled sequence");
    assert_eq!(rec.view.seconds, 12.0);
    assert_eq!(rec.view.external_task_id, "shotdeck-1");
    assert_eq!(rec.view.task_id, None);
    assert_eq!(rec.view.created_at, 1_000);
    assert_eq!(rec.request.body["external_task_id"], "shotdeck-1");
    assert_eq!(rec.create_path, "/v1/videos/text2video");
    assert_eq!(rec.board, Board::starter());
    assert_eq!(rec.lease_owner.as_deref(), Some(A));
    assert_eq!(rec.history.len(), 1);
    assert_eq!(rec.history[0].phase, JobPhase::Queued);
}

#[test]
fn external_task_ids_are_unique() {
    let (mut s, _) = store_with_job();
    assert!(s.insert_job(&new_job("shotdeck-1"), A, 0, 0).is_err());
}

#[test]
fn changes_need_the_lease_and_record_phase_history() {
    let (mut s, id) = store_with_job();
    let submitting = JobChange::phase(JobPhase::Submitting);
    assert_eq!(s.apply(id, B, &submitting, 2_000).unwrap(), None);
    let v = s.apply(id, A, &submitting, 2_000).unwrap().unwrap();
    assert_eq!(v.phase, JobPhase::Submitting);
    assert_eq!(v.updated_at, 2_000);

    let accepted = JobChange {
        phase: Some(JobPhase::Submitted),
        task_id: Some("8001".into()),
        ..JobChange::default()
    };
    let v = s.apply(id, A, &accepted, 3_000).unwrap().unwrap();
    assert_eq!(v.task_id.as_deref(), Some("8001"));
    // A note without a phase change is still history.
    let noted = JobChange::default().with_note("rate limited; retrying");
    s.apply(id, A, &noted, 3_500).unwrap().unwrap();
    let phases: Vec<(JobPhase, Option<String>)> = s
        .history(id)
        .unwrap()
        .into_iter()
        .map(|e| (e.phase, e.note))
        .collect();
    assert_eq!(
        phases,
        vec![
            (JobPhase::Queued, None),
            (JobPhase::Submitting, None),
            (JobPhase::Submitted, None),
            (JobPhase::Submitted, Some("rate limited; retrying".into())),
        ]
    );
}

#[test]
fn forbidden_transitions_write_nothing() {
    let (mut s, id) = store_with_job();
    s.apply(id, A, &JobChange::phase(JobPhase::Failed), 2_000)
        .unwrap();
    let err = s
        .apply(id, A, &JobChange::phase(JobPhase::Processing), 3_000)
        .unwrap_err();
    assert!(matches!(err, StoreError::Transition(_)), "{err}");
    assert_eq!(s.view(id).unwrap().unwrap().phase, JobPhase::Failed);
    assert_eq!(s.history(id).unwrap().len(), 2);
}

#[test]
fn errors_and_status_are_set_and_cleared() {
    let (mut s, id) = store_with_job();
    let err = JobError {
        code: Some("1302".into()),
        message: "too fast".into(),
        retryable: true,
    };
    let v = s
        .apply(
            id,
            A,
            &JobChange::default().with_error(Some(err.clone())),
            2,
        )
        .unwrap()
        .unwrap();
    assert_eq!(v.error, Some(err));
    let cleared = JobChange {
        error: Some(None),
        status_msg: Some(Some("generating".into())),
        ..JobChange::default()
    };
    let v = s.apply(id, A, &cleared, 3).unwrap().unwrap();
    assert_eq!(v.error, None);
    assert_eq!(v.status_msg.as_deref(), Some("generating"));
}

#[test]
fn finishing_sets_finished_at_and_a_redownload_clears_it() {
    let (mut s, id) = store_with_job();
    s.apply(id, A, &JobChange::phase(JobPhase::Downloading), 2)
        .unwrap();
    let done = s
        .apply(id, A, &JobChange::phase(JobPhase::Done), 5)
        .unwrap()
        .unwrap();
    assert_eq!(done.finished_at, Some(5));
    let again = s
        .apply(id, A, &JobChange::phase(JobPhase::Downloading), 7)
        .unwrap()
        .unwrap();
    assert_eq!(again.finished_at, None);
}

#[test]
fn leases_are_exclusive_until_they_expire() {
    let (s, id) = store_with_job();
    // A holds it until 10 000.
    assert!(!s.take_lease(id, B, 20_000, 9_999).unwrap());
    assert!(s.take_lease(id, A, 20_000, 9_999).unwrap(), "renewal");
    assert!(!s.take_lease(id, B, 30_000, 19_999).unwrap());
    assert!(
        s.take_lease(id, B, 30_000, 20_001).unwrap(),
        "expired: stolen"
    );
    assert!(!s.release_lease(id, A).unwrap(), "A no longer owns it");
    assert!(s.release_lease(id, B).unwrap());
    assert!(s.take_lease(id, A, 40_000, 0).unwrap(), "released: free");
}

#[test]
fn renew_and_release_cover_only_the_owners_jobs() {
    let (mut s, a) = store_with_job();
    let b = s.insert_job(&new_job("shotdeck-2"), B, 10_000, 0).unwrap();
    assert_eq!(s.renew_leases(A, 50_000).unwrap(), 1);
    assert_eq!(s.record(a).unwrap().unwrap().lease_until, Some(50_000));
    assert_eq!(s.record(b).unwrap().unwrap().lease_until, Some(10_000));
    assert_eq!(s.release_leases(A).unwrap(), 1);
    assert_eq!(s.record(a).unwrap().unwrap().lease_owner, None);
    assert_eq!(
        s.record(b).unwrap().unwrap().lease_owner.as_deref(),
        Some(B)
    );
}

#[test]
fn adoptable_skips_live_leases_finished_and_stalled_jobs() {
    let (mut s, live) = store_with_job();
    let expired = s.insert_job(&new_job("shotdeck-2"), B, 500, 0).unwrap();
    let free = s.insert_job(&new_job("shotdeck-3"), B, 0, 0).unwrap();
    s.release_lease(free, B).unwrap();
    let done = s.insert_job(&new_job("shotdeck-4"), B, 0, 0).unwrap();
    s.apply(done, B, &JobChange::phase(JobPhase::Failed), 1)
        .unwrap();
    let stalled = s.insert_job(&new_job("shotdeck-5"), B, 0, 0).unwrap();
    let stall = JobChange {
        stalled: Some(true),
        ..JobChange::default()
    };
    s.apply(stalled, B, &stall, 1).unwrap();
    assert_eq!(s.adoptable(1_000, false).unwrap(), vec![expired, free]);
    assert_eq!(
        s.adoptable(1_000, true).unwrap(),
        vec![expired, free, stalled]
    );
    assert!(!s.adoptable(1_000, true).unwrap().contains(&live));
}

#[test]
fn files_keep_their_progress_when_recorded_again() {
    let (mut s, id) = store_with_job();
    let targets = vec![
        FileTarget {
            url: "http://127.0.0.1/a.mp4".into(),
            path: "/r/noir-1-1.mp4".into(),
        },
        FileTarget {
            url: "http://127.0.0.1/b.mp4".into(),
            path: "/r/noir-1-2.mp4".into(),
        },
    ];
    assert!(s.set_files(id, A, &targets, 2).unwrap().is_some());
    let p = FileProgress {
        bytes_done: 10,
        bytes_total: Some(100),
        complete: false,
    };
    let v = s.file_progress(id, A, 0, p, 3).unwrap().unwrap();
    assert_eq!(v.files[0].bytes_done, 10);
    assert_eq!(v.updated_at, 3);
    assert!(
        s.file_progress(id, B, 0, p, 3).unwrap().is_none(),
        "not B's lease"
    );
    assert!(s.set_files(id, A, &targets, 4).unwrap().is_some());
    let files = s.files(id).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!((files[0].bytes_done, files[0].bytes_total), (10, Some(100)));
    assert_eq!(files[1].bytes_done, 0);
    assert_eq!(s.view(id).unwrap().unwrap().files, files);
}

#[test]
fn polls_are_noted_by_the_lease_holder_only_and_in_flight_skips_stalled() {
    let (mut s, id) = store_with_job();
    assert!(!s.note_poll(id, B, 7).unwrap());
    assert!(s.note_poll(id, A, 7).unwrap());
    let rec = s.record(id).unwrap().unwrap();
    assert_eq!(rec.last_polled_at, Some(7));
    assert_eq!(rec.view.updated_at, 1_000, "a poll is not a change");
    assert_eq!(s.in_flight().unwrap(), vec![id]);
    let stall = JobChange {
        stalled: Some(true),
        ..JobChange::default()
    };
    s.apply(id, A, &stall, 8).unwrap();
    assert!(s.in_flight().unwrap().is_empty());
}

#[test]
fn listing_is_newest_first_and_filters_by_board_and_change_cursor() {
    let (mut s, first) = store_with_job();
    let cursor = s.change_cursor().unwrap();
    let mut other = new_job("shotdeck-2");
    other.board_path = PathBuf::from("/boards/other.json");
    // Its writer's clock is far behind the first job's: the cursor does not care.
    let second = s.insert_job(&other, A, 0, 5).unwrap();
    let all: Vec<JobId> = s
        .list(&ListFilter::default())
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(all, vec![second, first]);
    let filter = ListFilter {
        board_path: Some(PathBuf::from("/boards/noir.json")),
        limit: None,
    };
    assert_eq!(s.list(&filter).unwrap()[0].id, first);
    let limited = ListFilter {
        limit: Some(1),
        ..ListFilter::default()
    };
    assert_eq!(s.list(&limited).unwrap().len(), 1);
    let changes = s.changed_since(cursor).unwrap();
    let changed: Vec<JobId> = changes.jobs.iter().map(|v| v.id).collect();
    assert_eq!(changed, vec![second]);
    assert!(s.changed_since(changes.next).unwrap().jobs.is_empty());
    // A write dated before everything else is still a change after the cursor.
    s.apply(first, A, &JobChange::phase(JobPhase::Submitting), 1)
        .unwrap();
    let again = s.changed_since(changes.next).unwrap();
    assert_eq!(again.jobs.iter().map(|v| v.id).collect::<Vec<_>>(), [first]);
    assert!(again.next > changes.next);
}

#[test]
fn two_connections_on_one_file_see_each_other_and_race_for_a_lease() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/jobs.sqlite3");
    let mut one = Store::open(&path).unwrap();
    let two = Store::open(&path).unwrap();
    let id = one.insert_job(&new_job("shotdeck-1"), A, 100, 0).unwrap();
    assert_eq!(two.view(id).unwrap().unwrap().phase, JobPhase::Queued);
    // Both see the lease expired; only one of them gets it.
    let got_one = one.take_lease(id, "one", 10_000, 1_000).unwrap();
    let got_two = two.take_lease(id, "two", 10_000, 1_000).unwrap();
    assert!(got_one ^ got_two);
    let mode: String = one
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_job_needing_attention_is_never_adopted_and_the_user_resolves_it() {
    let (mut s, id) = store_with_job();
    let park = JobChange::phase(JobPhase::Submitting);
    s.apply(id, A, &park, 1).unwrap();
    let park = JobChange::phase(JobPhase::NeedsAttention);
    s.apply(id, A, &park, 2).unwrap();
    s.release_lease(id, A).unwrap();
    assert!(s.adoptable(3, true).unwrap().is_empty());
    assert!(s.in_flight().unwrap().is_empty());

    let attached = s
        .resolve_attention(id, &Resolution::Attach(" task_9 ".into()), "cli", 4)
        .unwrap();
    assert_eq!(attached.phase, JobPhase::Submitted);
    assert_eq!(attached.task_id.as_deref(), Some("task_9"));
    assert_eq!(
        s.adoptable(5, false).unwrap(),
        vec![id],
        "released for an engine"
    );
    let again = s.resolve_attention(id, &Resolution::Lost, "cli", 6);
    assert!(
        matches!(
            again,
            Err(ResolveError::NotWaiting {
                phase: JobPhase::Submitted,
                ..
            })
        ),
        "{again:?}"
    );
}

#[test]
fn a_lost_job_fails_saying_it_may_have_been_charged() {
    let (mut s, id) = store_with_job();
    s.apply(id, A, &JobChange::phase(JobPhase::Submitting), 1)
        .unwrap();
    s.apply(id, A, &JobChange::phase(JobPhase::NeedsAttention), 2)
        .unwrap();
    let busy = s.resolve_attention(id, &Resolution::Lost, "cli", 3);
    assert!(
        matches!(busy, Err(ResolveError::Busy(_))),
        "A still holds it"
    );
    s.release_lease(id, A).unwrap();
    let empty = s.resolve_attention(id, &Resolution::Attach(" ".into()), "cli", 3);
    assert!(matches!(empty, Err(ResolveError::BadTaskId(_))));
    let lost = s
        .resolve_attention(id, &Resolution::Lost, "cli", 4)
        .unwrap();
    assert_eq!(lost.phase, JobPhase::Failed);
    assert_eq!(lost.finished_at, Some(4));
    let error = lost.error.unwrap();
    assert_eq!(error.code.as_deref(), Some(LOST_CODE));
    assert!(error.message.contains("charged"), "{}", error.message);
}

#[test]
fn a_job_is_retried_once_even_by_two_writers_checking_at_once() {
    let (mut s, id) = store_with_job();
    let retry = |ext: &str| NewJob {
        retry_of: Some(id),
        ..new_job(ext)
    };
    // Both engines checked `retries_of` before either inserted: the insert decides.
    assert!(s.retries_of(id).unwrap().is_empty());
    let first = s
        .insert_job(&retry("shotdeck-2"), A, 10_000, 2_000)
        .unwrap();
    match s.insert_job(&retry("shotdeck-3"), B, 10_000, 2_001) {
        Err(StoreError::AlreadyRetried { of, child }) => assert_eq!((of, child), (id, first)),
        other => panic!("a second retry was recorded: {other:?}"),
    }
    assert_eq!(
        s.retries_of(id).unwrap().len(),
        1,
        "nothing else was recorded"
    );
}
