//! Every validation rule has a test here that fails when the rule breaks.

use shotdeck::core::images::{ImageFact, ImageFacts};
use shotdeck::core::{Board, Finding, Mode, Provider, Severity, Shot, is_submittable, validate};

fn check(board: &Board) -> Vec<Finding> {
    validate(board, Provider::Kling, &ImageFacts::new())
}

fn check_with(board: &Board, facts: &ImageFacts) -> Vec<Finding> {
    validate(board, Provider::Kling, facts)
}

/// The (severity, path) pairs, for compact assertions.
fn keys(findings: &[Finding]) -> Vec<(Severity, String)> {
    findings
        .iter()
        .map(|f| (f.severity, f.path.clone()))
        .collect()
}

fn has(findings: &[Finding], sev: Severity, path: &str, needle: &str) -> bool {
    findings
        .iter()
        .any(|f| f.severity == sev && f.path == path && f.message.contains(needle))
}

fn shots(durations: &[u32]) -> Board {
    Board {
        shots: durations.iter().map(|d| Shot::new("A shot.", *d)).collect(),
        aspect_ratio: Some("16:9".into()),
        ..Board::default()
    }
}

fn local(w: u32, h: u32, bytes: u64) -> ImageFact {
    ImageFact::Local {
        format: "png".into(),
        width: w,
        height: h,
        bytes,
    }
}

#[test]
fn starter_board_is_clean() {
    assert!(check(&Board::starter()).is_empty());
}

#[test]
fn shot_count_between_one_and_six() {
    let f = check(&shots(&[]));
    assert!(has(&f, Severity::Error, "shots", "at least 1"), "{f:?}");
    assert!(check(&shots(&[3])).is_empty());
    assert!(check(&shots(&[2, 2, 2, 2, 2, 2])).is_empty());
    let f = check(&shots(&[2, 2, 2, 2, 2, 2, 1]));
    assert!(has(&f, Severity::Error, "shots", "at most 6"), "{f:?}");
}

#[test]
fn shot_prompt_non_empty_and_at_most_512_characters() {
    let mut b = shots(&[3, 3]);
    b.shots[1].prompt = "   ".into();
    let f = check(&b);
    assert!(
        has(&f, Severity::Error, "shots[1].prompt", "empty"),
        "{f:?}"
    );

    // 512 multi-byte characters are fine: the limit counts characters, not bytes.
    b.shots[1].prompt = "é".repeat(512);
    assert!(check(&b).is_empty());
    b.shots[1].prompt = "é".repeat(513);
    let f = check(&b);
    assert!(
        has(&f, Severity::Error, "shots[1].prompt", "513 characters"),
        "{f:?}"
    );
    assert!(f[0].message.contains("512"));
}

#[test]
fn shot_duration_whole_and_at_least_one_second() {
    let mut b = shots(&[3, 3]);
    b.shots[0].duration = 2.5;
    let f = check(&b);
    assert!(
        has(&f, Severity::Error, "shots[0].duration", "whole number"),
        "{f:?}"
    );
    b.shots[0].duration = 0.0;
    b.shots[1].duration = 4.0;
    let f = check(&b);
    assert!(
        has(&f, Severity::Error, "shots[0].duration", "at least 1 s"),
        "{f:?}"
    );
}

#[test]
fn multi_shot_total_between_3_and_15_seconds() {
    assert!(check(&shots(&[1, 2])).is_empty());
    assert!(check(&shots(&[5, 5, 5])).is_empty());
    let f = check(&shots(&[1, 1]));
    assert!(
        has(&f, Severity::Error, "duration", "at least 3 s"),
        "{f:?}"
    );
    let f = check(&shots(&[5, 5, 6]));
    assert!(has(&f, Severity::Error, "duration", "16 s"), "{f:?}");
    assert!(
        has(&f, Severity::Error, "duration", "at most 15 s"),
        "{f:?}"
    );
}

fn single(prompt: &str, duration: f64) -> Board {
    Board {
        multi_shot: false,
        prompt: prompt.into(),
        duration,
        ..Board::default()
    }
}

#[test]
fn single_shot_prompt_non_empty_and_at_most_2500_characters() {
    assert!(check(&single("A lighthouse.", 5.0)).is_empty());
    let f = check(&single("", 5.0));
    assert!(has(&f, Severity::Error, "prompt", "empty"), "{f:?}");
    assert!(check(&single(&"ж".repeat(2500), 5.0)).is_empty());
    let f = check(&single(&"ж".repeat(2501), 5.0));
    assert!(has(&f, Severity::Error, "prompt", "2500"), "{f:?}");
}

