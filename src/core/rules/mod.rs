//! Validation: one table of rules, each reading its numbers from the provider's [`Limits`].
//!
//! Cheap enough to run on every keystroke (a 6-shot board validates in microseconds; see
//! `benches/core.rs`). Image checks use facts gathered beforehand by the files layer, so
//! nothing here touches the disk.

mod images;
mod placeholders;
mod settings;
mod shots;

use super::findings::{Finding, Severity};
use super::images::ImageFacts;
use super::model::Board;
use super::provider::{Limits, Provider};

pub use images::sent_images;
pub use placeholders::image_placeholders;

/// What every rule sees.
pub struct Ctx<'a> {
    pub board: &'a Board,
    pub provider: Provider,
    pub limits: &'a Limits,
    pub facts: &'a ImageFacts,
}

/// One validation rule: a stable id, what it checks (for `--help` and docs), and the check.
pub struct Rule {
    pub id: &'static str,
    pub summary: &'static str,
    pub check: fn(&Ctx, &mut Vec<Finding>),
}

/// Every rule, in the order findings are reported.
pub const RULES: &[Rule] = &[
    Rule {
        id: "version",
        summary: "the board's schema version is one this build reads",
        check: settings::version,
    },
    Rule {
        id: "shot_count",
        summary: "multi-shot boards have 1–6 shots",
        check: shots::count,
    },
    Rule {
        id: "shot_prompts",
        summary: "each shot prompt is non-empty and ≤ 512 characters",
        check: shots::prompts,
    },
    Rule {
        id: "shot_durations",
        summary: "each shot lasts a whole number of seconds, ≥ 1",
        check: shots::durations,
    },
    Rule {
        id: "total_duration",
        summary: "the task lasts 3–15 s (multi-shot: the sum of the shots)",
        check: shots::total,
    },
    Rule {
        id: "single_prompt",
        summary: "single-shot boards have one prompt ≤ 2500 characters",
        check: shots::single_prompt,
    },
    Rule {
        id: "ignored_fields",
        summary: "fields the chosen shot style ignores are flagged",
        check: shots::ignored_fields,
    },
    Rule {
        id: "negative_prompt",
        summary: "negative_prompt ≤ 2500 characters",
        check: settings::negative_prompt,
    },
    Rule {
        id: "cfg_scale",
        summary: "cfg_scale within 0–1",
        check: settings::cfg_scale,
    },
    Rule {
        id: "quality",
        summary: "quality is std or pro",
        check: settings::quality,
    },
    Rule {
        id: "aspect_ratio",
        summary: "aspect_ratio is 16:9, 9:16 or 1:1 (ignored in image mode)",
        check: settings::aspect_ratio,
    },
    Rule {
        id: "model",
        summary: "a model is named",
        check: settings::model,
    },
    Rule {
        id: "image_mode",
        summary: "image mode has a first frame; no last frame with multi-shot",
        check: images::image_mode,
    },
    Rule {
        id: "reference_mode",
        summary: "reference mode has 1–7 references and every <<<image_N>>> names one",
        check: images::reference_mode,
    },
    Rule {
        id: "unused_images",
        summary: "images the mode ignores are flagged",
        check: images::unused,
    },
    Rule {
        id: "image_files",
        summary: "local images are JPG/PNG, ≤ 10 MB, sides ≥ 300 px, ratio within 1:2.5–2.5:1",
        check: images::files,
    },
];

/// Runs every rule. Errors come before warnings; within a severity, rule order is kept.
pub fn validate(board: &Board, provider: Provider, facts: &ImageFacts) -> Vec<Finding> {
    let ctx = Ctx {
        board,
        provider,
        limits: provider.limits(),
        facts,
    };
    let mut out = Vec::new();
    for rule in RULES {
        (rule.check)(&ctx, &mut out);
    }
    // A stable sort keeps each severity's findings in rule order.
    out.sort_by_key(|f| f.severity != Severity::Error);
    out
}

/// Number of characters as the provider counts them (Unicode scalar values, not bytes).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Formats seconds without a trailing `.0` for whole values.
pub fn secs(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
