//! Compose output, snapshot-tested per provider and mode, plus the wire rules each adapter owns.

use serde_json::Value;
use shotdeck::core::compose::{PlaceholderImages, UNASSIGNED_TASK_ID, effective_model};
use shotdeck::core::cost::{default_prices, estimate};
use shotdeck::core::gateway_profile::{FormFields, Profiles, ShotDuration, ShotList};
use shotdeck::core::images::ImageReadError;
use shotdeck::core::{
    Board, ComposeError, FieldPath, ImageSource, Mode, Provider, Shot, ShotType, compose,
    compose_with,
};

fn noir() -> Board {
    Board {
        title: "Noir".into(),
        aspect_ratio: Some("16:9".into()),
        negative_prompt: "blurry".into(),
        sound: true,
        shots: vec![
            Shot::new("Wide: rain-soaked street.", 4),
            Shot::new("Medium: a detective lights a cigarette.", 5),
            Shot::new("Close-up: her eyes narrow.", 3),
        ],
        ..Board::default()
    }
}

fn single() -> Board {
    Board {
        multi_shot: false,
        prompt: "A lighthouse at dawn.".into(),
        duration: 10.0,
        quality: "pro".into(),
        ..Board::default()
    }
}

fn image() -> Board {
    Board {
        mode: Mode::Image,
        first_frame: Some("frames/first.png".into()),
        aspect_ratio: None,
        shots: vec![
            Shot::new("The street comes alive.", 3),
            Shot::new("A taxi passes.", 3),
        ],
        ..Board::default()
    }
}

fn image_single_with_tail() -> Board {
    Board {
        mode: Mode::Image,
        multi_shot: false,
        prompt: "Day turns to night.".into(),
        duration: 5.0,
        first_frame: Some("https://cdn.example.com/day.jpg".into()),
        last_frame: Some("night.jpg".into()),
        ..Board::default()
    }
}

fn reference() -> Board {
    Board {
        mode: Mode::Reference,
        aspect_ratio: Some("9:16".into()),
        references: vec![
            "detective.png".into(),
            "https://cdn.example.com/umbrella.png".into(),
        ],
        shots: vec![
            Shot::new("<<<image_1>>> holds <<<image_2>>>.", 4),
            Shot::new("Close on <<<image_2>>>.", 4),
        ],
        ..Board::default()
    }
}

/// Auto multi-shot: one prompt and a duration; the shots stay in the file but are not sent.
fn auto(mut board: Board) -> Board {
    board.shot_type = ShotType::Auto;
    board.prompt = "A chase through the rain, cut as the model sees fit.".into();
    board.duration = 10.0;
    board
}

fn four_k() -> Board {
    Board {
        quality: "4k".into(),
        ..single()
    }
}

/// References plus a first and last frame, single-shot (omni takes no frames with multi-shot).
fn reference_with_frames() -> Board {
    Board {
        multi_shot: false,
        prompt: "<<<image_1>>> opens <<<image_2>>>.".into(),
        duration: 5.0,
        first_frame: Some("frames/first.png".into()),
        last_frame: Some("https://cdn.example.com/last.png".into()),
        ..reference()
    }
}

fn omni_text() -> Board {
    Board {
        model: "kling-v3-omni".into(),
        ..noir()
    }
}

fn composed(board: &Board, provider: Provider) -> Value {
    serde_json::to_value(compose(board, provider, &PlaceholderImages, "shotdeck-test-1").unwrap())
        .unwrap()
}

#[test]
fn snapshots_per_provider_and_mode() {
    let boards = [
        ("text_multi", noir()),
        ("text_single", single()),
        ("image_multi", image()),
        ("image_single_tail", image_single_with_tail()),
        ("reference_multi", reference()),
        ("text_auto", auto(noir())),
        ("image_auto", auto(image())),
        (
            "reference_auto",
            auto(Board {
                prompt: "<<<image_1>>> holds <<<image_2>>>.".into(),
                ..reference()
            }),
        ),
        ("text_4k", four_k()),
        ("reference_single_frames", reference_with_frames()),
        ("omni_text_multi", omni_text()),
    ];
    for provider in Provider::ALL {
        for (name, board) in &boards {
            insta::assert_json_snapshot!(format!("{provider}_{name}"), composed(board, provider));
        }
    }
}

