//! The official API over real HTTP: happy paths per kind, auth codes, idempotency keys,
//! lifecycle, counters, and starting/stopping the server.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shotdeck::sim::{Faults, SAMPLE_MP4, SimKeys};

use crate::support::*;

fn is_task_id(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 18 && s.bytes().all(|b| b.is_ascii_digit()))
}

#[tokio::test]
async fn kling_text_task_runs_to_a_downloadable_video() {
    let server = start(FAST).await;
    let kling = Kling::new(&server);
    let (status, body) = kling.create("text2video", &text_body("job-text")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["code"].as_i64(), body["message"].as_str()),
        (Some(0), Some("SUCCEED"))
    );
    assert!(body["request_id"].is_string());
    let data = &body["data"];
    assert!(is_task_id(&data["task_id"]), "{data}");
    assert_eq!(data["task_status"], "submitted");
    assert_eq!(data["task_info"]["external_task_id"], "job-text");
    assert!(
        data["created_at"]
            .as_u64()
            .is_some_and(|ms| ms > 1_600_000_000_000)
    );

    let task_id = data["task_id"].as_str().expect("id").to_string();
    let done = kling.wait_for("text2video", &task_id, "succeed").await;
    assert_eq!(done["task_status_msg"], "");
    assert_eq!(done["final_unit_deduction"], "5");
    let video = &done["task_result"]["videos"][0];
    assert_eq!(video["duration"], "5");
    let url = video["url"].as_str().expect("url");
    assert!(url.starts_with(&server.base_url()), "{url}");
    let bytes = client()
        .get(url)
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("body");
    assert_eq!(&bytes[..], SAMPLE_MP4);
    server.shutdown().await;
}

