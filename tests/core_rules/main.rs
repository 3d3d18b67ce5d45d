//! Every validation rule has a test here that fails when the rule breaks.

mod element_limits;
mod elements;
mod evidence;
mod images;
mod models;
mod route;
mod settings;
mod shots;
mod v2_words;

use shotdeck::core::images::{ImageFact, ImageFacts};
use shotdeck::core::{Board, FieldPath, Finding, Provider, Severity, Shot, ShotField, validate};

pub fn check(board: &Board) -> Vec<Finding> {
    validate(board, Provider::Kling, &ImageFacts::new())
}

pub fn check_with(board: &Board, facts: &ImageFacts) -> Vec<Finding> {
    validate(board, Provider::Kling, facts)
}

/// The (severity, path) pairs, for compact assertions. Paths are compared as the text
/// `validate --json` prints, so these tests also pin that contract.
pub fn keys(findings: &[Finding]) -> Vec<(Severity, String)> {
    findings
        .iter()
        .map(|f| (f.severity, f.path.to_string()))
        .collect()
}

pub fn has(findings: &[Finding], sev: Severity, path: &str, needle: &str) -> bool {
    findings
        .iter()
        .any(|f| f.severity == sev && f.path.to_string() == path && f.message.contains(needle))
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
    let prompt = FieldPath::shot(4, ShotField::Prompt);
    assert_eq!(Finding::error(prompt, "x").shot_index(), Some(4));
    assert_eq!(Finding::error(FieldPath::Duration, "x").shot_index(), None);
}
