//! A board sent by Kling's v2 design (`[profiles.kling] route = "v2"`) is described in the
//! v2 design's words: no legacy endpoint in its warnings or cost notes, the shot list
//! written in the prompt, references and elements as `contents` items.

use shotdeck::core::elements::ElementRef;
use shotdeck::core::gateway_profile::Profiles;
use shotdeck::core::images::ImageFacts;
use shotdeck::core::kling_v2::{KlingProfile, RoutePref};
use shotdeck::core::rules::{unverified_notes, validate_for};
use shotdeck::core::{Board, Mode, Provider, Severity};

use super::{has, keys, shots};

fn v2() -> Profiles {
    Profiles {
        kling: KlingProfile {
            route: RoutePref::V2,
        },
        ..Profiles::default()
    }
}

#[test]
fn a_v2_4k_board_gets_no_legacy_unverified_note_and_its_shots_go_in_the_prompt() {
    let mut b = shots(&[4, 3, 3]);
    b.quality = "4k".into();
    let legacy = unverified_notes(&b, Provider::Kling, &Profiles::default());
    assert!(
        legacy.iter().any(|n| n.contains("/v1/videos/text2video")),
        "{legacy:?}"
    );
    assert_eq!(
        unverified_notes(&b, Provider::Kling, &v2()),
        Vec::<String>::new()
    );

    let carries = v2().caps(Provider::Kling).carries(&b);
    assert_eq!(
        carries,
        "3 shots written in the prompt (\"Shot n, seconds, words;\")"
    );
    let legacy = Profiles::default().caps(Provider::Kling).carries(&b);
    assert_eq!(legacy, "3 shots as multi_prompt");
}

fn omni_reference_board() -> Board {
    let mut b = Board {
        model: "kling-v3-omni".into(),
        mode: Mode::Reference,
        multi_shot: false,
        prompt: "<<<image_1>>> meets <<<element_1>>>.".into(),
        duration: 5.0,
        aspect_ratio: Some("16:9".into()),
        references: vec!["https://x.test/1.png".into()],
        negative_prompt: "blur".into(),
        cfg_scale: 0.8,
        ..Board::default()
    };
    b.elements = vec![ElementRef::new("863121023120580600", "Detective")];
    b
}

#[test]
fn a_v2_omni_board_is_warned_once_per_field_in_the_v2_designs_words() {
    let b = omni_reference_board();
    let f = validate_for(&b, Provider::Kling, &v2(), &ImageFacts::new());
    for field in ["negative_prompt", "cfg_scale"] {
        let said: Vec<_> = f.iter().filter(|f| f.path.to_string() == field).collect();
        assert_eq!(said.len(), 1, "{field}: {:?}", keys(&f));
        assert!(said[0].message.contains("the v2 design has no"), "{said:?}");
    }
    assert!(
        !f.iter().any(|f| f.message.contains("/v1/videos/")),
        "{f:?}"
    );
    let carries = v2().caps(Provider::Kling).carries(&b);
    assert_eq!(
        carries,
        "single prompt, 1 reference as refer_image in contents, 1 element as element in contents"
    );

    // Legacy keeps its own words.
    let f = validate_for(
        &b,
        Provider::Kling,
        &Profiles::default(),
        &ImageFacts::new(),
    );
    assert!(
        has(
            &f,
            Severity::Warning,
            "negative_prompt",
            "/v1/videos/omni-video"
        ),
        "{:?}",
        keys(&f)
    );
    let carries = Profiles::default().caps(Provider::Kling).carries(&b);
    assert!(carries.ends_with("1 element as element_list"), "{carries}");
}
