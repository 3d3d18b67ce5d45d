//! Many jobs in flight, polled with one list request per interval instead of one query each.
//! The docs' list (`GET /v1/videos/text2video?pageNum=1&pageSize=30`; "pageSize | int | 可选 |
//! 30 | 每页数据量，取值范围：[1,500]") answers `data` as an array of the task objects the
//! query answers with, so a task on the page is read exactly as its query would be: only
//! "failed（失败）" fails a job, "succeed（成功）" downloads it.

use std::time::Duration;

use shotdeck::core::Board;
use shotdeck::engine::events::{JobPhase, JobView};

use super::kling_docs_mock::{Account, CLEAN_BYTES, DocsMock, Fault, Op};
use super::{AKSK, account, fast_polls, run_jobs};

/// Long enough for every create to be answered before the first poll is due.
const INTERVAL_MS: u64 = 300;

fn phases(jobs: &[JobView]) -> Vec<JobPhase> {
    jobs.iter().map(|j| j.phase).collect()
}

#[tokio::test]
async fn five_jobs_in_flight_cost_one_list_request_per_interval_and_no_queries() {
    let mock = DocsMock::start(Account {
        // Three answers each before the tasks succeed: three intervals in flight.
        polls_before_done: 2,
        ..account()
    })
    .await;
    let (jobs, _dir) = run_jobs(&mock, Board::starter(), 5, AKSK, fast_polls(INTERVAL_MS)).await;
    assert_eq!(phases(&jobs), [JobPhase::Done; 5], "{jobs:#?}");
    for job in &jobs {
        assert_eq!(std::fs::read(&job.files[0].path).unwrap(), CLEAN_BYTES);
    }
    assert_eq!(mock.count(Op::Create), 5);
    assert_eq!(mock.count(Op::Query), 0, "every answer came from the list");
    let lists: Vec<_> = mock
        .hits()
        .into_iter()
        .filter(|h| h.op == Op::List)
        .collect();
    assert_eq!(lists.len(), 3, "one list per interval, for all five tasks");
    for list in &lists {
        assert_eq!(list.path, "/v1/videos/text2video");
        assert_eq!(list.query.as_deref(), Some("pageNum=1&pageSize=500"));
    }
    for pair in lists.windows(2) {
        let gap = pair[1].at - pair[0].at;
        // The interval less its jitter (20 %), less scheduling slack.
        assert!(
            gap >= Duration::from_millis(INTERVAL_MS * 7 / 10),
            "two lists {gap:?} apart"
        );
    }
}

#[tokio::test]
async fn a_task_the_page_does_not_show_is_queried_on_its_own() {
    let mock = DocsMock::start(account()).await;
    mock.keep_off_the_list(0);
    let (jobs, _dir) = run_jobs(&mock, Board::starter(), 3, AKSK, fast_polls(INTERVAL_MS)).await;
    assert_eq!(phases(&jobs), [JobPhase::Done; 3], "{jobs:#?}");
    let ids = mock.task_ids();
    let queried: Vec<String> = mock
        .hits()
        .into_iter()
        .filter(|h| h.op == Op::Query)
        .map(|h| h.path)
        .collect();
    assert!(!queried.is_empty(), "the missing task was polled");
    for path in &queried {
        assert!(path.ends_with(&format!("/{}", ids[0])), "queried {path}");
    }
    assert!(mock.count(Op::List) >= 1, "the others were listed");
}

/// A list that fails says nothing about any task: the jobs are polled one by one meanwhile,
/// none fails, and nothing is created twice.
#[tokio::test]
async fn a_failing_list_falls_back_to_queries_and_fails_no_job() {
    let cases: [ListFault; 4] = [
        ("HTML with HTTP 200", || Fault::Html),
        ("rate limit (429 1302)", || Fault::Refuse {
            status: 429,
            code: 1302,
        }),
        ("server error (500 5000)", || Fault::Refuse {
            status: 500,
            code: 5000,
        }),
        ("connection dropped", || Fault::Drop),
    ];
    let runs = cases.map(|(what, fault)| async move {
        let mock = DocsMock::start(account()).await;
        for _ in 0..3 {
            mock.fault(Op::List, fault());
        }
        let (jobs, _dir) =
            run_jobs(&mock, Board::starter(), 2, AKSK, fast_polls(INTERVAL_MS)).await;
        assert_eq!(phases(&jobs), [JobPhase::Done; 2], "{what}: {jobs:#?}");
        assert_eq!(mock.count(Op::Create), 2, "{what}: one create each");
        assert_eq!(mock.tasks_created(), 2, "{what}");
        assert!(mock.count(Op::List) >= 1, "{what}: the list was tried");
        assert!(mock.count(Op::Query) >= 2, "{what}: polled one by one");
    });
    futures::future::join_all(runs).await;
}

/// What a case calls itself and the answer it scripts for the list.
type ListFault = (&'static str, fn() -> Fault);

#[tokio::test]
async fn a_task_failed_on_the_page_fails_its_job_with_the_providers_reason() {
    let mock = DocsMock::start(account()).await;
    mock.fail_next_task("Failure to pass the risk control system");
    let (jobs, _dir) = run_jobs(&mock, Board::starter(), 3, AKSK, fast_polls(INTERVAL_MS)).await;
    let failed: Vec<&JobView> = jobs
        .iter()
        .filter(|j| j.phase == JobPhase::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{jobs:#?}");
    let error = failed[0].error.as_ref().expect("the reason is shown");
    assert!(error.message.contains("risk control"), "{error:?}");
    assert!(failed[0].files.is_empty());
    let done = jobs.iter().filter(|j| j.phase == JobPhase::Done).count();
    assert_eq!(done, 2, "{jobs:#?}");
    assert_eq!(mock.count(Op::Query), 0, "the failure was read on the list");
}

#[tokio::test]
async fn a_page_with_a_task_no_one_can_read_still_answers_for_the_others() {
    let mock = DocsMock::start(account()).await;
    for _ in 0..4 {
        mock.fault(Op::List, Fault::UnreadableEntry);
    }
    let (jobs, _dir) = run_jobs(&mock, Board::starter(), 2, AKSK, fast_polls(INTERVAL_MS)).await;
    assert_eq!(phases(&jobs), [JobPhase::Done; 2], "{jobs:#?}");
    assert_eq!(
        mock.count(Op::Query),
        0,
        "the readable tasks were read on the page"
    );
}
