//! The official-API client when a create's answer is lost (5xx, dropped connection,
//! timeout) or repeated: every case is followed by one lookup of the external id, never by
//! a blind re-send, and exactly one task exists afterwards.

mod providers_mock;

use std::time::Duration;

use providers_mock::kling::{AK, SK, client_for, kling_error};
use providers_mock::{Mock, Op, Reply, composed};
use shotdeck::core::Provider;
use shotdeck::files::credentials::Secret;
use shotdeck::providers::{Client, KlingClient, ProviderError};

#[tokio::test]
async fn a_server_error_on_create_is_looked_up_and_never_re_sent_blindly() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    mock.script(
        Op::Create,
        Reply::json(503, kling_error(5001, "maintenance")),
    );
    let req = composed(Provider::Kling, "job-maint");
    let err = client.submit(&req, "job-maint").await.unwrap_err();
    assert!(err.task_may_exist() && err.is_retryable(), "{err:?}");
    let ops: Vec<Op> = mock.hits().iter().map(|h| h.op).collect();
    assert_eq!(
        ops,
        [Op::Create, Op::Query, Op::List],
        "one lookup (the path form, then the list), no re-send"
    );

    // The engine's next try: look first, send only what the provider does not know.
    assert!(
        client
            .find_by_external_id(&req.path, "job-maint")
            .await
            .unwrap()
            .is_none()
    );
    let task = client.submit(&req, "job-maint").await.unwrap();
    assert_eq!(task.external_task_id.as_deref(), Some("job-maint"));
    assert_eq!(mock.count(Op::Create), 2);
    assert_eq!(mock.tasks_created(), 1);
}

#[tokio::test]
async fn a_dropped_connection_on_create_is_reconciled_by_lookup() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    mock.script(Op::Create, Reply::CreateThenDrop);
    let task = client
        .submit(&composed(Provider::Kling, "job-drop"), "job-drop")
        .await
        .unwrap();
    assert_eq!(task.external_task_id.as_deref(), Some("job-drop"));
    assert_eq!(mock.count(Op::Create), 1, "never re-sent");
    assert_eq!(mock.tasks_created(), 1);

    // The single-attempt create reports the drop as "may have created" for the engine.
    mock.script(Op::Create, Reply::CreateThenDrop);
    let err = client
        .create(&composed(Provider::Kling, "job-drop-2"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Transport(_)) && err.may_have_created(),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_create_that_times_out_is_reconciled_by_lookup() {
    let mock = Mock::kling(AK, SK).await;
    let timeout = Duration::from_millis(300);
    let client = Client::Kling(
        KlingClient::new(&mock.base, Secret::new(AK), Secret::new(SK), timeout).unwrap(),
    );
    mock.script(Op::Create, Reply::CreateThenStall { secs: 10 });
    let task = client
        .submit(&composed(Provider::Kling, "job-stall"), "job-stall")
        .await
        .unwrap();
    assert_eq!(task.external_task_id.as_deref(), Some("job-stall"));
    assert_eq!(mock.count(Op::Create), 1, "never re-sent");
    assert_eq!(mock.tasks_created(), 1);
}

#[tokio::test]
async fn resubmitting_an_external_id_returns_the_existing_task() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    let first = client
        .submit(&composed(Provider::Kling, "job-twice"), "job-twice")
        .await
        .unwrap();
    let second = client
        .submit(&composed(Provider::Kling, "job-twice"), "job-twice")
        .await
        .unwrap();
    assert_eq!(first.task_id, second.task_id);
    assert_eq!(mock.tasks_created(), 1);
}
