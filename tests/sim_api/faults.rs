//! Fault injection and the control endpoints over real HTTP.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde_json::{Value, json};
use shotdeck::sim::{Faults, ScriptedFault};

use crate::support::*;

#[tokio::test]
async fn scripted_rate_limit_and_server_error_in_both_shapes() {
    let server = start(FAST).await;
    server.set_faults(Faults {
        retry_after_secs: 2,
        ..scripted(&[
            ScriptedFault::RateLimit,
            ScriptedFault::ServerError,
            ScriptedFault::RateLimit,
            ScriptedFault::ServerError,
        ])
    });
    let (kling, gw) = (Kling::new(&server), Gateway::new(&server));

    let response = kling
        .post_raw("text2video", &text_body("k"))
        .await
        .expect("answer");
    assert_eq!(response.headers()[RETRY_AFTER], "2");
    let (status, body) = body_json(response).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(1302))
    );
    let (status, body) = kling.create("text2video", &text_body("k")).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some(5000))
    );

    let response = gw.post_raw(&gateway_text_body("g")).await.expect("answer");
    assert_eq!(response.headers()[RETRY_AFTER], "2");
    let (status, body) = body_json(response).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limit_exceeded"))
    );
    let (status, body) = gw.create(&gateway_text_body("g")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("server_error"))
    );

    // The script is used up: the same creates now go through, once each.
    assert_eq!(
        kling.create("text2video", &text_body("k")).await.0,
        StatusCode::OK
    );
    assert_eq!(gw.create(&gateway_text_body("g")).await.0, StatusCode::OK);
    let stats = server.stats();
    assert_eq!(
        (
            stats.faults_injected,
            stats.creates_accepted,
            stats.api_requests
        ),
        (4, 2, 6)
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_dropped_connection_is_an_error_for_the_client() {
    let server = start(FAST).await;
    server.set_faults(scripted(&[ScriptedFault::Drop, ScriptedFault::Drop]));
    let (kling, gw) = (Kling::new(&server), Gateway::new(&server));
    assert!(
        exchange(kling.post_raw("text2video", &text_body("d")).await)
            .await
            .is_err()
    );
    assert!(
        exchange(gw.post_raw(&gateway_text_body("d")).await)
            .await
            .is_err()
    );
    assert_eq!(
        server.stats().creates_accepted,
        0,
        "a plain drop does not handle the request"
    );
    // The server is still healthy afterwards.
    assert_eq!(
        kling.create("text2video", &text_body("d")).await.0,
        StatusCode::OK
    );
    server.shutdown().await;
}

#[tokio::test]
async fn drop_after_create_loses_the_answer_but_keeps_the_task() {
    let server = start(FAST).await;
    server.set_faults(scripted(&[
        ScriptedFault::DropAfterCreate,
        ScriptedFault::DropAfterCreate,
    ]));
    let (kling, gw) = (Kling::new(&server), Gateway::new(&server));
    assert!(
        exchange(kling.post_raw("text2video", &text_body("lost-k")).await)
            .await
            .is_err()
    );
    assert!(
        exchange(gw.post_raw(&gateway_text_body("lost-g")).await)
            .await
            .is_err()
    );

    // The tasks exist: the official API finds its task by our id; the gateway has no such
    // lookup (a client must not send it again without asking the user).
    let (status, found) = kling.query("text2video", "lost-k").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["data"]["task_info"]["external_task_id"], "lost-k");
    let stats = server.stats();
    assert_eq!(stats.creates_accepted, 2);
    assert_eq!(
        (
            stats.creates_by_external_id["lost-k"],
            stats.creates_by_external_id["lost-g"]
        ),
        (1, 1)
    );
    // A careless client that re-sends is refused.
    assert_eq!(
        kling.create("text2video", &text_body("lost-k")).await.0,
        StatusCode::BAD_REQUEST
    );
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_and_truncated_answers_are_not_json() {
    let server = start(FAST).await;
    server.set_faults(scripted(&[
        ScriptedFault::Malformed,
        ScriptedFault::Truncated,
    ]));
    let kling = Kling::new(&server);
    let (status, text) = exchange(kling.post_raw("text2video", &text_body("m")).await)
        .await
        .expect("complete");
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    let (status, text) = exchange(kling.post_raw("text2video", &text_body("t")).await)
        .await
        .expect("complete");
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert!(
        text.starts_with("{\"code\":0"),
        "the start of the real answer: {text}"
    );

    // Malformed never reached the handler; truncated did.
    assert_eq!(
        kling.query("text2video", "m").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(kling.query("text2video", "t").await.0, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn balance_exhausted_blocks_creates_only() {
    let server = start(60.0).await;
    let (kling, gw) = (Kling::new(&server), Gateway::new(&server));
    let (_, created) = kling.create("text2video", &text_body("before")).await;
    let id = created["data"]["task_id"].as_str().expect("id").to_string();
    server.set_faults(Faults {
        balance_exhausted: true,
        ..Faults::default()
    });
    let (status, body) = kling.create("text2video", &text_body("after")).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(1102))
    );
    let (status, body) = gw.create(&gateway_text_body("after")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        serde_json::json!({"code": "quota_not_enough", "message": "user quota is not enough", "data": null})
    );
    assert_eq!(
        kling.query("text2video", &id).await.0,
        StatusCode::OK,
        "queries still work"
    );

    server.set_faults(scripted(&[ScriptedFault::Balance]));
    let (status, body) = kling.create("text2video", &text_body("scripted")).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(1102))
    );
    assert_eq!(
        kling.create("text2video", &text_body("scripted")).await.0,
        StatusCode::OK
    );
    server.shutdown().await;
}

