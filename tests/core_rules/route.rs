//! The `route` rule: a board the chosen route cannot carry whole is an error naming the
//! route and what to use instead; a profile that says the route carries more lifts it.

use shotdeck::core::gateway_profile::{Profiles, ShotList};
use shotdeck::core::images::ImageFacts;
use shotdeck::core::{Board, Mode, Provider, Severity, ShotType, validate_for};

use super::has;

fn check(board: &Board, provider: Provider, profiles: &Profiles) -> Vec<shotdeck::core::Finding> {
    validate_for(board, provider, profiles, &ImageFacts::new())
}

#[test]
fn stock_new_api_refuses_shots_auto_and_references_naming_the_alternative() {
    let stock = Profiles::default();
    let custom = Board::starter();
    let f = check(&custom, Provider::NewApi, &stock);
    assert!(has(
        &f,
        Severity::Error,
        "shots",
        "newapi cannot carry a shot list"
    ));
    assert!(has(&f, Severity::Error, "shots", "--provider gateway"));
    assert_eq!(f[0].provider, Some(Provider::NewApi));
    let auto = Board {
        shot_type: ShotType::Auto,
        prompt: "a storm rolls in".into(),
        ..Board::starter()
    };
    let f = check(&auto, Provider::NewApi, &stock);
    assert!(has(
        &f,
        Severity::Error,
        "shot_type",
        "newapi cannot carry Auto"
    ));
    let reference = Board {
        mode: Mode::Reference,
        multi_shot: false,
        prompt: "<<<image_1>>> walks".into(),
        duration: 5.0,
        references: vec!["https://img.test/a.png".into()],
        ..Board::starter()
    };
    let f = check(&reference, Provider::NewApi, &stock);
    assert!(has(&f, Severity::Error, "references", "no omni-video"));
    // Every one of them goes through gateway and the official API.
    for board in [&custom, &auto, &reference] {
        for p in [Provider::Kling, Provider::Gateway] {
            let f = check(board, p, &stock);
            assert!(
                !f.iter().any(|f| f.message.contains("cannot carry")),
                "{p}: {f:?}"
            );
        }
    }
}

#[test]
fn a_profile_that_carries_the_list_lifts_the_refusal() {
    let mut fork = Profiles::default();
    fork.newapi.shot_list = ShotList::Metadata;
    let f = check(&Board::starter(), Provider::NewApi, &fork);
    assert!(!has(&f, Severity::Error, "shots", "cannot carry"), "{f:?}");
    let mut relay = Profiles::default();
    let f = check(&Board::starter(), Provider::KlingRelay, &relay);
    assert!(has(
        &f,
        Severity::Error,
        "shots",
        "[profiles.kling-relay] body_whole"
    ));
    relay.kling_relay.body_whole = true;
    let f = check(&Board::starter(), Provider::KlingRelay, &relay);
    assert!(!has(&f, Severity::Error, "shots", "cannot carry"), "{f:?}");
}

#[test]
fn an_omni_only_model_is_refused_in_every_mode_on_a_route_without_omni() {
    // kling-v3-omni serves text and image boards from omni-video too; new-api's /kling/v1
    // routes no omni-video, so only the reference board used to be refused.
    let stock = Profiles::default();
    let text = Board {
        model: "kling-v3-omni".into(),
        multi_shot: false,
        prompt: "a storm rolls in".into(),
        duration: 5.0,
        ..Board::starter()
    };
    let image = Board {
        mode: Mode::Image,
        first_frame: Some("https://img.test/a.png".into()),
        ..text.clone()
    };
    for board in [&text, &image] {
        for p in [Provider::KlingRelay, Provider::NewApi] {
            let f = check(board, p, &stock);
            assert!(
                has(&f, Severity::Error, "model", "has no omni-video"),
                "{p}: {f:?}"
            );
            assert!(has(&f, Severity::Error, "model", "choose model kling-v3"));
        }
        for p in [Provider::Kling, Provider::Gateway] {
            let f = check(board, p, &stock);
            assert!(
                !has(&f, Severity::Error, "model", "omni-video"),
                "{p}: {f:?}"
            );
        }
        // The same board on kling-v3 goes to text2video/image2video: nothing refused.
        let v3 = Board {
            model: "kling-v3".into(),
            ..board.clone()
        };
        let f = check(&v3, Provider::KlingRelay, &stock);
        assert!(!has(&f, Severity::Error, "model", "omni-video"), "{f:?}");
    }
    let mut relay = Profiles::default();
    relay.kling_relay.omni = true;
    let f = check(&text, Provider::KlingRelay, &relay);
    assert!(!has(&f, Severity::Error, "model", "omni-video"), "{f:?}");
}
