//! Rules that read the model table: the model itself, shot types, 4k, fields an endpoint
//! does not take, frames per endpoint, and a table with one more row.

use serde_json::Value;
use shotdeck::core::compose::{PlaceholderImages, compose_with_table};
use shotdeck::core::cost::prices_from;
use shotdeck::core::images::ImageFacts;
use shotdeck::core::models::{
    IMAGE2VIDEO, KLING_V3, KLING_V3_OMNI, MODELS, ModelRow, OMNI_VIDEO, Quality, Rate, Route,
    TEXT2VIDEO,
};
use shotdeck::core::{Board, Mode, Provider, Severity, ShotType, validate_with};

use super::{check, has, keys, shots};

#[test]
fn an_unknown_model_is_an_error_naming_the_known_ones() {
    let b = Board {
        model: "kling-v9".into(),
        ..shots(&[4, 4])
    };
    let f = check(&b);
    assert!(
        has(&f, Severity::Error, "model", "kling-v3, kling-v3-omni"),
        "{f:?}"
    );
    let ok = check(&Board {
        model: "kling-v3-omni".into(),
        ..shots(&[4, 4])
    });
    assert!(keys(&ok).is_empty(), "{ok:?}");
}

#[test]
fn auto_checks_the_one_prompt_and_duration_and_warns_about_the_shots() {
    let mut b = shots(&[4, 4]);
    b.shot_type = ShotType::Auto;
    b.duration = 16.0;
    let f = check(&b);
    assert!(has(&f, Severity::Error, "prompt", "empty"), "{f:?}");
    assert!(
        has(&f, Severity::Error, "duration", "outside 3–15"),
        "{f:?}"
    );
    assert!(
        has(&f, Severity::Warning, "shots", "shot_type is auto"),
        "{f:?}"
    );
    b.prompt = "A chase.".into();
    b.duration = 10.0;
    b.shots.clear();
    assert!(keys(&check(&b)).is_empty());
    b.prompt = "x".repeat(2501);
    assert!(has(&check(&b), Severity::Error, "prompt", "2500"));
}

#[test]
fn auto_with_multi_shot_off_is_a_warning_on_shot_type() {
    let b = Board {
        multi_shot: false,
        shot_type: ShotType::Auto,
        prompt: "One shot.".into(),
        ..Board::default()
    };
    assert_eq!(
        keys(&check(&b)),
        vec![(Severity::Warning, "shot_type".to_string())]
    );
}

#[test]
fn four_k_only_where_the_row_has_it() {
    let b = Board {
        quality: "4k".into(),
        ..shots(&[5])
    };
    // Offered, and flagged "unverified" (no official page lists it; see `evidence`).
    assert_eq!(
        keys(&check(&b)),
        vec![(Severity::Warning, "quality".to_string())]
    );
    let no_4k = ModelRow {
        four_k: None,
        ..KLING_V3
    };
    let f = validate_with(&b, Provider::Kling, &ImageFacts::new(), &[&no_4k]);
    assert!(
        has(&f, Severity::Error, "quality", "std, pro (kling-v3)"),
        "{f:?}"
    );
}

#[test]
fn omni_video_fields_it_does_not_take_are_warnings_on_the_official_api() {
    let b = Board {
        mode: Mode::Reference,
        references: vec!["https://x.test/a.png".into()],
        negative_prompt: "blur".into(),
        cfg_scale: 0.8,
        shots: vec![shotdeck::core::Shot::new("<<<image_1>>> walks.", 5)],
        ..Board::default()
    };
    let f = check(&b);
    assert!(
        has(&f, Severity::Warning, "negative_prompt", "not sent"),
        "{f:?}"
    );
    assert!(has(&f, Severity::Warning, "cfg_scale", "not sent"), "{f:?}");
    let gateway = validate_with(&b, Provider::Gateway, &ImageFacts::new(), MODELS);
    assert!(
        keys(&gateway).is_empty(),
        "the gateway form still sends them"
    );
}