#[tokio::test]
async fn certain_rates_fire_on_every_request() {
    let server = start(FAST).await;
    let kling = Kling::new(&server);
    for (faults, status) in [
        (
            Faults {
                rate_limit_rate: 1.0,
                ..Faults::default()
            },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        (
            Faults {
                server_error_rate: 1.0,
                ..Faults::default()
            },
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ] {
        server.set_faults(faults);
        for _ in 0..3 {
            assert_eq!(kling.create("text2video", &text_body("")).await.0, status);
        }
    }
    server.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    assert!(
        exchange(kling.post_raw("text2video", &text_body("")).await)
            .await
            .is_err()
    );
    server.set_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let (_, text) = exchange(kling.post_raw("text2video", &text_body("")).await)
        .await
        .expect("complete");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    server.set_faults(Faults::default());
    assert_eq!(
        kling.create("text2video", &text_body("")).await.0,
        StatusCode::OK
    );
    server.shutdown().await;
}

#[tokio::test]
async fn latency_delays_every_api_answer() {
    let server = start(FAST).await;
    server.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let kling = Kling::new(&server);
    let started = Instant::now();
    kling.query("text2video", "nothing").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    server.shutdown().await;
}

#[tokio::test]
async fn a_never_finishing_task_stays_processing() {
    let faults = Faults {
        never_finish_rate: 1.0,
        ..Faults::default()
    };
    let server = start_with(0.1, faults).await;
    let kling = Kling::new(&server);
    kling.create("text2video", &text_body("stuck")).await;
    kling.wait_for("text2video", "stuck", "processing").await;
    // Three run times later it would long have finished; it must still be processing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, body) = kling.query("text2video", "stuck").await;
    assert_eq!(body["data"]["task_status"], "processing");
    server.shutdown().await;
}

#[tokio::test]
async fn control_endpoints_read_and_replace_faults() {
    let server = start(FAST).await;
    let http = client();
    let url = format!("{}/__sim/faults", server.base_url());
    let put = http
        .put(&url)
        .json(&json!({"server_error_rate": 1.0, "script": ["drop_after_create"]}))
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), StatusCode::OK);
    let current: Faults = http
        .get(&url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("faults");
    assert_eq!(current.server_error_rate, 1.0);
    assert_eq!(current.script, [ScriptedFault::DropAfterCreate]);
    assert_eq!(server.faults(), current);

    let bad = http
        .put(&url)
        .json(&json!({"drop_rate": 3}))
        .send()
        .await
        .expect("put");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let (_, body) = body_json(bad).await;
    assert!(
        body["error"]
            .as_str()
            .expect("message")
            .contains("drop_rate")
    );
    let unknown = http
        .put(&url)
        .json(&json!({"dropp_rate": 1}))
        .send()
        .await
        .expect("put");
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);

    // Control requests neither count as API requests nor use up the script.
    assert_eq!(server.stats().api_requests, 0);
    assert_eq!(server.faults().script.len(), 1);
    server.shutdown().await;
}
