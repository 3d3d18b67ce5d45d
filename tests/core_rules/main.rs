//! Every validation rule has a test here that fails when the rule breaks.

mod images;
mod settings;
mod shots;

use shotdeck::core::images::{ImageFact, ImageFacts};
use shotdeck::core::{Board, Finding, Provider, Severity, Shot, validate};

pub fn check(board: &Board) -> Vec<Finding> {
    validate(board, Provider::Kling, &ImageFacts::new())
}

pub fn check_with(board: &Board, facts: &ImageFacts) -> Vec<Finding> {
    validate(board, Provider::Kling, facts)
}

/// The (severity, path) pairs, for compact assertions.
pub fn keys(findings: &[Finding]) -> Vec<(Severity, String)> {
    findings
        .iter()
        .map(|f| (f.severity, f.path.clone()))
        .collect()
}

pub fn has(findings: &[Finding], sev: Severity, path: &str, needle: &str) -> bool {
    findings
        .iter()
        .any(|f| f.severity == sev && f.path == path && f.message.contains(needle))
}

pub fn shots(durations: &[u32]) -> Board {
    Board {
        shots: durations.iter().map(|d| Shot::new("A shot.", *d)).collect(),
        aspect_ratio: Some("16:9".into()),
        ..Board::default()
    }
}

pub fn local(w: u32, h: u32, bytes: u64) -> ImageFact {
    ImageFact::Local {
        format: "png".into(),
        width: w,
        height: h,
        bytes,
    }
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