#[test]
fn single_shot_duration_whole_and_3_to_15() {
    for ok in [3.0, 7.0, 15.0] {
        assert!(check(&single("x", ok)).is_empty(), "{ok}");
    }
    for bad in [2.0, 16.0] {
        let f = check(&single("x", bad));
        assert!(
            has(&f, Severity::Error, "duration", "outside 3–15 s"),
            "{bad}: {f:?}"
        );
    }
    let f = check(&single("x", 5.5));
    assert!(
        has(&f, Severity::Error, "duration", "whole number"),
        "{f:?}"
    );
}

#[test]
fn gateway_warns_on_non_standard_single_shot_durations_and_says_so() {
    let b = single("x", 7.0);
    let f = validate(&b, Provider::Gateway, &ImageFacts::new());
    assert_eq!(keys(&f), vec![(Severity::Warning, "duration".to_string())]);
    assert_eq!(f[0].provider, Some(Provider::Gateway));
    assert!(f[0].to_string().contains("(gateway only)"));
    assert!(validate(&single("x", 10.0), Provider::Gateway, &ImageFacts::new()).is_empty());
    assert!(
        check(&b).is_empty(),
        "the official API takes any whole 3–15"
    );
}

#[test]
fn ignored_fields_are_warnings() {
    let mut b = shots(&[3]);
    b.prompt = "leftover".into();
    assert!(has(&check(&b), Severity::Warning, "prompt", "ignored"));
    let mut s = single("x", 5.0);
    s.shots = vec![Shot::new("y", 3)];
    assert!(has(&check(&s), Severity::Warning, "shots", "ignored"));
}

#[test]
fn negative_prompt_at_most_2500() {
    let mut b = shots(&[3]);
    b.negative_prompt = "n".repeat(2500);
    assert!(check(&b).is_empty());
    b.negative_prompt.push('n');
    assert!(has(&check(&b), Severity::Error, "negative_prompt", "2500"));
}

#[test]
fn cfg_scale_within_zero_and_one() {
    let mut b = shots(&[3]);
    for ok in [0.0, 0.5, 1.0] {
        b.cfg_scale = ok;
        assert!(check(&b).is_empty());
    }
    for bad in [-0.1, 1.1, f64::NAN] {
        b.cfg_scale = bad;
        assert!(
            has(&check(&b), Severity::Error, "cfg_scale", "0–1"),
            "{bad}"
        );
    }
}

#[test]
fn quality_is_std_or_pro() {
    let mut b = shots(&[3]);
    b.quality = "pro".into();
    assert!(check(&b).is_empty());
    b.quality = "ultra".into();
    assert!(has(&check(&b), Severity::Error, "quality", "std, pro"));
}

#[test]
fn aspect_ratio_one_of_three_and_a_warning_in_image_mode() {
    let mut b = shots(&[3]);
    for ok in ["16:9", "9:16", "1:1"] {
        b.aspect_ratio = Some(ok.into());
        assert!(check(&b).is_empty());
    }
    b.aspect_ratio = Some("4:3".into());
    assert!(has(
        &check(&b),
        Severity::Error,
        "aspect_ratio",
        "16:9, 9:16, 1:1"
    ));
    b.aspect_ratio = None;
    assert!(check(&b).is_empty(), "unset means the default");

    b.mode = Mode::Image;
    b.first_frame = Some("https://example.com/a.png".into());
    assert!(check(&b).is_empty());
    b.aspect_ratio = Some("16:9".into());
    let f = check(&b);
    assert!(
        has(&f, Severity::Warning, "aspect_ratio", "first frame decides"),
        "{f:?}"
    );
    assert!(is_submittable(&f));
}

#[test]
fn model_must_be_named() {
    let mut b = shots(&[3]);
    b.model = " ".into();
    assert!(has(&check(&b), Severity::Error, "model", "empty"));
}

#[test]
fn unsupported_schema_version_is_an_error() {
    let mut b = shots(&[3]);
    b.version = 2;
    assert!(has(&check(&b), Severity::Error, "version", "version 2"));
}

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
fn errors_come_before_warnings() {
    let mut b = shots(&[5, 5, 6]);
    b.prompt = "leftover".into();
    let f = check(&b);
    assert_eq!(f.first().map(|f| f.severity), Some(Severity::Error));
    assert_eq!(f.last().map(|f| f.severity), Some(Severity::Warning));
}

#[test]
fn finding_knows_its_shot() {
    assert_eq!(Finding::error("shots[4].prompt", "x").shot_index(), Some(4));
    assert_eq!(Finding::error("duration", "x").shot_index(), None);
}
