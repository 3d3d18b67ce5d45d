//! The engine polls v2 tasks together through `kling_docs_mock::v2`, written from Kling's
//! page ("`task_ids`: Support batch queries, separated by \",\"") and a client's report of
//! the cap (20 ids): many jobs in flight cost one `GET /tasks?task_ids=a,b,…` per interval;
//! a task the answer leaves out is asked alone at its next poll and never failed; an odd
//! item is skipped without costing the others their answer.

use shotdeck::core::Board;
use shotdeck::engine::events::{JobPhase, JobView};

use super::kling_docs_mock::v2::V2Mock;
use super::{fast_polls, run_jobs_at};

const KEY: &str = "v2-batch-api-key";
const KEYED: &[(&str, &str)] = &[("KLING_API_KEY", KEY)];
/// Long enough for every create to be answered before the first poll is due.
const INTERVAL_MS: u64 = 300;

fn turbo() -> Board {
    Board {
        model: "kling-v3-turbo".into(),
        multi_shot: false,
        prompt: "A lighthouse at dusk.".into(),
        duration: 5.0,
        ..Board::default()
    }
}

async fn run(mock: &V2Mock, count: usize) -> Vec<JobView> {
    let (jobs, _dir) = run_jobs_at(
        mock.base.clone(),
        turbo(),
        count,
        KEYED,
        fast_polls(INTERVAL_MS),
    )
    .await;
    jobs
}

fn all_done(jobs: &[JobView]) {
    for job in jobs {
        assert_eq!(job.phase, JobPhase::Done, "{jobs:#?}");
    }
}

#[tokio::test]
async fn five_v2_jobs_are_looked_up_together() {
    let mock = V2Mock::start(KEY).await;
    let jobs = run(&mock, 5).await;
    all_done(&jobs);
    let lookups = mock.lookups();
    // Two answers each (processing, then succeeded): one lookup per interval for all five
    // would be 2; one per job would be 10.
    assert!(lookups.len() <= 4, "{} lookups: {lookups:?}", lookups.len());
    assert!(lookups.iter().any(|ids| ids.len() == 5), "{lookups:?}");
    assert!(lookups.iter().all(|ids| ids.len() <= 20));
}

#[tokio::test]
async fn a_task_left_out_of_the_answer_is_asked_alone_and_finishes() {
    let mock = V2Mock::start(KEY).await;
    mock.leave_out_of_batches(0);
    let jobs = run(&mock, 3).await;
    all_done(&jobs);
    let missing = &mock.task_ids()[0];
    let lookups = mock.lookups();
    let left_out = lookups
        .iter()
        .filter(|ids| ids.len() > 1 && ids.contains(missing))
        .count();
    let alone = lookups
        .iter()
        .filter(|ids| ids.as_slice() == [missing.clone()])
        .count();
    assert!(left_out >= 1 && alone >= 1, "{lookups:?}");
    // Each answer that left it out costs at most one lookup of its own, at its next poll,
    // and then it is back in the batch.
    assert!(
        alone <= left_out,
        "{alone} alone for {left_out} left out: {lookups:?}"
    );
}

#[tokio::test]
async fn an_odd_item_does_not_spoil_the_other_answers() {
    let mock = V2Mock::start(KEY).await;
    mock.odd_in_batches(1);
    let jobs = run(&mock, 3).await;
    all_done(&jobs);
    let ids = mock.task_ids();
    let lookups = mock.lookups();
    // The two readable tasks were answered in batches that also carried the odd one.
    assert!(
        lookups
            .iter()
            .any(|asked| asked.len() == 3 && asked.contains(&ids[1])),
        "{lookups:?}"
    );
    assert!(
        lookups
            .iter()
            .any(|asked| asked.as_slice() == [ids[1].clone()]),
        "the odd one was asked alone: {lookups:?}"
    );
    for readable in [&ids[0], &ids[2]] {
        assert!(
            !lookups
                .iter()
                .any(|asked| asked.as_slice() == [readable.clone()]),
            "{readable} was answered in the batches, never alone: {lookups:?}"
        );
    }
}
