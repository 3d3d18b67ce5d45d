//! The Bearer-key gateway client against the mock on 127.0.0.1.

mod providers_mock;

use providers_mock::{Mock, Op, REQUEST_TIMEOUT, Reply, composed};
use serde_json::json;
use shotdeck::core::Provider;
use shotdeck::core::compose::GATEWAY_CREATE_PATH;
use shotdeck::files::credentials::Secret;
use shotdeck::providers::{Client, GatewayClient, ProviderError, ProviderSettings, TaskState};

const KEY: &str = "sk-gateway-test-key";

fn client_for(mock: &Mock, key: &str) -> Client {
    Client::Gateway(GatewayClient::new(&mock.base, Secret::new(key), REQUEST_TIMEOUT).unwrap())
}

fn gateway_error(message: &str, kind: &str, param: Option<&str>, code: &str) -> serde_json::Value {
    json!({"error": {"message": message, "type": kind, "param": param, "code": code}})
}

#[tokio::test]
async fn submit_then_poll_to_success() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    let task = client
        .submit(&composed(Provider::Gateway, "gw-ok"), "gw-ok")
        .await
        .unwrap();
    assert_eq!(task.state, TaskState::Submitted);
    assert_eq!(task.external_task_id.as_deref(), Some("gw-ok"));

    let hit = &mock.hits()[0];
    assert_eq!(
        hit.authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(hit.body.as_ref().unwrap()["external_task_id"], "gw-ok");

    let mut last = task.clone();
    for _ in 0..5 {
        last = client
            .query(GATEWAY_CREATE_PATH, &task.task_id)
            .await
            .unwrap();
        if last.state.is_terminal() {
            break;
        }
    }
    assert_eq!(last.state, TaskState::Succeeded);
    assert_eq!(last.videos.len(), 1);
    assert_eq!(last.videos[0].duration_secs, Some(5.0));
    assert!(last.videos[0].url.ends_with(".mp4"));
}

#[tokio::test]
async fn a_bad_request_names_its_param_and_is_not_retried() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    let body = gateway_error(
        "duration must be between 3 and 15",
        "invalid_request_error",
        Some("duration"),
        "invalid_value",
    );
    mock.script(Op::Create, Reply::json(400, body));
    let err = client
        .submit(&composed(Provider::Gateway, "gw-400"), "gw-400")
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::BadRequest { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "invalid_value: duration must be between 3 and 15 (param: duration)"
    );
    assert_eq!(mock.hits().len(), 1);
}

#[tokio::test]
async fn insufficient_quota_is_never_retried() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    mock.script(
        Op::Create,
        Reply::json(
            402,
            gateway_error(
                "insufficient balance",
                "insufficient_quota",
                None,
                "insufficient_quota",
            ),
        ),
    );
    let err = client
        .submit(&composed(Provider::Gateway, "gw-402"), "gw-402")
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Balance { .. }), "{err:?}");
    assert_eq!(mock.hits().len(), 1, "exactly one request");
}

#[tokio::test]
async fn a_wrong_key_is_an_auth_error_sent_once() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, "sk-wrong");
    let err = client
        .submit(&composed(Provider::Gateway, "gw-401"), "gw-401")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Auth { ref code, .. } if code == "invalid_api_key"),
        "{err:?}"
    );
    assert_eq!(mock.hits().len(), 1);
}

#[tokio::test]
async fn a_rate_limit_is_one_attempt_and_never_looked_up() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    let limited = gateway_error(
        "slow down",
        "rate_limit_exceeded",
        None,
        "rate_limit_exceeded",
    );
    mock.script(Op::Create, Reply::json(429, limited.clone()));
    mock.script(Op::Create, Reply::json(429, limited));
    let req = composed(Provider::Gateway, "gw-429");
    // Each call is one attempt; the engine waits between them.
    for _ in 0..2 {
        let err = client.submit(&req, "gw-429").await.unwrap_err();
        assert!(matches!(err, ProviderError::RateLimited { .. }), "{err:?}");
        assert!(err.is_retryable() && !err.task_may_exist(), "{err:?}");
    }
    let task = client.submit(&req, "gw-429").await.unwrap();
    assert_eq!(mock.count(Op::Create), 3);
    assert_eq!(
        mock.count(Op::Lookup),
        0,
        "a 429 cannot have created the task"
    );
    assert_eq!(task.external_task_id.as_deref(), Some("gw-429"));
    assert_eq!(mock.tasks_created(), 1);
}

