use super::*;
use crate::models::{KLING_V3, KLING_V3_OMNI, KLING_V3_TURBO, ModelRow};

#[test]
fn the_table_decides_unless_the_profile_says_otherwise() {
    assert_eq!(
        choose(&KLING_V3, Mode::Text, RoutePref::Auto),
        Ok(Design::Legacy)
    );
    assert_eq!(
        choose(&KLING_V3, Mode::Image, RoutePref::V2),
        Ok(Design::V2)
    );
    assert_eq!(
        choose(&KLING_V3_TURBO, Mode::Text, RoutePref::Auto),
        Ok(Design::V2)
    );
    let no_legacy = choose(&KLING_V3_TURBO, Mode::Text, RoutePref::Legacy).unwrap_err();
    assert!(no_legacy.contains("no legacy route"), "{no_legacy}");
    // A row without a v2 model (the built-in rows all have one now).
    const LEGACY_ONLY: ModelRow = ModelRow {
        designs: Designs {
            legacy: true,
            v2: None,
            default: Design::Legacy,
        },
        ..KLING_V3_OMNI
    };
    let no_v2 = choose(&LEGACY_ONLY, Mode::Text, RoutePref::V2).unwrap_err();
    assert!(no_v2.contains("[profiles.kling]"), "{no_v2}");
    // Reference boards go to omni-video on v2, as on legacy; Turbo has none.
    assert_eq!(
        choose(&KLING_V3, Mode::Reference, RoutePref::V2),
        Ok(Design::V2)
    );
    let references = choose(&KLING_V3_TURBO, Mode::Reference, RoutePref::Auto).unwrap_err();
    assert!(references.contains("omni-video"), "{references}");
    assert!(references.contains("kling-v3-omni"), "{references}");
}

#[test]
fn omni_takes_every_mode_to_omni_video_and_kling_v3_its_reference_boards() {
    let omni = KLING_V3_OMNI.designs.v2.as_ref().unwrap();
    for mode in [Mode::Text, Mode::Image, Mode::Reference] {
        assert_eq!(
            omni.create(mode),
            Some((OMNI_VIDEO_PATH, "kling-3.0-omni")),
            "{mode:?}"
        );
        assert_eq!(choose(&KLING_V3_OMNI, mode, RoutePref::V2), Ok(Design::V2));
    }
    assert_eq!(
        choose(&KLING_V3_OMNI, Mode::Text, RoutePref::Auto),
        Ok(Design::Legacy),
        "legacy unless the profile asks for v2"
    );
    let v3 = KLING_V3.designs.v2.as_ref().unwrap();
    assert_eq!(v3.create(Mode::Text), Some((TEXT_TO_VIDEO, "kling-3.0")));
    assert_eq!(v3.create(Mode::Image), Some((IMAGE_TO_VIDEO, "kling-3.0")));
    assert_eq!(
        v3.create(Mode::Reference),
        Some((OMNI_VIDEO_PATH, "kling-3.0-omni"))
    );
}

#[test]
fn only_omni_video_carries_elements_on_v2() {
    let mut board = crate::model::Board::starter();
    board.mode = Mode::Image;
    board.first_frame = Some("a.png".into());
    board.elements = vec![crate::elements::ElementRef::new("1", "")];
    let refused = |b: &crate::model::Board, v2: &V2Model| {
        limits_of_board(b, v2)
            .into_iter()
            .any(|(e, p, _)| e && p == crate::field_path::FieldPath::Elements)
    };
    let v3 = KLING_V3.designs.v2.as_ref().unwrap();
    assert!(refused(&board, v3), "image-to-video has no element item");
    board.mode = Mode::Text;
    assert!(refused(&board, v3), "nor has text-to-video");
    board.mode = Mode::Reference;
    assert!(!refused(&board, v3), "reference boards go to omni-video");
    board.mode = Mode::Image;
    let omni = KLING_V3_OMNI.designs.v2.as_ref().unwrap();
    assert!(
        !refused(&board, omni),
        "omni-video takes them (its counts are the elements rule's)"
    );
    board.elements.clear();
    assert!(!refused(&board, v3), "no elements, nothing to refuse");
}

#[test]
fn only_v2_paths_skip_the_kind_list() {
    assert!(lists_tasks(Provider::Kling, "/v1/videos/omni-video"));
    assert!(!lists_tasks(
        Provider::Kling,
        "/image-to-video/kling-3.0-turbo"
    ));
    assert!(!lists_tasks(Provider::Gateway, "/v1/video/generations"));
    assert!(looks_up_in_batches(
        Provider::Kling,
        "/omni-video/kling-3.0-omni"
    ));
    assert!(looks_up_in_batches(
        Provider::Kling,
        "/text-to-video/kling-3.0"
    ));
    assert!(!looks_up_in_batches(
        Provider::Kling,
        "/v1/videos/omni-video"
    ));
    assert!(!looks_up_in_batches(
        Provider::Gateway,
        "/text-to-video/kling-3.0"
    ));
}

#[test]
fn turbo_has_no_4k_and_a_semicolon_would_cut_a_shot() {
    let v2 = KLING_V3_TURBO.designs.v2.as_ref().unwrap();
    assert_eq!(v2.resolution("pro"), Some("1080p"));
    assert_eq!(v2.resolution("4k"), None);
    let mut board = crate::model::Board::starter();
    board.quality = "4k".into();
    board.shots[0].prompt = "wide; then close".into();
    let errors: Vec<_> = limits_of_board(&board, v2)
        .into_iter()
        .filter(|(e, _, _)| *e)
        .map(|(_, _, m)| m)
        .collect();
    assert!(
        errors.iter().any(|m| m.contains("settings.resolution")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|m| m.starts_with("Shot 1")), "{errors:?}");
}
