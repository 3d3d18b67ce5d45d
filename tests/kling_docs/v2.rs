//! Kling's v2 request design through reqwest to `kling_docs_mock::v2` (written from the
//! sources it quotes): create, poll, the batch lookup, a task failed with code 0, 4K as
//! `settings.resolution`, Kling 3.0 Turbo, the API key as the only credential, a refused
//! create never retried, and the route override from `[profiles.kling]`.

use std::path::PathBuf;
use std::time::Duration;

use shotdeck::core::gateway_profile::Profiles;
use shotdeck::core::kling_v2::RoutePref;
use shotdeck::core::{Board, Mode, PlaceholderImages, Provider, Shot, compose, compose_with};
use shotdeck::providers::{Client, ProviderError, ProviderSettings, TaskState};

use super::kling_docs_mock::v2::V2Mock;

const KEY: &str = "v2-docs-api-key";

pub(super) fn client(mock: &V2Mock, vars: &[(&'static str, &'static str)]) -> Client {
    client_timing_out(mock, vars, Duration::from_secs(5))
}

/// A client whose requests give up after `timeout`.
pub(super) fn client_timing_out(
    mock: &V2Mock,
    vars: &[(&'static str, &'static str)],
    timeout: Duration,
) -> Client {
    let vars = vars.to_vec();
    let env = move |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let settings = ProviderSettings {
        kling_base: Some(mock.base.clone()),
        request_timeout: timeout,
        ..ProviderSettings::default()
    };
    Client::from_sources(
        Provider::Kling,
        &settings,
        &env,
        &PathBuf::from("/nowhere/c.toml"),
    )
    .unwrap()
}

fn keyed(mock: &V2Mock) -> Client {
    client(mock, &[("KLING_API_KEY", KEY)])
}

fn v2() -> Profiles {
    let mut p = Profiles::default();
    p.kling.route = RoutePref::V2;
    p
}

fn board(model: &str) -> Board {
    Board {
        model: model.into(),
        multi_shot: false,
        prompt: "A lighthouse at dusk.".into(),
        duration: 5.0,
        ..Board::default()
    }
}

#[tokio::test]
async fn turbo_goes_v2_by_default_and_is_created_polled_and_looked_up() {
    let mock = V2Mock::start(KEY).await;
    let c = keyed(&mock);
    let req = compose(
        &board("kling-v3-turbo"),
        Provider::Kling,
        &PlaceholderImages,
        "ext-1",
    )
    .unwrap();
    assert_eq!(req.path, "/text-to-video/kling-3.0-turbo");
    assert_eq!(req.body["settings"]["resolution"], "720p");
    assert!(req.body.get("model_name").is_none(), "{}", req.body);
    let task = c.submit(&req, "ext-1").await.unwrap();
    assert_eq!(task.state, TaskState::Submitted);
    let hit = &mock.hits()[0];
    assert_eq!(hit.authorization.as_deref(), Some("Bearer v2-docs-api-key"));
    assert_eq!(
        hit.body.as_ref().unwrap()["options"]["external_task_id"],
        "ext-1"
    );

    let first = c.query(&req.path, &task.task_id).await.unwrap();
    assert_eq!(first.state, TaskState::Processing);
    let done = c.query(&req.path, &task.task_id).await.unwrap();
    assert_eq!(done.state, TaskState::Succeeded);
    assert!(done.videos[0].url.ends_with(".mp4"), "{done:?}");
    let lookups: Vec<_> = mock
        .hits()
        .into_iter()
        .filter(|h| h.path == "/tasks")
        .collect();
    assert_eq!(
        lookups[0].query.as_deref(),
        Some(format!("task_ids={}", task.task_id).as_str())
    );
}

#[tokio::test]
async fn one_lookup_answers_many_tasks() {
    let mock = V2Mock::start(KEY).await;
    let c = keyed(&mock);
    let Client::Kling(kling) = &c else {
        panic!("the official provider");
    };
    let mut ids = Vec::new();
    for n in 0..3 {
        let ext = format!("batch-{n}");
        let req = compose(
            &board("kling-v3-turbo"),
            Provider::Kling,
            &PlaceholderImages,
            &ext,
        )
        .unwrap();
        ids.push(c.submit(&req, &ext).await.unwrap().task_id);
    }
    let asked: Vec<&str> = ids.iter().map(String::as_str).collect();
    let tasks = kling.lookup_tasks(&asked).await.unwrap();
    assert_eq!(tasks.len(), 3);
    assert!(tasks.iter().all(|t| t.state == TaskState::Processing));
    let lookups = mock
        .hits()
        .into_iter()
        .filter(|h| h.path == "/tasks")
        .count();
    assert_eq!(lookups, 1, "three tasks, one request");
}

#[tokio::test]
async fn a_task_failed_with_code_0_is_a_failed_task_with_its_reason() {
    let mock = V2Mock::start(KEY).await;
    let c = keyed(&mock);
    mock.fail_next_task();
    let req = compose(
        &board("kling-v3-turbo"),
        Provider::Kling,
        &PlaceholderImages,
        "f",
    )
    .unwrap();
    let task = c.submit(&req, "f").await.unwrap();
    let polled = c.query(&req.path, &task.task_id).await.unwrap();
    assert_eq!(polled.state, TaskState::Failed);
    assert_eq!(polled.status_msg.as_deref(), Some("content moderation"));
}

