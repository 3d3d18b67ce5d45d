//! kling-v3-omni on Kling's v2 design (`[profiles.kling] route = "v2"`), sent to
//! `kling_docs_mock::v2`, whose omni-video checks quote Kling's own page
//! (`kling_docs_mock/v2_omni.rs`): every board goes to `POST /omni-video/kling-3.0-omni`;
//! reference images and elements ride in `contents` with the ids the prompt names them by
//! (`@image_1`, `@element_1`); frames go as `first_frame` / `last_frame`; the aspect ratio
//! only without a first frame; and what the page limits is refused before any send.

use shotdeck::core::elements::ElementRef;
use shotdeck::core::gateway_profile::Profiles;
use shotdeck::core::kling_v2::RoutePref;
use shotdeck::core::{Board, Mode, PlaceholderImages, Provider, compose, compose_with};
use shotdeck::providers::TaskState;

use super::kling_docs_mock::v2::V2Mock;

const KEY: &str = "v2-omni-api-key";

fn v2() -> Profiles {
    let mut p = Profiles::default();
    p.kling.route = RoutePref::V2;
    p
}

fn omni(mode: Mode) -> Board {
    Board {
        model: "kling-v3-omni".into(),
        mode,
        multi_shot: false,
        duration: 5.0,
        elements: vec![ElementRef::new("100001", "Detective")],
        ..Board::default()
    }
}

