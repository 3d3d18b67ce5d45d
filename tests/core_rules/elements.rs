//! Elements and voices: which endpoints take them, the documented limits, the tokens.

use super::{check, has, keys, shots};
use shotdeck::core::elements::{ElementRef, VoiceRef};
use shotdeck::core::images::ImageFacts;
use shotdeck::core::{Board, Mode, Provider, Severity, compose, is_submittable, validate};
use shotdeck::core::{PlaceholderImages, compose::UNASSIGNED_TASK_ID};

/// The board the sequence demo uses: one element on kling-v3-omni.
fn with_element() -> Board {
    let mut b = shots(&[4, 4]);
    b.model = "kling-v3-omni".into();
    b.shots[0].prompt = "<<<element_1>>> walks into the rain.".into();
    b.shots[1].prompt = "Close-up: <<<element_1>>> looks up.".into();
    b.elements = vec![ElementRef::new("863121023120580600", "Detective")];
    b
}

fn voice(id: &str) -> VoiceRef {
    serde_json::from_value(serde_json::json!({ "id": id })).expect("a voice")
}

#[test]
fn one_element_on_omni_validates_and_composes_as_element_list() {
    let b = with_element();
    let f = check(&b);
    assert!(is_submittable(&f), "{:?}", keys(&f));
    assert!(
        f.iter()
            .all(|f| !f.path.to_string().starts_with("elements")),
        "{:?}",
        keys(&f)
    );
    let req = compose(&b, Provider::Kling, &PlaceholderImages, UNASSIGNED_TASK_ID).unwrap();
    assert_eq!(req.path, "/v1/videos/omni-video");
    assert_eq!(
        req.body["element_list"],
        serde_json::json!([{ "element_id": 863121023120580600_i64 }])
    );
    assert!(req.body.get("voice_list").is_none());
}

#[test]
fn text2video_takes_no_elements_and_says_where_to_go() {
    let mut b = with_element();
    b.model = "kling-v3".into();
    assert!(has(
        &check(&b),
        Severity::Error,
        "elements",
        "documents no element_list"
    ));
    // kling-v3's reference boards go to omni-video, which takes them.
    b.mode = Mode::Reference;
    b.references = vec!["https://example.com/a.png".into()];
    b.shots[0].prompt.push_str(" <<<image_1>>>");
    let f = check(&b);
    assert!(!has(&f, Severity::Error, "elements", ""), "{:?}", keys(&f));
    let req = compose(&b, Provider::Kling, &PlaceholderImages, UNASSIGNED_TASK_ID).unwrap();
    assert_eq!(req.body["element_list"].as_array().map(Vec::len), Some(1));
}

#[test]
fn elements_and_images_share_omnis_limit_of_seven() {
    let mut b = with_element();
    b.mode = Mode::Reference;
    b.references = (1..=6)
        .map(|i| format!("https://example.com/{i}.png"))
        .collect();
    let tokens: String = (1..=6).map(|i| format!("<<<image_{i}>>>")).collect();
    b.shots[1].prompt.push_str(&tokens);
    assert!(!has(&check(&b), Severity::Error, "elements", ""));
    b.elements.push(ElementRef::new("2", "Hat"));
    b.shots[0].prompt.push_str(" <<<element_2>>>");
    assert!(has(&check(&b), Severity::Error, "elements", "at most 7"));
}

#[test]
fn element_tokens_must_name_an_element_and_unused_ones_are_warned() {
    let mut b = with_element();
    b.shots[1].prompt = "<<<element_2>>>".into();
    let f = check(&b);
    assert!(has(
        &f,
        Severity::Error,
        "shots[1].prompt",
        "<<<element_2>>> names no element"
    ));
    b.shots[0].prompt = "nobody".into();
    assert!(has(
        &check(&b),
        Severity::Warning,
        "elements[0].id",
        "no prompt mentions <<<element_1>>>"
    ));
}

#[test]
fn an_element_id_that_is_no_number_is_refused() {
    let mut b = with_element();
    b.elements[0].id = "detective".into();
    assert!(has(
        &check(&b),
        Severity::Error,
        "elements[0].id",
        "not a Kling element id"
    ));
}

#[test]
fn voices_are_refused_where_no_model_documents_them_and_need_sound() {
    let mut b = with_element();
    b.voices = vec![voice("narrator")];
    b.shots[0].prompt.push_str(" <<<voice_1>>> speaks.");
    let f = check(&b);
    assert!(has(
        &f,
        Severity::Error,
        "voices",
        "documents no voice_list"
    ));
    assert!(has(&f, Severity::Error, "sound", "sound on"));
    b.sound = true;
    assert!(!has(&check(&b), Severity::Error, "sound", ""));
    b.shots[0].prompt.push_str(" <<<voice_3>>>");
    assert!(has(
        &check(&b),
        Severity::Error,
        "shots[0].prompt",
        "<<<voice_3>>> names no voice"
    ));
}

#[test]
fn gateways_cannot_carry_elements_so_nothing_is_sent() {
    let b = with_element();
    for provider in [Provider::Gateway, Provider::NewApi, Provider::KlingRelay] {
        let f = validate(&b, provider, &ImageFacts::new());
        let refusal = f
            .iter()
            .find(|f| {
                f.path.to_string() == "elements" && f.message.contains("cannot carry elements")
            })
            .unwrap_or_else(|| panic!("{provider}: {:?}", keys(&f)));
        assert_eq!(refusal.severity, Severity::Error);
        assert!(!is_submittable(&f));
    }
}
