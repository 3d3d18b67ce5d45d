//! Negative prompt, cfg_scale, quality, aspect ratio, model and schema version.

use super::{check, has, shots};
use shotdeck::core::{Mode, Severity, is_submittable};

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
