//! A v2 create whose answer is lost, through reqwest to `kling_docs_mock::v2`, whose
//! `GET /tasks?external_task_ids=` quotes Kling's page ([TASKS] there): the task is found by
//! the id our create carried and never created twice; an empty answer is "no such task";
//! an answer that cannot be tied to our id is odd, never taken for "not found".

use std::time::Duration;

use shotdeck::core::{Board, PlaceholderImages, Provider, compose};
use shotdeck::providers::{Client, ProviderError};

use super::kling_docs_mock::v2::V2Mock;

const KEY: &str = "v2-docs-api-key";

/// A client that gives up on an answer after `timeout`.
fn impatient(mock: &V2Mock, timeout: Duration) -> Client {
    super::v2::client_timing_out(mock, &[("KLING_API_KEY", KEY)], timeout)
}

fn turbo_request(ext: &str) -> shotdeck::core::compose::ComposedRequest {
    let board = Board {
        model: "kling-v3-turbo".into(),
        multi_shot: false,
        prompt: "A lighthouse at dusk.".into(),
        duration: 5.0,
        ..Board::default()
    };
    compose(&board, Provider::Kling, &PlaceholderImages, ext).unwrap()
}

fn creates(mock: &V2Mock) -> usize {
    mock.hits().iter().filter(|h| h.path != "/tasks").count()
}

#[tokio::test]
async fn a_create_that_times_out_is_found_by_its_external_id_and_not_re_sent() {
    let mock = V2Mock::start(KEY).await;
    let client = impatient(&mock, Duration::from_millis(300));
    mock.stall_next_create(Duration::from_secs(3));
    let req = turbo_request("ext-lost");
    assert_eq!(req.path, "/text-to-video/kling-3.0-turbo");
    let task = client.submit(&req, "ext-lost").await.unwrap();
    assert_eq!(task.task_id, mock.task_ids()[0]);
    assert_eq!(task.external_task_id.as_deref(), Some("ext-lost"));
    assert_eq!(
        mock.external_lookups(),
        ["ext-lost"],
        "one lookup by our id"
    );
    assert_eq!(creates(&mock), 1, "never re-sent");
    assert_eq!(mock.task_count(), 1);
}

#[tokio::test]
async fn an_empty_answer_is_no_such_task_and_an_unlinked_task_is_odd() {
    let mock = V2Mock::start(KEY).await;
    let client = impatient(&mock, Duration::from_secs(5));
    let req = turbo_request("ext-made");
    // [KLING] "it answers `200 data: []` for unknown ids": never sent, so never made.
    let none = client
        .find_by_external_id(&req.path, "ext-never-sent")
        .await
        .unwrap();
    assert!(none.is_none());
    client.submit(&req, "ext-made").await.unwrap();
    let found = client.find_by_external_id(&req.path, "ext-made").await;
    assert_eq!(found.unwrap().unwrap().task_id, mock.task_ids()[0]);
    // A task without `external_id` may be ours or not: neither "found" nor "not found".
    mock.withhold_external_id();
    let odd = client.find_by_external_id(&req.path, "ext-made").await;
    assert!(matches!(odd, Err(ProviderError::Malformed(_))), "{odd:?}");
    assert_eq!(
        mock.external_lookups(),
        ["ext-never-sent", "ext-made", "ext-made"]
    );
}

#[tokio::test]
async fn a_create_sent_twice_is_refused_by_the_mock() {
    // The mock's own check ([TASKS] "Must be unique within a single user account"), which
    // the tests above rely on to see a blind re-send; the client reads it as a conflict,
    // a create in doubt (looked up, never re-sent).
    let mock = V2Mock::start(KEY).await;
    let client = impatient(&mock, Duration::from_secs(5));
    let req = turbo_request("ext-twice");
    client.create(&req).await.unwrap();
    let again = client.create(&req).await;
    assert!(
        matches!(again, Err(ProviderError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(mock.task_count(), 1);
}