#[tokio::test]
async fn kling_image2video_multi_shot_with_a_base64_first_frame() {
    let server = start(FAST).await;
    let kling = Kling::new(&server);
    let png = png(320, 320);
    assert_eq!(
        imagesize::blob_size(&png).map(|s| (s.width, s.height)).ok(),
        Some((320, 320))
    );
    let body = json!({
        "model_name": "kling-v3", "multi_shot": true, "shot_type": "customize", "prompt": "",
        "multi_prompt": [
            {"index": 1, "prompt": "the door opens", "duration": "2"},
            {"index": 2, "prompt": "a cat walks in", "duration": "4"}
        ],
        "duration": "6", "mode": "pro", "sound": "on", "image": png_base64(320, 320),
        "watermark_info": {"enabled": true}, "external_task_id": "job-image"
    });
    let (status, created) = kling.create("image2video", &body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let done = kling.wait_for("image2video", "job-image", "succeed").await;
    assert_eq!(done["task_result"]["videos"][0]["duration"], "6");
    assert!(done["task_result"]["videos"][0]["watermark_url"].is_string());
    assert_eq!(
        done["final_unit_deduction"], "12",
        "6 s × pro 4/3 × sound 3/2"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn kling_omni_video_with_references() {
    let server = start(FAST).await;
    let kling = Kling::new(&server);
    let body = json!({
        "model_name": "kling-v3-omni", "prompt": "<<<image_1>>> hands <<<image_2>>> a letter",
        "image_list": [{"image_url": "https://img.test/a.png"}, {"image_url": png_base64(4, 4)}],
        "duration": "3", "mode": "std", "aspect_ratio": "9:16", "external_task_id": "job-omni"
    });
    let (status, created) = kling.create("omni-video", &body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["data"]["task_id"].as_str().expect("id");
    let done = kling.wait_for("omni-video", id, "succeed").await;
    assert_eq!(done["task_info"]["external_task_id"], "job-omni");
    server.shutdown().await;
}

#[tokio::test]
async fn kling_queries_by_external_id_list_and_kind() {
    let server = start(60.0).await;
    let kling = Kling::new(&server);
    let (_, first) = kling.create("text2video", &text_body("ext-1")).await;
    let (_, second) = kling.create("text2video", &text_body("ext-2")).await;
    let first_id = first["data"]["task_id"].as_str().expect("id");

    let (status, by_ext) = kling.query("text2video", "ext-1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_ext["data"]["task_id"], first_id);
    assert_eq!(by_ext["data"]["task_status"], "submitted");
    assert!(
        by_ext["data"].get("task_result").is_none(),
        "no result before the end"
    );

    let (status, wrong_kind) = kling.query("image2video", first_id).await;
    assert_eq!(
        (status, wrong_kind["code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(1203))
    );
    let (status, unknown) = kling.query("text2video", "123456789012345678").await;
    assert_eq!(
        (status, unknown["code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(1203))
    );

    let (status, list) = kling
        .get("/v1/videos/text2video?pageNum=1&pageSize=30")
        .await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&Value> = list["data"]
        .as_array()
        .expect("list")
        .iter()
        .map(|t| &t["task_id"])
        .collect();
    assert_eq!(
        ids,
        [&second["data"]["task_id"], &first["data"]["task_id"]],
        "newest first"
    );
    let (_, page2) = kling
        .get("/v1/videos/text2video?pageNum=2&pageSize=1")
        .await;
    assert_eq!(page2["data"][0]["task_id"], first_id);
    let (status, too_big) = kling.get("/v1/videos/text2video?pageSize=501").await;
    assert_eq!(
        (status, too_big["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(1201))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn kling_refuses_bad_tokens_with_their_codes() {
    let server = start(FAST).await;
    let mut kling = Kling::new(&server);
    let keys = SimKeys::demo();
    let cases = [
        (jwt_with(&keys.access_key, "wrong-secret", 1800, -5), 1002),
        (jwt_with("someone-else", &keys.secret_key, 1800, -5), 1002),
        (
            jwt_with(&keys.access_key, &keys.secret_key, -60, -120),
            1004,
        ),
        (
            jwt_with(&keys.access_key, &keys.secret_key, 1800, 120),
            1003,
        ),
        ("not-a-jwt".to_string(), 1002),
    ];
    for (token, code) in cases {
        kling.token = token;
        let (status, body) = kling.create("text2video", &text_body("")).await;
        assert_eq!(
            (status, body["code"].as_i64()),
            (StatusCode::UNAUTHORIZED, Some(code)),
            "{body}"
        );
        assert!(body["request_id"].is_string());
    }
    let response = client()
        .post(format!("{}/v1/videos/text2video", server.base_url()))
        .json(&text_body(""))
        .send()
        .await
        .expect("request completes");
    let (status, body) = body_json(response).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (StatusCode::UNAUTHORIZED, Some(1001))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn kling_external_task_id_is_unique_and_counted() {
    let server = start(FAST).await;
    let kling = Kling::new(&server);
    let (status, _) = kling.create("text2video", &text_body("once")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = kling
        .create(
            "omni-video",
            &json!({"model_name": "kling-v3-omni", "prompt": "x",
        "image_list": [{"image_url": "https://img.test/a.png"}], "external_task_id": "once"}),
        )
        .await;
    assert_eq!(
        (status, again["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(1201))
    );
    assert!(
        again["message"]
            .as_str()
            .expect("message")
            .contains("external_task_id already exists")
    );
    let stats = server.stats();
    assert_eq!(stats.creates_accepted, 1);
    assert_eq!(stats.creates_by_external_id["once"], 2);
    server.shutdown().await;
}

#[tokio::test]
async fn a_failed_task_still_answers_code_zero() {
    let faults = Faults {
        task_failure_rate: 1.0,
        ..Faults::default()
    };
    let server = start_with(FAST, faults).await;
    let kling = Kling::new(&server);
    let (_, created) = kling.create("text2video", &text_body("doomed")).await;
    assert_eq!(created["code"], 0);
    let failed = kling.wait_for("text2video", "doomed", "failed").await;
    assert!(
        !failed["task_status_msg"].as_str().unwrap_or("").is_empty(),
        "{failed}"
    );
    assert_eq!(failed["task_result"], json!({}));
    let (status, body) = kling.query("text2video", "doomed").await;
    assert_eq!(
        (status, body["code"].as_i64(), body["message"].as_str()),
        (StatusCode::OK, Some(0), Some("SUCCEED"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn stats_count_queries_per_task() {
    let server = start(60.0).await;
    let kling = Kling::new(&server);
    let (_, created) = kling.create("text2video", &text_body("counted")).await;
    let id = created["data"]["task_id"].as_str().expect("id");
    for _ in 0..3 {
        kling.query("text2video", id).await;
    }
    kling.query("text2video", "counted").await;
    let (_, one) = kling.query("text2video", id).await;
    let (_, list) = kling
        .get("/v1/videos/text2video?pageNum=1&pageSize=500")
        .await;
    assert_eq!(
        list["data"][0], one["data"],
        "a listed task reads as its query"
    );
    let stats = server.stats();
    assert_eq!(
        stats.queries_by_task[id], 5,
        "a query by external id counts for its task"
    );
    assert_eq!(stats.query_times_ms[id].len(), 5);
    assert!(stats.query_times_ms[id].is_sorted());
    assert_eq!(stats.list_requests, 1, "a list counts as no query");
    assert_eq!(stats.list_times_ms.len(), 1);
    assert_eq!(stats.api_requests, 7);
    let over_http: shotdeck::sim::SimStats = client()
        .get(format!("{}/__sim/stats", server.base_url()))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats JSON");
    assert_eq!(over_http, stats);
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let server = start(FAST).await;
    let url = format!("{}/__sim/stats", server.base_url());
    assert!(client().get(&url).send().await.is_ok());
    server.shutdown().await;
    assert!(
        client().get(&url).send().await.is_err(),
        "nothing listens any more"
    );
}

#[tokio::test]
async fn start_refuses_a_bad_configuration() {
    let config = shotdeck::sim::SimConfig {
        task_seconds: f64::NAN,
        ..Default::default()
    };
    let addr = "127.0.0.1:0".parse().expect("address");
    let err = shotdeck::sim::SimServer::start(config, addr)
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("task_seconds"), "{err}");
}