#[test]
fn kling_multi_shot_durations_are_strings_that_sum_to_the_duration() {
    let body = composed(&noir(), Provider::Kling)["body"].clone();
    assert_eq!(body["multi_shot"], true);
    assert_eq!(body["shot_type"], "customize");
    assert_eq!(body["prompt"], "");
    let shots = body["multi_prompt"].as_array().unwrap();
    let sum: i64 = shots
        .iter()
        .map(|s| s["duration"].as_str().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(body["duration"], Value::String(sum.to_string()));
    assert_eq!(shots[0]["index"], 1);
}

#[test]
fn kling_image2video_has_no_aspect_ratio_and_gateway_image_neither() {
    for p in Provider::ALL {
        let body = composed(&image(), p)["body"].clone();
        assert!(body.get("aspect_ratio").is_none(), "{p}");
        assert_eq!(body["image"], "<base64 of frames/first.png>");
    }
    assert_eq!(
        composed(&image(), Provider::Kling)["path"],
        "/v1/videos/image2video"
    );
}

#[test]
fn urls_are_sent_as_is_and_local_files_through_the_image_source() {
    struct Fake;
    impl ImageSource for Fake {
        fn local_image(&self, r: &str) -> Result<String, ImageReadError> {
            Ok(format!("B64({r})"))
        }
    }
    let req = compose(&image_single_with_tail(), Provider::Kling, &Fake, "k").unwrap();
    assert_eq!(req.body["image"], "https://cdn.example.com/day.jpg");
    assert_eq!(req.body["image_tail"], "B64(night.jpg)");
}

#[test]
fn an_unreadable_image_is_a_compose_error_naming_the_field() {
    struct Broken;
    impl ImageSource for Broken {
        fn local_image(&self, r: &str) -> Result<String, ImageReadError> {
            Err(ImageReadError {
                path: r.into(),
                reason: "permission denied".into(),
            })
        }
    }
    let err = compose(&reference(), Provider::Kling, &Broken, "k").unwrap_err();
    let ComposeError::Image { path, .. } = &err;
    assert_eq!(*path, FieldPath::Reference(0));
    assert!(
        err.to_string()
            .starts_with("references[0]: cannot embed image detective.png"),
        "{err}"
    );
}

#[test]
fn kling_reference_boards_use_the_omni_model_and_endpoint() {
    let req = composed(&reference(), Provider::Kling);
    assert_eq!(req["path"], "/v1/videos/omni-video");
    assert_eq!(req["body"]["model_name"], "kling-v3-omni");
    // new-api's Kling adaptor picks omni-video by the model's name.
    assert_eq!(
        effective_model(&reference(), Provider::Gateway),
        "kling-v3-omni"
    );
}

#[test]
fn a_shot_list_is_never_sent_as_one_joined_prompt() {
    let mut relay_whole = Profiles::default();
    relay_whole.kling_relay.body_whole = true;
    for p in [Provider::Gateway, Provider::KlingRelay] {
        let req = compose_with(&noir(), p, &relay_whole, &PlaceholderImages, "k").unwrap();
        let prompt = req.body["prompt"].as_str().unwrap();
        // new-api refuses an empty prompt; the board's title stands there, never the shots.
        assert_eq!(prompt, noir().title, "{p}");
        assert!(!prompt.contains("rain-soaked"), "{p}: {prompt}");
        assert_eq!(req.body["multi_prompt"].as_array().unwrap().len(), 3, "{p}");
    }
    let mut untitled = noir();
    untitled.title = " ".into();
    let body = composed(&untitled, Provider::Gateway)["body"].clone();
    assert_eq!(body["prompt"], "storyboard");
    assert_eq!(
        composed(&single(), Provider::Gateway)["body"]["prompt"],
        single().prompt
    );
}

#[test]
fn the_gateway_form_is_flat_and_stock_new_api_gets_only_its_declared_keys() {
    let form = composed(&noir(), Provider::Gateway)["body"].clone();
    assert!(form.get("metadata").is_none(), "nothing duplicated: {form}");
    assert_eq!(form["multi_shot"], true);
    assert_eq!(form["shot_type"], "customize");
    assert_eq!(form["multi_prompt"][0]["duration"], "4");
    assert_eq!(form["multi_prompt"][0]["index"], 1);
    assert_eq!(form["watermark_enabled"], false);
    assert_eq!(form["duration"], 12, "the generic duration is a number");
    // Stock new-api: Kling's fields in metadata, only keys its request struct declares.
    let stock = composed(&single(), Provider::NewApi)["body"].clone();
    let meta = stock["metadata"].as_object().unwrap();
    let declared = [
        "negative_prompt",
        "cfg_scale",
        "aspect_ratio",
        "sound",
        "image_tail",
        "watermark_info",
        "external_task_id",
    ];
    assert!(
        meta.keys().all(|k| declared.contains(&k.as_str())),
        "{meta:?}"
    );
    assert!(stock.get("multi_shot").is_none() && stock.get("external_task_id").is_none());
    // A fork that declares the shot list, described in [profiles.newapi].
    let mut fork = Profiles::default();
    fork.newapi.shot_list = ShotList::Metadata;
    fork.newapi.shot_duration = ShotDuration::Number;
    let req = compose_with(&noir(), Provider::NewApi, &fork, &PlaceholderImages, "k").unwrap();
    assert_eq!(req.body["metadata"]["multi_prompt"][0]["duration"], 4);
    assert_eq!(req.body["metadata"]["multi_shot"], true);
    assert!(req.body.get("multi_prompt").is_none());
    let mut both = Profiles::default();
    both.gateway.form_fields = FormFields::Both;
    let req = compose_with(&single(), Provider::Gateway, &both, &PlaceholderImages, "k").unwrap();
    assert_eq!(req.body["cfg_scale"], req.body["metadata"]["cfg_scale"]);
}

#[test]
fn the_relay_sends_klings_body_under_its_prefix() {
    let req = composed(&reference(), Provider::KlingRelay);
    assert_eq!(req["path"], "/kling/v1/videos/omni-video");
    assert_eq!(req["body"]["model_name"], "kling-v3-omni");
    let mut profiles = Profiles::default();
    profiles.kling_relay.prefix = "/api/kling/".into();
    let req = compose_with(
        &single(),
        Provider::KlingRelay,
        &profiles,
        &PlaceholderImages,
        "k",
    );
    assert_eq!(req.unwrap().path, "/api/kling/v1/videos/text2video");
}

#[test]
fn every_request_carries_the_idempotency_key_and_an_explicit_mode() {
    for p in Provider::ALL {
        let req = compose(&noir(), p, &PlaceholderImages, UNASSIGNED_TASK_ID).unwrap();
        let key = match p {
            Provider::NewApi => &req.body["metadata"]["external_task_id"],
            _ => &req.body["external_task_id"],
        };
        assert_eq!(key, UNASSIGNED_TASK_ID, "{p}");
        assert_eq!(req.body["mode"], "std");
    }
}

#[test]
fn cost_is_seconds_times_the_rate_for_quality_and_sound() {
    let prices = default_prices();
    let e = estimate(&noir(), Provider::Kling, &prices).unwrap();
    assert_eq!(e.seconds, 12.0);
    assert!((e.usd - 12.0 * 0.126).abs() < 1e-9, "std with audio");
    let e = estimate(&single(), Provider::Gateway, &prices).unwrap();
    assert!((e.usd - 10.0 * 0.112).abs() < 1e-9, "pro silent");
    let e = estimate(&reference(), Provider::Kling, &prices).unwrap();
    assert_eq!(e.model, "kling-v3-omni");
    let mut odd = noir();
    odd.quality = "ultra".into();
    assert!(estimate(&odd, Provider::Kling, &prices).is_none());
}

#[test]
fn auto_sends_intelligence_with_the_one_prompt_and_no_shot_list() {
    let body = composed(&auto(noir()), Provider::Kling)["body"].clone();
    assert_eq!(body["multi_shot"], true);
    assert_eq!(body["shot_type"], "intelligence");
    assert_eq!(body["prompt"], auto(noir()).prompt);
    assert_eq!(body["duration"], "10");
    assert!(body.get("multi_prompt").is_none());
}

#[test]
fn omni_video_gets_no_cfg_scale_or_negative_prompt_and_text_on_omni_goes_there() {
    let req = composed(&omni_text(), Provider::Kling);
    assert_eq!(req["path"], "/v1/videos/omni-video");
    assert_eq!(req["body"]["model_name"], "kling-v3-omni");
    assert!(req["body"].get("cfg_scale").is_none());
    assert!(req["body"].get("negative_prompt").is_none());
    assert!(
        req["body"].get("image_list").is_none(),
        "no images: no list"
    );
    // text2video takes both.
    let text = composed(&noir(), Provider::Kling)["body"].clone();
    assert_eq!(text["negative_prompt"], "blurry");
    assert_eq!(text["cfg_scale"], 0.5);
}

#[test]
fn frames_follow_the_references_typed_so_image_n_keeps_its_number() {
    let list = composed(&reference_with_frames(), Provider::Kling)["body"]["image_list"].clone();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[0]["image_url"], "<base64 of detective.png>");
    assert!(list[0].get("type").is_none() && list[1].get("type").is_none());
    assert_eq!(list[1]["image_url"], "https://cdn.example.com/umbrella.png");
    assert_eq!(list[2]["type"], "first_frame");
    assert_eq!(list[3]["type"], "end_frame");
    assert_eq!(list[3]["image_url"], "https://cdn.example.com/last.png");
}

#[test]
fn four_k_is_priced_from_the_table() {
    let prices = default_prices();
    let e = estimate(&four_k(), Provider::Kling, &prices).unwrap();
    assert!((e.usd - 10.0 * 0.42).abs() < 1e-9);
    assert_eq!(composed(&four_k(), Provider::Kling)["body"]["mode"], "4k");
    let auto_cost = estimate(&auto(noir()), Provider::Kling, &prices).unwrap();
    assert_eq!(
        auto_cost.seconds, 10.0,
        "auto costs its own duration, not the shots"
    );
}
