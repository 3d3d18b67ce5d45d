//! The official-API client against the mock on 127.0.0.1: real reqwest, real JWTs.

mod providers_mock;

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use providers_mock::kling::{AK, SK, TEXT2VIDEO, client_for, kling_error};
use providers_mock::{Mock, Op, REQUEST_TIMEOUT, Reply, composed};
use serde_json::json;
use shotdeck::core::Provider;
use shotdeck::providers::jwt::{Claims, unix_now};
use shotdeck::providers::{Client, ProviderError, ProviderSettings, TaskState};

#[tokio::test]
async fn the_bearer_token_is_a_jwt_signed_with_the_secret_key() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    client
        .submit(&composed(Provider::Kling, "job-jwt"), "job-jwt")
        .await
        .unwrap();

    let auth = mock.hits()[0].authorization.clone().unwrap();
    let token = auth.strip_prefix("Bearer ").expect("Bearer scheme");
    let mut v = Validation::new(Algorithm::HS256);
    v.set_required_spec_claims(&["iss", "exp", "nbf"]);
    let claims =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(SK.as_bytes()), &v)
            .unwrap()
            .claims;
    let now = unix_now();
    assert_eq!(claims.iss, AK);
    assert!(
        (now + 1790..=now + 1800).contains(&claims.exp),
        "exp {} now {now}",
        claims.exp
    );
    assert!(
        (now - 15..=now - 5).contains(&claims.nbf),
        "nbf {} now {now}",
        claims.nbf
    );
    let wrong = DecodingKey::from_secret(b"not-the-secret");
    assert!(jsonwebtoken::decode::<Claims>(token, &wrong, &v).is_err());
}

#[tokio::test]
async fn the_token_is_reused_across_requests() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    let task = client
        .submit(&composed(Provider::Kling, "job-reuse"), "job-reuse")
        .await
        .unwrap();
    client.query(TEXT2VIDEO, &task.task_id).await.unwrap();
    client.query(TEXT2VIDEO, &task.task_id).await.unwrap();
    let hits = mock.hits();
    assert_eq!(hits.len(), 3);
    assert!(
        hits.iter()
            .all(|h| h.authorization == hits[0].authorization)
    );
}

#[tokio::test]
async fn an_expired_token_answer_is_re_signed_and_retried_once() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    let task = client
        .submit(&composed(Provider::Kling, "job-1004"), "job-1004")
        .await
        .unwrap();
    mock.script(
        Op::Query,
        Reply::json(401, kling_error(1004, "token expired")),
    );
    let polled = client.query(TEXT2VIDEO, &task.task_id).await.unwrap();
    assert_eq!(polled.task_id, task.task_id);
    assert_eq!(mock.count(Op::Query), 2);

    // Only once: a second 1004 in a row is reported, not retried again.
    mock.script(
        Op::Query,
        Reply::json(401, kling_error(1004, "token expired")),
    );
    mock.script(
        Op::Query,
        Reply::json(401, kling_error(1004, "token expired")),
    );
    let err = client.query(TEXT2VIDEO, &task.task_id).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Auth { ref code, .. } if code == "1004"),
        "{err:?}"
    );
    assert_eq!(mock.count(Op::Query), 4);
}

#[tokio::test]
async fn a_wrong_secret_is_an_auth_error_1002_sent_once() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, "sk-wrong");
    let err = client
        .submit(&composed(Provider::Kling, "job-bad"), "job-bad")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Auth { ref code, .. } if code == "1002"),
        "{err:?}"
    );
    assert!(!err.is_retryable() && !err.may_have_created());
    assert_eq!(mock.hits().len(), 1, "no retry, no lookup");
    assert!(err.to_string().starts_with("1002: "), "{err}");
}

#[tokio::test]
async fn a_balance_error_over_http_429_is_never_retried() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    mock.script(
        Op::Create,
        Reply::json(429, kling_error(1102, "resource pack exhausted")),
    );
    let err = client
        .submit(&composed(Provider::Kling, "job-broke"), "job-broke")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Balance { ref code, .. } if code == "1102"),
        "{err:?}"
    );
    assert_eq!(mock.hits().len(), 1, "exactly one request");
    assert_eq!(mock.tasks_created(), 0);
}

#[tokio::test]
async fn a_rate_limit_comes_back_at_once_with_its_retry_after() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    let reply = Reply::Json {
        status: 429,
        body: kling_error(1302, "too many requests"),
        retry_after: Some(30),
    };
    mock.script(Op::Create, reply);
    let started = std::time::Instant::now();
    let err = client
        .submit(&composed(Provider::Kling, "job-slow"), "job-slow")
        .await
        .unwrap_err();
    // Waiting is the engine's, outside its request slots: the client never sleeps.
    assert!(started.elapsed() < Duration::from_secs(5), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)), "{err:?}");
    assert!(err.is_retryable() && !err.task_may_exist());
    assert_eq!(mock.hits().len(), 1, "one create, no lookup");
    assert_eq!(mock.tasks_created(), 0);
}

