//! Shot count, prompts, durations, totals and single-shot boards.

use super::{check, has, keys, shots};
use shotdeck::core::{Board, ImageFacts, Provider, Severity, Shot, validate};

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

pub fn single(prompt: &str, duration: f64) -> Board {
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
fn invisible_prompts_are_empty_and_huge_durations_read_as_written() {
    let mut b = shots(&[3, 3]);
    b.shots[0].prompt = "\u{200b}\u{feff} \u{00ad}".into();
    b.shots[1].duration = 1e300;
    let f = check(&b);
    assert!(
        has(&f, Severity::Error, "shots[0].prompt", "empty"),
        "{f:?}"
    );
    assert!(
        has(&f, Severity::Error, "shots[1].duration", "1e300 s"),
        "{f:?}"
    );
    assert!(
        has(&f, Severity::Error, "duration", "add up to 1e300 s"),
        "{f:?}"
    );
    assert!(!format!("{f:?}").contains("9223372036854775807"));
    // A prompt with a visible character among invisible ones is not empty.
    b.shots[0].prompt = "\u{200b}a".into();
    assert!(!has(
        &check(&b),
        Severity::Error,
        "shots[0].prompt",
        "empty"
    ));
}