#[tokio::test]
async fn lookup_by_external_id() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    let task = client
        .submit(&composed(Provider::Gateway, "gw-find"), "gw-find")
        .await
        .unwrap();
    let found = client
        .find_by_external_id(GATEWAY_CREATE_PATH, "gw-find")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.task_id, task.task_id);
    let hit = mock
        .hits()
        .into_iter()
        .find(|h| h.op == Op::Lookup)
        .unwrap();
    assert_eq!(hit.query.as_deref(), Some("external_task_id=gw-find"));
    assert!(
        client
            .find_by_external_id(GATEWAY_CREATE_PATH, "gw-none")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_duplicate_external_id_resolves_to_the_existing_task() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    let first = client
        .submit(&composed(Provider::Gateway, "gw-dup"), "gw-dup")
        .await
        .unwrap();
    let again = client
        .submit(&composed(Provider::Gateway, "gw-dup"), "gw-dup")
        .await
        .unwrap();
    assert_eq!(first.task_id, again.task_id);
    assert_eq!(mock.tasks_created(), 1);
    let ops: Vec<Op> = mock.hits().iter().map(|h| h.op).collect();
    assert_eq!(ops, [Op::Create, Op::Create, Op::Lookup]);
}

#[tokio::test]
async fn a_dropped_connection_on_create_is_reconciled_by_lookup() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    mock.script(Op::Create, Reply::CreateThenDrop);
    let task = client
        .submit(&composed(Provider::Gateway, "gw-drop"), "gw-drop")
        .await
        .unwrap();
    assert_eq!(task.external_task_id.as_deref(), Some("gw-drop"));
    assert_eq!(mock.count(Op::Create), 1);
    assert_eq!(mock.tasks_created(), 1);
}

#[tokio::test]
async fn a_failed_task_carries_its_error_code() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    let failed = json!({"task_id": "t9", "status": "failed", "external_task_id": "gw-f",
        "error": {"message": "image rejected by safety filter", "type": "content_policy", "param": "image", "code": "content_filtered"}});
    mock.script(Op::Query, Reply::json(200, failed));
    let task = client.query(GATEWAY_CREATE_PATH, "t9").await.unwrap();
    assert_eq!(task.state, TaskState::Failed);
    assert_eq!(
        task.status_msg.as_deref(),
        Some("image rejected by safety filter")
    );
    assert_eq!(task.error_code.as_deref(), Some("content_filtered"));
}

#[tokio::test]
async fn list_is_not_supported() {
    let mock = Mock::gateway(KEY).await;
    let client = client_for(&mock, KEY);
    let err = client.list(GATEWAY_CREATE_PATH).await.unwrap_err();
    assert!(matches!(err, ProviderError::Config(ref m) if m.contains("not supported")));
    assert!(mock.hits().is_empty());
}

#[tokio::test]
async fn configuration_errors_name_what_to_set_and_nothing_secret_prints() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("credentials.toml");
    let settings = ProviderSettings::default();
    let key = |name: &str| (name == "KLING_API_KEY").then(|| KEY.to_string());
    let err = Client::from_sources(Provider::Gateway, &settings, &key, &absent).unwrap_err();
    assert!(matches!(err, ProviderError::Config(_)));
    assert!(err.to_string().contains("SHOTDECK_GATEWAY_URL"), "{err}");

    let mock = Mock::gateway(KEY).await;
    let configured = ProviderSettings {
        gateway_base: Some(mock.base.clone()),
        request_timeout: REQUEST_TIMEOUT,
        ..ProviderSettings::default()
    };
    let err = Client::from_sources(Provider::Gateway, &configured, &|_| None, &absent).unwrap_err();
    assert!(err.to_string().contains("KLING_API_KEY"), "{err}");

    let client = Client::from_sources(Provider::Gateway, &configured, &key, &absent).unwrap();
    assert_eq!(client.provider(), Provider::Gateway);
    client
        .submit(&composed(Provider::Gateway, "gw-cfg"), "gw-cfg")
        .await
        .unwrap();
    assert!(!format!("{client:?}").contains(KEY));
}