#[test]
fn frames_with_references_single_shot_only_and_never_an_end_alone() {
    let mut b = Board {
        mode: Mode::Reference,
        references: vec!["https://x.test/a.png".into()],
        first_frame: Some("https://x.test/first.png".into()),
        shots: vec![shotdeck::core::Shot::new("<<<image_1>>> walks.", 5)],
        ..Board::default()
    };
    let f = check(&b);
    assert!(
        has(
            &f,
            Severity::Error,
            "first_frame",
            "does not support setting the start & end frames"
        ),
        "{f:?}"
    );
    b.multi_shot = false;
    b.shots.clear();
    b.prompt = "<<<image_1>>> walks.".into();
    assert!(keys(&check(&b)).is_empty());
    b.first_frame = None;
    b.last_frame = Some("https://x.test/last.png".into());
    assert!(has(
        &check(&b),
        Severity::Error,
        "last_frame",
        "needs a first frame"
    ));
    b.first_frame = Some("https://x.test/first.png".into());
    b.references = (0..6).map(|i| format!("https://x.test/{i}.png")).collect();
    assert!(has(
        &check(&b),
        Severity::Error,
        "references",
        "at most 7 images in all"
    ));
}

#[test]
fn an_image_board_on_omni_sends_typed_frames_and_refuses_them_with_multi_shot() {
    let mut b = Board {
        mode: Mode::Image,
        model: "kling-v3-omni".into(),
        first_frame: Some("https://x.test/first.png".into()),
        aspect_ratio: None,
        ..shots(&[5])
    };
    assert!(has(
        &check(&b),
        Severity::Error,
        "first_frame",
        "multi-shot"
    ));
    b.multi_shot = false;
    b.shots.clear();
    b.prompt = "Go.".into();
    assert!(keys(&check(&b)).is_empty());
    let req = shotdeck::core::compose(&b, Provider::Kling, &PlaceholderImages, "k").unwrap();
    assert_eq!(req.path, "/v1/videos/omni-video");
    assert_eq!(req.body["image_list"][0]["type"], "first_frame");
}

/// Kling 4.0 as announced: 3–30 s and 21:9. One row; rules, compose and prices follow it.
#[test]
fn one_more_row_is_all_a_new_model_needs() {
    static V4: ModelRow = ModelRow {
        name: "kling-v4",
        text: Route {
            endpoint: &TEXT2VIDEO,
            model_name: "kling-v4",
        },
        image: Route {
            endpoint: &IMAGE2VIDEO,
            model_name: "kling-v4",
        },
        reference: Route {
            endpoint: &OMNI_VIDEO,
            model_name: "kling-v4-omni",
        },
        qualities: &[Quality {
            name: "std",
            rate: Rate {
                silent: 0.1,
                audio: 0.2,
            },
        }],
        four_k: None,
        max_seconds: 30,
        aspect_ratios: &["16:9", "9:16", "1:1", "21:9"],
        ..KLING_V3
    };
    let table: &[&ModelRow] = &[&KLING_V3, &KLING_V3_OMNI, &V4];
    let b = Board {
        model: "kling-v4".into(),
        aspect_ratio: Some("21:9".into()),
        ..shots(&[10, 10, 5])
    };
    let facts = ImageFacts::new();
    assert!(keys(&validate_with(&b, Provider::Kling, &facts, table)).is_empty());
    let on_v3 = Board {
        model: "kling-v3".into(),
        ..b.clone()
    };
    let f = validate_with(&on_v3, Provider::Kling, &facts, table);
    assert!(has(&f, Severity::Error, "duration", "at most 15"), "{f:?}");
    assert!(has(&f, Severity::Error, "aspect_ratio", "21:9"), "{f:?}");
    // The built-in table does not know it yet.
    assert!(has(&check(&b), Severity::Error, "model", "not one of"));

    let req = compose_with_table(&b, Provider::Kling, &PlaceholderImages, "k", table).unwrap();
    assert_eq!(req.path, "/v1/videos/text2video");
    assert_eq!(req.body["model_name"], "kling-v4");
    assert_eq!(req.body["duration"], "25");
    assert_eq!(req.body["aspect_ratio"], "21:9");
    let reference = Board {
        mode: Mode::Reference,
        ..b.clone()
    };
    let req =
        compose_with_table(&reference, Provider::Kling, &PlaceholderImages, "k", table).unwrap();
    assert_eq!(req.body["model_name"], "kling-v4-omni");
    assert_eq!(req.body.get("cfg_scale"), None::<&Value>);

    let prices = prices_from(table);
    assert_eq!(prices["kling"]["kling-v4"]["std"].audio, 0.2);
    assert!(!prices["kling"]["kling-v4"].contains_key("4k"));
    assert_eq!(prices["gateway"]["kling-v3"]["4k"].silent, 0.42);
}
