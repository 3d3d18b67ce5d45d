//! The new-api family gateway and its Kling relay over real HTTP.

use reqwest::StatusCode;
use serde_json::json;
use shotdeck::sim::Faults;

use crate::support::*;

#[tokio::test]
async fn gateway_modes_run_to_success() {
    let server = start(FAST).await;
    let gw = Gateway::new(&server);
    let mut image = gateway_text_body("gw-image");
    image["image"] = json!(png_base64(8, 8));
    image["metadata"]["image_tail"] = json!("https://img.test/end.jpg");
    let mut reference = gateway_text_body("gw-ref");
    reference["model"] = json!("kling-v3-omni");
    reference["prompt"] = json!("<<<image_1>>> dances");
    reference["metadata"]["image_list"] = json!([{"image_url": png_base64(8, 8)}]);
    let mut multi = gateway_text_body("gw-multi");
    multi["prompt"] = json!("a\nb");
    multi["duration"] = json!(7);
    multi["multi_shot"] = json!(true);
    multi["metadata"]["multi_shot"] = json!(true);
    multi["metadata"]["shot_type"] = json!("customize");
    multi["metadata"]["multi_prompt"] = json!([{"index": 1, "prompt": "a", "duration": "3"}, {"index": 2, "prompt": "b", "duration": "4"}]);
    for body in [gateway_text_body("gw-text"), image, reference, multi] {
        let (status, created) = gw.create(&body).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        assert_eq!(created["status"], "queued");
        let id = created["task_id"].as_str().expect("id");
        assert_eq!(created["id"], id);
        assert!(id.starts_with("gw_"));
        let done = gw.wait_for(id, "SUCCESS").await;
        assert!(
            done["result_url"].as_str().is_some_and(|u| u.contains(id)),
            "{done}"
        );
    }
    let stats = server.stats();
    assert_eq!(
        stats.creates_by_external_id["gw-multi"], 1,
        "key read from metadata"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn gateway_auth_and_validation_answer_as_new_api_does() {
    let server = start(60.0).await;
    let mut gw = Gateway::new(&server);
    let mut empty = gateway_text_body("gw-0");
    empty["prompt"] = json!("");
    let (status, err) = gw.create(&empty).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        err,
        json!({"code": "invalid_request", "message": "prompt is required", "data": null})
    );

    let mut bad = gateway_text_body("gw-2");
    bad["metadata"]["multi_shot"] = json!(true);
    bad["metadata"]["shot_type"] = json!("customize");
    bad["metadata"]["multi_prompt"] = json!([
        {"index": 1, "prompt": "a", "duration": "2"}, {"index": 2, "prompt": "b", "duration": "2"},
        {"index": 3, "prompt": "c".repeat(513), "duration": "1"}
    ]);
    let (status, err) = gw.create(&bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let message = err["message"].as_str().expect("message");
    assert!(
        message.contains("multi_prompt[2].prompt") && message.contains("512"),
        "{message}"
    );

    let (status, missing) = gw.get("/v1/video/generations/gw_nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(missing["code"], "task_not_exist");

    gw.key = "sk-wrong".into();
    let (status, denied) = gw.create(&gateway_text_body("gw-4")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(denied["error"]["type"], "new_api_error");
    server.shutdown().await;
}

#[tokio::test]
async fn gateway_failed_task_carries_its_reason() {
    let faults = Faults {
        task_failure_rate: 1.0,
        ..Faults::default()
    };
    let server = start_with(FAST, faults).await;
    let gw = Gateway::new(&server);
    let (_, created) = gw.create(&gateway_text_body("gw-fail")).await;
    let failed = gw
        .wait_for(created["task_id"].as_str().expect("id"), "FAILURE")
        .await;
    assert!(
        failed["fail_reason"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{failed}"
    );
    assert!(failed.get("result_url").is_none());
    server.shutdown().await;
}

#[tokio::test]
async fn the_relay_takes_klings_body_with_the_gateway_key() {
    let server = start(FAST).await;
    let mut gw = Gateway::new(&server);
    let (status, created) = gw.relay_create("text2video", &text_body("relay-1")).await;
    assert_eq!(
        (status, created["code"].as_i64()),
        (StatusCode::OK, Some(0)),
        "{created}"
    );
    let id = created["data"]["task_id"].as_str().expect("id").to_string();
    let (status, by_ext) = gw.get("/kling/v1/videos/text2video/relay-1").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no lookup by external id: {by_ext}"
    );
    poll_until(|| async {
        let (_, body) = gw.get(&format!("/kling/v1/videos/text2video/{id}")).await;
        (body["data"]["task_status"] == "succeed").then_some(())
    })
    .await;
    gw.key = "sk-wrong".into();
    let (status, _) = gw.relay_create("text2video", &text_body("relay-2")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.shutdown().await;
}

#[tokio::test]
async fn tasks_of_one_form_are_invisible_to_the_other() {
    let server = start(60.0).await;
    let (kling, gw) = (Kling::new(&server), Gateway::new(&server));
    let (_, created) = gw.create(&gateway_text_body("shared-ext")).await;
    let gw_id = created["task_id"].as_str().expect("id");
    let (status, _) = kling.query("text2video", gw_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = kling.create("text2video", &text_body("shared-ext")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "external ids are unique per account"
    );
    server.shutdown().await;
}
