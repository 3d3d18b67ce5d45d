//! Poll answers that do not fit the job never end a paid task nor save another task's video:
//! a "succeed" with an empty `task_result.videos`, an answer whose `data.task_id` names
//! another task, and one whose `task_info.external_task_id` is not the job's are shown on
//! the job and polled again until the task's own answer arrives.

use shotdeck::core::Board;
use shotdeck::engine::events::{JobPhase, JobView};
use shotdeck::engine::store::Store;
use tempfile::TempDir;

use super::kling_docs_mock::{CLEAN_BYTES, DocsMock, Fault, OTHER_TASK_BYTES, Op};
use super::{AKSK, account, run_job};

/// Runs one job with `times` odd answers queued for its first polls.
async fn with_odd_polls(fault: fn() -> Fault, times: usize) -> (DocsMock, JobView, TempDir) {
    let mock = DocsMock::start(account()).await;
    for _ in 0..times {
        mock.fault(Op::Query, fault());
    }
    let (job, dir) = run_job(&mock, Board::starter(), AKSK).await;
    (mock, job, dir)
}

/// The notes the job's history kept (what the user sees in `shotdeck jobs show`).
fn notes(dir: &TempDir, id: i64) -> Vec<String> {
    Store::open(&dir.path().join("data/jobs.sqlite3"))
        .unwrap()
        .record(id)
        .unwrap()
        .unwrap()
        .history
        .into_iter()
        .filter_map(|e| e.note)
        .collect()
}

/// The job ended with its own task's video, created once and polled past the odd answers.
fn assert_own_video(mock: &DocsMock, job: &JobView, times: usize) {
    assert_eq!(job.phase, JobPhase::Done, "{job:#?}");
    assert_eq!(mock.tasks_created(), 1);
    assert_eq!(job.task_id.as_deref(), Some(mock.task_ids()[0].as_str()));
    assert!(mock.count(Op::Query) > times, "polled past the odd answers");
    assert_eq!(job.files.len(), 1, "{job:#?}");
    let saved = std::fs::read(&job.files[0].path).unwrap();
    assert_eq!(saved, CLEAN_BYTES);
    assert_ne!(saved, OTHER_TASK_BYTES);
}

#[tokio::test]
async fn a_success_without_a_video_is_polled_again_not_failed() {
    let (mock, job, dir) = with_odd_polls(|| Fault::SucceedWithoutVideos, 2).await;
    assert_own_video(&mock, &job, 2);
    let notes = notes(&dir, job.id);
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.contains("lists no video"))
            .count(),
        1,
        "shown once on the job, however often it came: {notes:?}"
    );
}

#[tokio::test]
async fn another_tasks_answer_never_repoints_the_job_nor_saves_its_video() {
    let (mock, job, dir) = with_odd_polls(|| Fault::OtherTask, 2).await;
    assert_own_video(&mock, &job, 2);
    let notes = notes(&dir, job.id);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("task 860999999999999998, not this job's task")),
        "{notes:?}"
    );
    assert!(
        !mock
            .hits()
            .iter()
            .any(|h| h.path.contains("860999999999999998") || h.path.contains("other-task")),
        "neither polled nor downloaded: {:#?}",
        mock.hits()
    );
}

#[tokio::test]
async fn an_answer_echoing_another_external_task_id_is_not_this_jobs() {
    let (mock, job, dir) = with_odd_polls(|| Fault::OtherExternalId, 1).await;
    assert_own_video(&mock, &job, 1);
    let notes = notes(&dir, job.id);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("external_task_id someone-elses-task")),
        "{notes:?}"
    );
}
