//! Official API rules read from Kling's API reference (read 2026-12-06): no end frame on
//! omni-video with more than two images, no `aspect_ratio` beside a first frame there, and
//! settings no page shows (4k) flagged "unverified" from the model table's data.

use shotdeck::core::compose::{PlaceholderImages, compose_with_table};
use shotdeck::core::images::ImageFacts;
use shotdeck::core::models::{IMAGE2VIDEO, KLING_V3, MODELS, ModelRow, OMNI_VIDEO, Setting};
use shotdeck::core::{Board, Mode, Provider, Severity, Shot, ShotType, compose, validate};

use super::{check, has, keys, shots};

fn reference_board(references: usize) -> Board {
    Board {
        mode: Mode::Reference,
        multi_shot: false,
        prompt: "<<<image_1>>> walks.".into(),
        duration: 5.0,
        references: (1..=references)
            .map(|i| format!("https://x.test/{i}.png"))
            .collect(),
        ..Board::default()
    }
}

fn with_frames(mut b: Board) -> Board {
    b.first_frame = Some("https://x.test/first.png".into());
    b.last_frame = Some("https://x.test/last.png".into());
    b
}

#[test]
fn omni_takes_no_end_frame_with_more_than_two_images() {
    // Two frames alone: the documented start & end frame case.
    let mut two = with_frames(Board {
        model: "kling-v3-omni".into(),
        mode: Mode::Image,
        ..reference_board(0)
    });
    two.prompt = "Go.".into();
    assert!(keys(&check(&two)).is_empty(), "{:?}", check(&two));
    // One reference and both frames: three images in `image_list`.
    let three = with_frames(reference_board(1));
    let f = check(&three);
    assert!(
        has(
            &f,
            Severity::Error,
            "last_frame",
            "more than two images in the array"
        ),
        "{f:?}"
    );
    assert!(has(&f, Severity::Error, "last_frame", "3 here"), "{f:?}");
    // Without the end frame the same board goes.
    let mut no_end = three.clone();
    no_end.last_frame = None;
    assert!(
        !check(&no_end).iter().any(|f| f.severity == Severity::Error),
        "{:?}",
        check(&no_end)
    );
}

#[test]
fn the_end_frame_limit_is_the_endpoints_data() {
    assert_eq!(OMNI_VIDEO.end_frame_max_images, Some(2));
    assert_eq!(IMAGE2VIDEO.end_frame_max_images, None);
}

#[test]
fn omni_sends_no_aspect_ratio_beside_a_first_frame_and_warns_on_a_chosen_one() {
    let mut b = reference_board(1);
    b.first_frame = Some("https://x.test/first.png".into());
    b.aspect_ratio = Some("9:16".into());
    let f = check(&b);
    assert!(
        has(
            &f,
            Severity::Warning,
            "aspect_ratio",
            "takes no aspect_ratio with a first frame"
        ),
        "{f:?}"
    );
    let req = compose(&b, Provider::Kling, &PlaceholderImages, "k").unwrap();
    assert_eq!(req.path, "/v1/videos/omni-video");
    assert_eq!(req.body.get("aspect_ratio"), None, "{}", req.body);
    let relay = compose(&b, Provider::KlingRelay, &PlaceholderImages, "k").unwrap();
    assert_eq!(relay.body.get("aspect_ratio"), None, "{}", relay.body);
    // The default ratio is what the board would get anyway: nothing to say.
    b.aspect_ratio = Some("16:9".into());
    assert!(!has(&check(&b), Severity::Warning, "aspect_ratio", ""));
    // Without a first frame the ratio is sent as before.
    b.first_frame = None;
    b.aspect_ratio = Some("9:16".into());
    assert!(keys(&check(&b)).is_empty(), "{:?}", check(&b));
    let req = compose(&b, Provider::Kling, &PlaceholderImages, "k").unwrap();
    assert_eq!(req.body["aspect_ratio"], "9:16");
}

#[test]
fn four_k_is_sent_but_said_to_be_unverified_on_every_official_endpoint() {
    for mode in Mode::ALL {
        let mut b = match mode {
            Mode::Reference => reference_board(1),
            _ => Board {
                mode,
                ..shots(&[5])
            },
        };
        if mode == Mode::Image {
            b.first_frame = Some("https://x.test/first.png".into());
            b.aspect_ratio = None;
        }
        b.quality = "4k".into();
        let f = check(&b);
        assert!(
            has(&f, Severity::Warning, "quality", "unverified"),
            "{mode:?}: {f:?}"
        );
        assert!(!f.iter().any(|f| f.severity == Severity::Error), "{f:?}");
        let req = compose(&b, Provider::Kling, &PlaceholderImages, "k").unwrap();
        assert_eq!(req.body["mode"], "4k", "sent as asked");
        let relay = validate(&b, Provider::KlingRelay, &ImageFacts::new());
        assert!(has(&relay, Severity::Warning, "quality", "unverified"));
        b.quality = "pro".into();
        assert!(!has(&check(&b), Severity::Warning, "quality", "unverified"));
    }
}

