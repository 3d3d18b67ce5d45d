//! Kling's v2 design on the simulator, through shotdeck's own client: a Kling 3.0 Turbo
//! board is created at `/text-to-video/kling-3.0-turbo` with the API key, looked up with
//! `GET /tasks?task_ids=` until it succeeds, and a JWT is refused there.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use shotdeck::core::{Board, PlaceholderImages, Provider, compose};
use shotdeck::providers::{Client, ProviderSettings, TaskState};
use shotdeck::sim::SimKeys;

use crate::support::*;

#[tokio::test]
async fn a_turbo_board_runs_to_success_on_the_v2_design() {
    let server = start(FAST).await;
    let key = SimKeys::demo().api_key;
    let env = move |name: &str| (name == "KLING_API_KEY").then(|| key.clone());
    let settings = ProviderSettings {
        kling_base: Some(server.base_url()),
        request_timeout: Duration::from_secs(5),
        ..ProviderSettings::default()
    };
    let c = Client::from_sources(
        Provider::Kling,
        &settings,
        &env,
        &PathBuf::from("/nowhere/c.toml"),
    )
    .expect("client");
    let board = Board {
        model: "kling-v3-turbo".into(),
        multi_shot: false,
        prompt: "Rain on a tin roof.".into(),
        duration: 5.0,
        ..Board::default()
    };
    let req = compose(&board, Provider::Kling, &PlaceholderImages, "sim-v2-1").expect("compose");
    assert_eq!(req.path, "/text-to-video/kling-3.0-turbo");
    let task = c.submit(&req, "sim-v2-1").await.expect("created");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let t = c.query(&req.path, &task.task_id).await.expect("looked up");
        if t.state == TaskState::Succeeded {
            assert_eq!(t.videos.len(), 1, "{t:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {t:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The v2 design takes the API key only: a signed JWT is refused.
    let (status, body) = body_json(
        client()
            .post(format!(
                "{}/text-to-video/kling-3.0-turbo",
                server.base_url()
            ))
            .bearer_auth(jwt())
            .json(&json!({"prompt": "x"}))
            .send()
            .await
            .expect("answer"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], 1002);
}
