//! The account's concurrency limit (`max_in_flight`): Kling counts a task from `submitted`
//! until it ends and answers a create past the limit with 429/1303, creating nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shotdeck::sim::SimStats;

use crate::support::*;

/// Long enough that the first two tasks are still running when the third create arrives.
const TASK_SECONDS: f64 = 2.0;

#[tokio::test]
async fn creates_past_the_limit_get_1303_until_a_task_ends() {
    let server = start(TASK_SECONDS).await;
    let http = client();
    let base = server.base_url();
    // The limit is a run-time knob like the other faults.
    let put = http
        .put(format!("{base}/__sim/faults"))
        .json(&json!({"max_in_flight": 2}))
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), StatusCode::OK);
    let (kling, gw) = (Kling::new(&server), Gateway::new(&server));

    let (_, first) = kling.create("text2video", &text_body("a")).await;
    let (status, _) = kling.create("text2video", &text_body("b")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = kling.create("text2video", &text_body("c")).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(1303))
    );
    assert_eq!(body["message"], "parallel task over resource pack limit");
    assert!(body["request_id"].is_string(), "{body}");
    // Nothing was created: the external id finds no task.
    assert_eq!(
        kling.query("text2video", "c").await.0,
        StatusCode::NOT_FOUND
    );

    // The gateway form passes Kling's body on inside new-api's task error.
    let (status, body) = gw.create(&gateway_text_body("g")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "fail_to_fetch_task");
    let upstream: Value =
        serde_json::from_str(body["message"].as_str().expect("message")).expect("Kling's body");
    assert_eq!(upstream["code"], 1303);

    let stats = read_stats(&base).await;
    assert_eq!(
        (
            stats.creates_accepted,
            stats.in_flight,
            stats.max_in_flight_seen
        ),
        (2, 2, 2)
    );

    // Once a task ends, its slot is free again.
    let first_id = first["data"]["task_id"].as_str().expect("task id");
    kling.wait_for("text2video", first_id, "succeed").await;
    let (status, _) = kling.create("text2video", &text_body("c")).await;
    assert_eq!(status, StatusCode::OK);
    let stats = read_stats(&base).await;
    assert_eq!((stats.creates_accepted, stats.max_in_flight_seen), (3, 2));
    assert_eq!(stats.creates_by_external_id["c"], 2);
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_limit_the_peak_is_still_reported() {
    let server = start(TASK_SECONDS).await;
    let kling = Kling::new(&server);
    for id in ["x", "y", "z"] {
        let (status, _) = kling.create("text2video", &text_body(id)).await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(server.faults().max_in_flight, None);
    let stats = read_stats(&server.base_url()).await;
    assert_eq!(stats.max_in_flight_seen, 3);
    server.shutdown().await;
}

async fn read_stats(base: &str) -> SimStats {
    client()
        .get(format!("{base}/__sim/stats"))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats parse")
}