#[tokio::test]
async fn server_errors_on_query_are_one_attempt_each_and_retryable() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    let task = client
        .submit(&composed(Provider::Kling, "job-5xx"), "job-5xx")
        .await
        .unwrap();
    mock.script(
        Op::Query,
        Reply::json(500, kling_error(5000, "internal error")),
    );
    mock.script(
        Op::Query,
        Reply::Raw {
            status: 502,
            body: "<html>bad gateway</html>",
        },
    );
    for status in [500, 502] {
        let err = client.query(TEXT2VIDEO, &task.task_id).await.unwrap_err();
        assert!(
            matches!(err, ProviderError::Server { status: s, .. } if s == status),
            "{err:?}"
        );
        assert!(err.is_retryable());
    }
    let polled = client.query(TEXT2VIDEO, &task.task_id).await.unwrap();
    assert_eq!(polled.state, TaskState::Processing);
    assert_eq!(mock.count(Op::Query), 3);
}

#[tokio::test]
async fn a_failed_task_answered_with_code_zero_is_a_failed_snapshot() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    let failed = json!({"code": 0, "message": "SUCCEED", "request_id": "r", "data": {
        "task_id": "860000000000000077", "task_status": "failed",
        "task_status_msg": "Failure to pass the risk control system", "task_result": {}}});
    mock.script(Op::Query, Reply::json(200, failed));
    let task = client
        .query(TEXT2VIDEO, "860000000000000077")
        .await
        .unwrap();
    assert_eq!(task.state, TaskState::Failed);
    assert_eq!(
        task.status_msg.as_deref(),
        Some("Failure to pass the risk control system")
    );
    assert!(task.videos.is_empty());
}

#[tokio::test]
async fn malformed_json_is_a_malformed_error_and_not_retried() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    mock.script(
        Op::Query,
        Reply::Raw {
            status: 200,
            body: "{\"code\":0,\"data\":{\"task_id\"",
        },
    );
    let err = client.query(TEXT2VIDEO, "1").await.unwrap_err();
    assert!(matches!(err, ProviderError::Malformed(_)), "{err:?}");
    assert_eq!(mock.count(Op::Query), 1);
}

#[tokio::test]
async fn polling_reaches_success_and_list_shows_the_task() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    let task = client
        .submit(&composed(Provider::Kling, "job-ok"), "job-ok")
        .await
        .unwrap();
    assert_eq!(task.state, TaskState::Submitted);
    let mut last = task.clone();
    for _ in 0..5 {
        last = client.query(TEXT2VIDEO, &task.task_id).await.unwrap();
        if last.state.is_terminal() {
            break;
        }
    }
    assert_eq!(last.state, TaskState::Succeeded);
    assert_eq!(last.videos.len(), 1);
    assert_eq!(last.videos[0].duration_secs, Some(5.0));
    assert_eq!(last.units_charged.as_deref(), Some("1"));

    let listed = client.list(TEXT2VIDEO).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|t| t.task_id.as_str())
            .collect::<Vec<_>>(),
        [task.task_id.as_str()]
    );
    let list_hit = mock.hits().into_iter().find(|h| h.op == Op::List).unwrap();
    assert_eq!(list_hit.query.as_deref(), Some("pageNum=1&pageSize=500"));
    assert!(
        client
            .list("/v1/videos/omni-video")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn find_by_external_id_finds_known_tasks_only() {
    let mock = Mock::kling(AK, SK).await;
    let client = client_for(&mock, SK);
    let task = client
        .submit(&composed(Provider::Kling, "job-find"), "job-find")
        .await
        .unwrap();
    let found = client
        .find_by_external_id(TEXT2VIDEO, "job-find")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.task_id, task.task_id);
    assert!(
        client
            .find_by_external_id(TEXT2VIDEO, "job-none")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn from_sources_reads_the_base_and_keys_and_prints_no_secret() {
    let mock = Mock::kling(AK, SK).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials.toml");
    std::fs::write(
        &file,
        format!("kling_access_key = \"{AK}\"\nkling_secret_key = \"{SK}\"\n"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let base = mock.base.clone();
    let env = move |name: &str| (name == "KLING_API_BASE").then(|| base.clone());
    let settings = ProviderSettings {
        request_timeout: REQUEST_TIMEOUT,
        ..ProviderSettings::default()
    };
    let client = Client::from_sources(Provider::Kling, &settings, &env, &file).unwrap();
    assert_eq!(client.provider(), Provider::Kling);
    let task = client
        .submit(&composed(Provider::Kling, "job-env"), "job-env")
        .await
        .unwrap();
    assert_eq!(task.external_task_id.as_deref(), Some("job-env"));

    let shown = format!("{client:?}");
    let token = mock.hits()[0].authorization.clone().unwrap();
    for secret in [AK, SK, token.trim_start_matches("Bearer ")] {
        assert!(!shown.contains(secret), "Debug leaks a secret: {shown}");
    }

    let no_keys = Client::from_sources(
        Provider::Kling,
        &settings,
        &|_| None,
        &dir.path().join("absent.toml"),
    );
    let msg = no_keys.unwrap_err().to_string();
    assert!(
        msg.contains("KLING_ACCESS_KEY") && msg.contains("absent.toml"),
        "{msg}"
    );
}