#[tokio::test]
async fn four_k_is_sent_as_settings_resolution_on_kling_3_0() {
    let mock = V2Mock::start(KEY).await;
    let c = keyed(&mock);
    let b = Board {
        quality: "4k".into(),
        ..board("kling-v3")
    };
    // Legacy by default: 4K is the legacy body's `mode`.
    let legacy = compose(&b, Provider::Kling, &PlaceholderImages, "k").unwrap();
    assert_eq!(legacy.body["mode"], "4k");
    let req = compose_with(&b, Provider::Kling, &v2(), &PlaceholderImages, "k").unwrap();
    assert_eq!(req.path, "/text-to-video/kling-3.0");
    assert_eq!(req.body["settings"]["resolution"], "4k");
    assert!(req.body.get("mode").is_none(), "{}", req.body);
    c.submit(&req, "k").await.unwrap();
    assert_eq!(mock.task_count(), 1);
    // Turbo offers no 4K: the rules refuse it before any send.
    let turbo = Board {
        quality: "4k".into(),
        ..board("kling-v3-turbo")
    };
    let f = shotdeck::core::validate(&turbo, Provider::Kling, &Default::default());
    assert!(!shotdeck::core::is_submittable(&f), "{f:?}");
}

#[tokio::test]
async fn a_multi_shot_image_board_sends_contents_and_the_shots_in_the_prompt() {
    let mock = V2Mock::start(KEY).await;
    let c = keyed(&mock);
    let b = Board {
        mode: Mode::Image,
        multi_shot: true,
        first_frame: Some("https://x.test/first.png".into()),
        shots: vec![Shot::new("The door opens", 4), Shot::new("She steps in", 3)],
        ..board("kling-v3")
    };
    let req = compose_with(&b, Provider::Kling, &v2(), &PlaceholderImages, "m").unwrap();
    assert_eq!(req.path, "/image-to-video/kling-3.0");
    let contents = req.body["contents"].as_array().unwrap();
    assert_eq!(contents[0]["type"], "prompt");
    assert_eq!(
        contents[0]["text"],
        "Shot 1, 4, The door opens; Shot 2, 3, She steps in;"
    );
    assert_eq!(contents[1]["type"], "first_frame");
    assert_eq!(req.body["settings"]["duration"], 7);
    assert_eq!(req.body["settings"]["multi_shot"], true);
    assert!(req.body["settings"].get("aspect_ratio").is_none());
    c.submit(&req, "m").await.unwrap();
}

#[tokio::test]
async fn the_v2_design_takes_the_api_key_only() {
    let mock = V2Mock::start(KEY).await;
    let pair = client(
        &mock,
        &[("KLING_ACCESS_KEY", "ak"), ("KLING_SECRET_KEY", "sk")],
    );
    let req = compose(
        &board("kling-v3-turbo"),
        Provider::Kling,
        &PlaceholderImages,
        "a",
    )
    .unwrap();
    let err = pair.submit(&req, "a").await.unwrap_err();
    assert!(matches!(err, ProviderError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("KLING_API_KEY"), "{err}");
    assert!(mock.hits().is_empty(), "nothing was sent");
    // With both kinds set, the key pair signs legacy calls and the key goes to v2.
    let both = client(
        &mock,
        &[
            ("KLING_ACCESS_KEY", "ak"),
            ("KLING_SECRET_KEY", "sk"),
            ("KLING_API_KEY", KEY),
        ],
    );
    both.submit(&req, "a").await.unwrap();
    let hits = mock.hits();
    assert_eq!(hits.len(), 1);
    assert!(!format!("{err:?}").contains(KEY));
}

#[tokio::test]
async fn a_balance_refusal_is_decided_by_the_body_code_and_not_looked_up() {
    let mock = V2Mock::start(KEY).await;
    let c = keyed(&mock);
    mock.refuse_next_create(429, 1102);
    let req = compose(
        &board("kling-v3-turbo"),
        Provider::Kling,
        &PlaceholderImages,
        "b",
    )
    .unwrap();
    let err = c.submit(&req, "b").await.unwrap_err();
    assert_eq!(err.code().as_deref(), Some("1102"), "{err:?}");
    assert!(!err.is_retryable(), "1100–1102 are never retried: {err:?}");
    assert!(!err.task_may_exist(), "{err:?}");
    assert_eq!(mock.hits().len(), 1, "no lookup, no second create");
    assert_eq!(mock.task_count(), 0);
}

#[tokio::test]
async fn a_route_the_model_lacks_is_refused_before_any_send() {
    let mut legacy = Profiles::default();
    legacy.kling.route = RoutePref::Legacy;
    let f = shotdeck::core::validate_for(
        &board("kling-v3-turbo"),
        Provider::Kling,
        &legacy,
        &Default::default(),
    );
    assert!(
        f.iter().any(|f| f.message.contains("no legacy route")
            && !shotdeck::core::is_submittable(std::slice::from_ref(f))),
        "{f:?}"
    );
    // Turbo has no omni-video: its reference boards are refused, naming the omni model.
    let omni = Board {
        mode: Mode::Reference,
        references: vec!["https://x.test/a.png".into()],
        ..board("kling-v3-turbo")
    };
    let f = shotdeck::core::validate_for(&omni, Provider::Kling, &v2(), &Default::default());
    assert!(
        f.iter().any(|f| f.message.contains("omni-video")
            && f.message.contains("kling-v3-omni")
            && !shotdeck::core::is_submittable(std::slice::from_ref(f))),
        "{f:?}"
    );
    let e = toml::from_str::<Profiles>("[kling]\nroute = \"v3\"\n").unwrap_err();
    assert!(
        e.to_string().contains("route") || e.to_string().contains("v3"),
        "{e}"
    );
}
