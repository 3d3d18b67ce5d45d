//! The Bearer-key gateway over real HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shotdeck::sim::Faults;

use crate::support::*;

#[tokio::test]
async fn gateway_modes_run_to_succeeded() {
    let server = start(FAST).await;
    let gw = Gateway::new(&server);
    let mut image = gateway_text_body("gw-image");
    image["generation_mode"] = json!("image");
    image["image"] = json!(png_base64(8, 8));
    image["image_tail"] = json!("https://img.test/end.jpg");
    let mut reference = gateway_text_body("gw-ref");
    reference["generation_mode"] = json!("reference");
    reference["model"] = json!("kling-v3-omni");
    reference["prompt"] = json!("<<<image_1>>> dances");
    reference["reference_images"] = json!([png_base64(8, 8)]);
    let mut multi = gateway_text_body("gw-multi");
    multi["multi_shot"] = json!(true);
    multi["prompt"] = Value::Null;
    multi["duration"] = json!(7);
    multi["multi_prompt"] = json!([{"index": 1, "prompt": "a", "duration": 3}, {"index": 2, "prompt": "b", "duration": 4}]);
    for body in [gateway_text_body("gw-text"), image, reference, multi] {
        let (status, created) = gw.create(&body).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        assert_eq!(created["status"], "queued");
        assert_eq!(created["external_task_id"], body["external_task_id"]);
        let id = created["task_id"].as_str().expect("id");
        assert!(id.starts_with("gw_"));
        let done = gw.wait_for(id, "succeeded").await;
        assert_eq!(done["videos"][0]["duration"], body["duration"]);
        assert_eq!(done["video_url"], done["videos"][0]["url"]);
        assert!(done.get("error").is_none());
    }
    server.shutdown().await;
}

#[tokio::test]
async fn gateway_auth_validation_and_lookup() {
    let server = start(60.0).await;
    let mut gw = Gateway::new(&server);
    let (status, created) = gw.create(&gateway_text_body("gw-1")).await;
    assert_eq!(status, StatusCode::OK);
    let found = gw.lookup("gw-1").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["task_id"], created["task_id"]);
    assert!(gw.lookup("never-sent").await.is_empty());
    assert_eq!(server.stats().lookups_by_external_id["gw-1"], 1);

    let (status, dup) = gw.create(&gateway_text_body("gw-1")).await;
    assert_eq!(
        (status, dup["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_external_task_id"))
    );

    let mut bad = gateway_text_body("gw-2");
    bad["multi_shot"] = json!(true);
    bad["multi_prompt"] = json!([
        {"index": 1, "prompt": "a", "duration": 2}, {"index": 2, "prompt": "b", "duration": 2},
        {"index": 3, "prompt": "c".repeat(513), "duration": 1}
    ]);
    let (status, err) = gw.create(&bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["type"], "invalid_request_error");
    assert_eq!(err["error"]["code"], "invalid_parameter");
    assert_eq!(err["error"]["param"], "multi_prompt[2].prompt");
    assert!(
        err["error"]["message"]
            .as_str()
            .expect("message")
            .contains("512")
    );
    let mut string_duration = gateway_text_body("gw-3");
    string_duration["duration"] = json!("5");
    let (_, err) = gw.create(&string_duration).await;
    assert_eq!(err["error"]["param"], "duration");

    let (status, missing) = gw.get("/v1/videos/generations/gw_nope").await;
    assert_eq!(
        (status, missing["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("task_not_found"))
    );

    gw.key = "sk-wrong".into();
    let (status, denied) = gw.create(&gateway_text_body("gw-4")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        denied,
        json!({"error": {"message": "invalid api key", "type": "authentication_error", "param": null, "code": "invalid_api_key"}})
    );
    server.shutdown().await;
}

#[tokio::test]
async fn gateway_failed_task_carries_an_error_object() {
    let faults = Faults {
        task_failure_rate: 1.0,
        ..Faults::default()
    };
    let server = start_with(FAST, faults).await;
    let gw = Gateway::new(&server);
    let (_, created) = gw.create(&gateway_text_body("gw-fail")).await;
    let failed = gw
        .wait_for(created["task_id"].as_str().expect("id"), "failed")
        .await;
    let error = &failed["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{failed}"
    );
    assert!(error["code"].is_string() && error["type"].is_string());
    assert!(failed.get("video_url").is_none());
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
