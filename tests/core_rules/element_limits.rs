//! How many elements each endpoint takes: image2video up to 3 (kling-v3), omni-video up to
//! 3 beside a first frame and 7 with the images, on the legacy and the v2 route alike.

use super::{check, has, keys, shots};
use shotdeck::core::elements::ElementRef;
use shotdeck::core::gateway_profile::Profiles;
use shotdeck::core::images::ImageFacts;
use shotdeck::core::kling_v2::RoutePref;
use shotdeck::core::{Board, Finding, Mode, Provider, Severity, compose, validate_for};
use shotdeck::core::{PlaceholderImages, compose::UNASSIGNED_TASK_ID};

/// An image board on `model` with `n` elements, each named in the prompt.
fn image_board(model: &str, n: usize) -> Board {
    let mut b = shots(&[5]);
    b.model = model.into();
    b.mode = Mode::Image;
    b.first_frame = Some("https://x.test/first.png".into());
    b.elements = (1..=n)
        .map(|i| ElementRef::new((863121023120580600 + i as i64).to_string(), "E"))
        .collect();
    b.shots[0].prompt = (1..=n).map(|i| format!("<<<element_{i}>>> ")).collect();
    b
}

fn on_v2(board: &Board) -> Vec<Finding> {
    let mut p = Profiles::default();
    p.kling.route = RoutePref::V2;
    validate_for(board, Provider::Kling, &p, &ImageFacts::new())
}

fn element_errors(f: &[Finding]) -> usize {
    f.iter()
        .filter(|f| f.severity == Severity::Error && f.path.to_string() == "elements")
        .count()
}

#[test]
fn kling_v3_image_boards_send_up_to_three_elements_on_image2video() {
    let b = image_board("kling-v3", 3);
    let f = check(&b);
    assert_eq!(element_errors(&f), 0, "{:?}", keys(&f));
    let req = compose(&b, Provider::Kling, &PlaceholderImages, UNASSIGNED_TASK_ID).unwrap();
    assert_eq!(req.path, "/v1/videos/image2video");
    assert_eq!(req.body["model_name"], "kling-v3");
    assert_eq!(
        req.body["element_list"][2],
        serde_json::json!({ "element_id": 863121023120580603_i64 })
    );
    assert!(req.body.get("voice_list").is_none());
    let f = check(&image_board("kling-v3", 4));
    assert!(has(&f, Severity::Error, "elements", "at most 3"), "{f:?}");
    // The tokens are checked there as on omni-video.
    let mut b = image_board("kling-v3", 1);
    b.shots[0].prompt = "<<<element_2>>>".into();
    assert!(has(
        &check(&b),
        Severity::Error,
        "shots[0].prompt",
        "<<<element_2>>> names no element"
    ));
}

#[test]
fn omni_takes_at_most_three_elements_beside_a_first_frame_on_every_route() {
    let four = image_board("kling-v3-omni", 4);
    for (route, f) in [("legacy", check(&four)), ("v2", on_v2(&four))] {
        assert!(
            has(&f, Severity::Error, "elements", "with a first frame"),
            "{route}: {f:?}"
        );
        assert_eq!(element_errors(&f), 1, "{route}: said once: {f:?}");
    }
    let three = image_board("kling-v3-omni", 3);
    assert_eq!(element_errors(&check(&three)), 0);
    assert_eq!(element_errors(&on_v2(&three)), 0);
    // A reference board with a first frame is limited too; without one, the 7 decide.
    let mut refs = image_board("kling-v3-omni", 4);
    refs.mode = Mode::Reference;
    refs.references = vec!["https://x.test/r.png".into()];
    refs.shots[0].prompt.push_str("<<<image_1>>>");
    assert!(has(
        &check(&refs),
        Severity::Error,
        "elements",
        "first frame"
    ));
    refs.first_frame = None;
    let f = check(&refs);
    assert_eq!(element_errors(&f), 0, "{:?}", keys(&f));
}

#[test]
fn v2_text_and_image_routes_carry_no_elements() {
    let f = on_v2(&image_board("kling-v3", 1));
    assert!(
        has(&f, Severity::Error, "elements", "carries no elements"),
        "{f:?}"
    );
    let mut text = image_board("kling-v3", 1);
    text.mode = Mode::Text;
    text.first_frame = None;
    assert!(has(
        &check(&text),
        Severity::Error,
        "elements",
        "documents no element_list"
    ));
}