#[test]
fn auto_on_image2video_is_documented_so_not_flagged() {
    let b = Board {
        mode: Mode::Image,
        shot_type: ShotType::Auto,
        first_frame: Some("https://x.test/first.png".into()),
        prompt: "A chase.".into(),
        duration: 10.0,
        aspect_ratio: None,
        shots: Vec::new(),
        ..Board::default()
    };
    assert!(keys(&check(&b)).is_empty(), "{:?}", check(&b));
    assert!(
        IMAGE2VIDEO
            .unverified_for(&b.quality, Some(ShotType::Auto))
            .is_empty()
    );
}

/// "Unverified" is data in the table: an endpoint that marks a setting gets the warning,
/// with no code naming that setting.
#[test]
fn an_unverified_entry_in_the_table_is_what_the_warning_reads() {
    use shotdeck::core::models::{Endpoint, Route, TEXT2VIDEO, Unverified};
    static DOUBTFUL: Endpoint = Endpoint {
        unverified: &[Unverified {
            setting: Setting::ShotType(ShotType::Auto),
            why: "no page of this endpoint lists intelligence",
        }],
        ..TEXT2VIDEO
    };
    static ROW: ModelRow = ModelRow {
        text: Route {
            endpoint: &DOUBTFUL,
            model_name: "kling-v3",
        },
        ..KLING_V3
    };
    let b = Board {
        shot_type: ShotType::Auto,
        prompt: "A chase.".into(),
        duration: 10.0,
        shots: vec![Shot::new("kept", 5)],
        ..Board::default()
    };
    let f = shotdeck::core::validate_with(&b, Provider::Kling, &ImageFacts::new(), &[&ROW]);
    assert!(
        has(
            &f,
            Severity::Warning,
            "shot_type",
            "unverified: shot_type \"auto\" on /v1/videos/text2video (kling-v3): no page of this endpoint lists intelligence"
        ),
        "{f:?}"
    );
    let gateway = shotdeck::core::validate_with(&b, Provider::Gateway, &ImageFacts::new(), &[&ROW]);
    // A gateway forwards the setting to the same endpoint: just as unverified there.
    assert!(has(
        &gateway,
        Severity::Warning,
        "shot_type",
        "unverified: shot_type \"auto\" on gateway forwards it to /v1/videos/text2video"
    ));
    assert!(compose_with_table(&b, Provider::Kling, &PlaceholderImages, "k", &[&ROW]).is_ok());
    // kling-v3, kling-v3-omni and kling-v3-turbo (the v2 design's Turbo).
    assert_eq!(MODELS.len(), 3);
}

#[test]
fn four_k_through_a_gateway_is_as_unverified_as_on_the_official_api() {
    // Stock new-api's Kling adaptor copies `mode` into the body it sends to text2video or
    // image2video; the ModelStream form forwards it the same way.
    let text = Board {
        multi_shot: false,
        prompt: "A lighthouse at dusk.".into(),
        duration: 5.0,
        quality: "4k".into(),
        ..Board::default()
    };
    let image = Board {
        mode: Mode::Image,
        first_frame: Some("https://x.test/first.png".into()),
        aspect_ratio: None,
        ..text.clone()
    };
    for (b, path) in [
        (&text, "/v1/videos/text2video"),
        (&image, "/v1/videos/image2video"),
    ] {
        for p in [Provider::NewApi, Provider::Gateway] {
            let f = validate(b, p, &ImageFacts::new());
            let said = format!("{p} forwards it to {path}");
            assert!(has(&f, Severity::Warning, "quality", &said), "{p}: {f:?}");
            assert!(
                !f.iter().any(|f| f.severity == Severity::Error),
                "{p}: {f:?}"
            );
            // The submit dialog and the CLI's cost line read these notes.
            let notes = shotdeck::core::rules::unverified_notes(b, p, &Default::default());
            assert!(
                notes
                    .iter()
                    .any(|n| n.contains(&said) && n.contains("\"4k\"")),
                "{p}: {notes:?}"
            );
        }
        let mut pro = b.clone();
        pro.quality = "pro".into();
        assert!(
            shotdeck::core::rules::unverified_notes(&pro, Provider::NewApi, &Default::default())
                .is_empty()
        );
    }
}
