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
