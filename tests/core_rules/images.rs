//! Image and reference modes, and the checks on local image files.

use super::shots::single;
use super::{check, check_with, has, keys, local, shots};
use shotdeck::core::images::{ImageFact, ImageFacts};
use shotdeck::core::{Board, Mode, Severity, Shot, is_submittable};

#[test]
fn image_mode_needs_first_frame_and_no_last_frame_with_multi_shot() {
    let mut b = shots(&[3]);
    b.aspect_ratio = None;
    b.mode = Mode::Image;
    assert!(has(
        &check(&b),
        Severity::Error,
        "first_frame",
        "needs a first frame"
    ));
    b.first_frame = Some("https://example.com/a.png".into());
    b.last_frame = Some("https://example.com/b.png".into());
    assert!(has(
        &check(&b),
        Severity::Error,
        "last_frame",
        "not allowed with multi-shot"
    ));
    let mut s = single("x", 5.0);
    s.mode = Mode::Image;
    s.first_frame = b.first_frame.clone();
    s.last_frame = b.last_frame.clone();
    assert!(check(&s).is_empty(), "single-shot may have a last frame");
}

#[test]
fn local_images_are_checked_from_their_facts() {
    let mut b = shots(&[3]);
    b.aspect_ratio = None;
    b.mode = Mode::Image;
    b.first_frame = Some("a.png".into());
    let mut facts = ImageFacts::new();
    let mut run = |fact: ImageFact| {
        facts.insert("a.png".into(), fact);
        check_with(&b, &facts)
    };
    assert!(run(local(1280, 720, 200_000)).is_empty());
    assert!(has(
        &run(ImageFact::Missing("not found".into())),
        Severity::Error,
        "first_frame",
        "cannot read a.png"
    ));
    assert!(has(
        &run(ImageFact::Unreadable("x".into())),
        Severity::Error,
        "first_frame",
        "not a JPG or PNG"
    ));
    let gif = ImageFact::Local {
        format: "gif".into(),
        width: 800,
        height: 800,
        bytes: 10,
    };
    assert!(has(
        &run(gif),
        Severity::Error,
        "first_frame",
        "only JPG and PNG"
    ));
    assert!(has(
        &run(local(1280, 720, 11 * 1024 * 1024)),
        Severity::Error,
        "first_frame",
        "10 MB"
    ));
    assert!(has(
        &run(local(299, 720, 10)),
        Severity::Error,
        "first_frame",
        "300 px"
    ));
    assert!(
        run(local(300, 750, 10)).is_empty(),
        "exactly 1:2.5 is allowed"
    );
    assert!(has(
        &run(local(300, 760, 10)),
        Severity::Error,
        "first_frame",
        "1:2.5–2.5:1"
    ));
    assert!(has(
        &run(local(2000, 600, 10)),
        Severity::Error,
        "first_frame",
        "1:2.5–2.5:1"
    ));
}

fn reference_board(refs: usize, prompts: &[&str]) -> Board {
    Board {
        mode: Mode::Reference,
        references: (0..refs)
            .map(|i| format!("https://example.com/{i}.png"))
            .collect(),
        shots: prompts.iter().map(|p| Shot::new(*p, 3)).collect(),
        ..Board::default()
    }
}

#[test]
fn reference_mode_takes_one_to_seven_references() {
    let f = check(&reference_board(0, &["a"]));
    assert!(has(&f, Severity::Error, "references", "1–7"), "{f:?}");
    let all: Vec<String> = (1..=7).map(|i| format!("<<<image_{i}>>>")).collect();
    assert!(check(&reference_board(7, &[&all.join(" ")])).is_empty());
    let f = check(&reference_board(8, &[&all.join(" ")]));
    assert!(
        has(&f, Severity::Error, "references", "8 reference"),
        "{f:?}"
    );
}

#[test]
fn every_placeholder_names_an_existing_reference() {
    let f = check(&reference_board(
        1,
        &["<<<image_1>>> runs", "then <<<image_2>>> waves"],
    ));
    assert!(
        has(
            &f,
            Severity::Error,
            "shots[1].prompt",
            "<<<image_2>>> names no reference"
        ),
        "{f:?}"
    );
}

#[test]
fn an_unmentioned_reference_is_a_warning() {
    let f = check(&reference_board(2, &["<<<image_1>>> runs"]));
    assert_eq!(
        keys(&f),
        vec![(Severity::Warning, "references[1]".to_string())]
    );
    assert!(f[0].message.contains("<<<image_2>>>"));
}

#[test]
fn images_the_mode_ignores_are_warnings() {
    let mut b = shots(&[3]);
    b.first_frame = Some("a.png".into());
    b.references = vec!["b.png".into()];
    let f = check(&b);
    assert!(
        has(&f, Severity::Warning, "first_frame", "ignored in text mode"),
        "{f:?}"
    );
    assert!(
        has(&f, Severity::Warning, "references", "ignored in text mode"),
        "{f:?}"
    );
    assert!(is_submittable(&f));
}

#[test]
fn other_schemes_are_named_as_neither_path_nor_url() {
    let mut b = shots(&[3]);
    b.mode = Mode::Reference;
    b.aspect_ratio = None;
    b.shots[0].prompt = "<<<image_1>>> <<<image_2>>> <<<image_3>>>".into();
    b.references = vec![
        "data:image/png;base64,iVBORw0KGgo".into(),
        "ftp://cdn.example/a.png".into(),
        "file:///home/me/a.png".into(),
    ];
    let f = check(&b);
    for (i, scheme) in ["data", "ftp", "file"].iter().enumerate() {
        let path = format!("references[{i}]");
        assert!(
            has(&f, Severity::Error, &path, "a local path or an http(s) URL"),
            "{f:?}"
        );
        assert!(
            has(&f, Severity::Error, &path, &format!("{scheme}:")),
            "{f:?}"
        );
    }
    // A Windows drive letter is a path, not a scheme.
    b.references = vec![r"C:\frames\a.png".into()];
    b.shots[0].prompt = "<<<image_1>>>".into();
    assert!(!has(
        &check(&b),
        Severity::Error,
        "references[0]",
        "http(s) URL"
    ));
}

#[test]
fn a_token_outside_reference_mode_is_a_warning_on_its_prompt() {
    // Text mode sends no images: the token would reach the model as the literal text.
    let mut b = shots(&[3, 3]);
    b.shots[1].prompt = "she turns to <<<image_1>>>".into();
    let f = check(&b);
    assert!(
        has(
            &f,
            Severity::Warning,
            "shots[1].prompt",
            "<<<image_1>>> is sent as plain text: text mode sends no reference images (reference mode takes 1–7)"
        ),
        "{f:?}"
    );
    assert!(is_submittable(&f));
    // The single prompt of a single-shot board is checked the same way.
    let s = single("<<<image_2>>> waves", 5.0);
    assert!(
        has(&check(&s), Severity::Warning, "prompt", "<<<image_2>>>"),
        "{:?}",
        check(&s)
    );
}