#[tokio::test]
async fn a_reference_board_sends_its_images_and_elements_named_by_id() {
    let mock = V2Mock::start(KEY).await;
    let c = super::v2::client(&mock, &[("KLING_API_KEY", KEY)]);
    let board = Board {
        references: vec!["https://x.test/a.png".into(), "https://x.test/b.png".into()],
        prompt: "<<<element_1>>> holds <<<image_2>>> beside <<<image_1>>>.".into(),
        ..omni(Mode::Reference)
    };
    let f = shotdeck::core::validate_for(&board, Provider::Kling, &v2(), &Default::default());
    assert!(shotdeck::core::is_submittable(&f), "{f:?}");
    // Legacy unless the profile asks: the table's default stays.
    let legacy = compose(&board, Provider::Kling, &PlaceholderImages, "o").unwrap();
    assert_eq!(legacy.path, "/v1/videos/omni-video");
    let req = compose_with(&board, Provider::Kling, &v2(), &PlaceholderImages, "o").unwrap();
    assert_eq!(req.path, "/omni-video/kling-3.0-omni");
    let contents = req.body["contents"].as_array().unwrap();
    assert_eq!(contents[0]["type"], "prompt");
    assert_eq!(
        contents[0]["text"],
        "@element_1 holds @image_2 beside @image_1."
    );
    let typed: Vec<(&str, &str)> = contents[1..]
        .iter()
        .map(|i| (i["type"].as_str().unwrap(), i["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        typed,
        [
            ("refer_image", "image_1"),
            ("refer_image", "image_2"),
            ("element", "element_1")
        ]
    );
    assert_eq!(
        contents[3]["element_id"], "100001",
        "a string, as the page's example"
    );
    let settings = &req.body["settings"];
    assert_eq!(
        settings["multi_shot"], false,
        "never left to the default (true)"
    );
    assert!(
        settings["aspect_ratio"].is_string(),
        "no first frame: required"
    );
    assert_eq!(req.body["options"]["external_task_id"], "o");
    for legacy_field in ["model_name", "image_list", "element_list", "prompt", "mode"] {
        assert!(
            req.body.get(legacy_field).is_none(),
            "{legacy_field}: {}",
            req.body
        );
    }
    let task = c.submit(&req, "o").await.unwrap();
    assert_eq!(task.state, TaskState::Submitted, "the mock accepted it");
    let done = {
        c.query(&req.path, &task.task_id).await.unwrap();
        c.query(&req.path, &task.task_id).await.unwrap()
    };
    assert_eq!(done.state, TaskState::Succeeded);
}

#[tokio::test]
async fn an_image_board_sends_its_frames_and_no_aspect_ratio() {
    let mock = V2Mock::start(KEY).await;
    let c = super::v2::client(&mock, &[("KLING_API_KEY", KEY)]);
    let board = Board {
        first_frame: Some("https://x.test/first.png".into()),
        last_frame: Some("https://x.test/last.png".into()),
        prompt: "<<<element_1>>> turns to the window.".into(),
        ..omni(Mode::Image)
    };
    let f = shotdeck::core::validate_for(&board, Provider::Kling, &v2(), &Default::default());
    assert!(shotdeck::core::is_submittable(&f), "{f:?}");
    let req = compose_with(&board, Provider::Kling, &v2(), &PlaceholderImages, "i").unwrap();
    assert_eq!(req.path, "/omni-video/kling-3.0-omni");
    let types: Vec<&str> = req.body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["prompt", "first_frame", "last_frame", "element"]);
    assert!(
        req.body["settings"].get("aspect_ratio").is_none(),
        "{}",
        req.body
    );
    c.submit(&req, "i").await.unwrap();
    assert_eq!(mock.task_count(), 1);
}

#[tokio::test]
async fn a_text_board_with_a_custom_shot_list_writes_it_in_the_prompt() {
    let mock = V2Mock::start(KEY).await;
    let c = super::v2::client(&mock, &[("KLING_API_KEY", KEY)]);
    let board = Board {
        multi_shot: true,
        shots: vec![
            shotdeck::core::Shot::new("Wide: <<<element_1>>> crosses the street", 3),
            shotdeck::core::Shot::new("Close: <<<element_1>>> looks up", 2),
        ],
        ..omni(Mode::Text)
    };
    let req = compose_with(&board, Provider::Kling, &v2(), &PlaceholderImages, "t").unwrap();
    assert_eq!(
        req.body["contents"][0]["text"],
        "Shot 1, 3, Wide: @element_1 crosses the street; Shot 2, 2, Close: @element_1 looks up;"
    );
    assert_eq!(req.body["settings"]["multi_shot"], true);
    c.submit(&req, "t").await.unwrap();
}

#[tokio::test]
async fn what_the_page_limits_is_refused_before_any_send() {
    // "When using the first frame …, a maximum of 3 element are supported."
    let board = Board {
        first_frame: Some("https://x.test/first.png".into()),
        prompt: "Four of them.".into(),
        elements: (1..=4)
            .map(|n| ElementRef::new(format!("10000{n}"), ""))
            .collect(),
        ..omni(Mode::Image)
    };
    let f = shotdeck::core::validate_for(&board, Provider::Kling, &v2(), &Default::default());
    assert!(!shotdeck::core::is_submittable(&f), "{f:?}");
    assert!(f.iter().any(|f| f.message.contains("at most 3")), "{f:?}");
    // On legacy the same board is refused too: the limit is omni-video's, whatever the
    // route (Tencent Cloud's copy of the omni fields: "当使用首帧生成视频时，最多支持3个主体").
    let f = shotdeck::core::validate_for(
        &board,
        Provider::Kling,
        &Profiles::default(),
        &Default::default(),
    );
    assert!(!shotdeck::core::is_submittable(&f), "{f:?}");
    assert!(f.iter().any(|f| f.message.contains("at most 3")), "{f:?}");
    // The mock refuses what shotdeck would not send: a name no item carries.
    let mock = V2Mock::start(KEY).await;
    let c = super::v2::client(&mock, &[("KLING_API_KEY", KEY)]);
    let ok = Board {
        prompt: "<<<element_1>>> waits.".into(),
        ..omni(Mode::Text)
    };
    let mut req = compose_with(&ok, Provider::Kling, &v2(), &PlaceholderImages, "x").unwrap();
    req.body["contents"][0]["text"] = "@element_2 waits.".into();
    assert!(
        c.submit(&req, "x").await.is_err(),
        "the mock checks the names"
    );
    assert_eq!(mock.task_count(), 0);
}
