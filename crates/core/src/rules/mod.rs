//! Validation: one table of rules, each reading its numbers from the provider's [`Limits`].
//!
//! Cheap enough to run on every keystroke (a 6-shot board validates in microseconds; see
//! `benches/core.rs`). Image checks use facts gathered beforehand by the files layer, so
//! nothing here touches the disk.

mod continuation;
mod design;
mod elements;
mod evidence;
mod frames;
mod images;
mod placeholders;
mod route;
mod settings;
mod shots;

use super::findings::{Finding, Severity};
use super::gateway_profile::Profiles;
use super::images::ImageFacts;
use super::model::Board;
use super::models::{MODELS, ModelRow, ModelTable, Route, row_or_default};
use super::provider::{Limits, Provider};
use super::route::RouteCaps;

pub use evidence::unverified_notes;
pub use images::referable_images;
pub use images::sent_images;
pub use placeholders::{image_placeholder_spans, image_placeholders};

/// What every rule sees.
pub struct Ctx<'a> {
    pub board: &'a Board,
    pub provider: Provider,
    /// What the chosen route carries (from the user's profiles).
    pub caps: RouteCaps,
    pub limits: Limits,
    /// The table the board's `model` is chosen from.
    pub table: ModelTable<'a>,
    /// The board's model, or the default one when the name is unknown.
    pub row: &'a ModelRow,
    /// Where the official API sends the board (the relay behind a gateway does the same).
    pub route: &'a Route,
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
        id: "route",
        summary: "the route carries the whole board: its shot list, Auto, references and frames",
        check: route::carries,
    },
    Rule {
        id: "kling_route",
        summary: "the model has the Kling design chosen (legacy or v2, [profiles.kling] route) and the board fits it (kling)",
        check: design::kling_route,
    },
    Rule {
        id: "shot_count",
        summary: "custom multi-shot boards have 1–6 shots",
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
        summary: "the task lasts the model's range, 3–15 s (custom multi-shot: the sum of the shots)",
        check: shots::total,
    },
    Rule {
        id: "single_prompt",
        summary: "single-shot and auto boards have one prompt ≤ 2500 characters",
        check: shots::single_prompt,
    },
    Rule {
        id: "ignored_fields",
        summary: "fields the chosen shot style ignores are flagged",
        check: shots::ignored_fields,
    },
    Rule {
        id: "shot_type",
        summary: "shot_type (custom or auto) is one the model offers; ignored single-shot",
        check: shots::shot_type,
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
        id: "model_fields",
        summary: "fields the model's endpoint does not take are flagged and not sent (kling)",
        check: settings::model_fields,
    },
    Rule {
        id: "quality",
        summary: "quality is one the model offers (std, pro, 4k)",
        check: settings::quality,
    },
    Rule {
        id: "aspect_ratio",
        summary: "aspect_ratio is one the model offers (ignored in image mode and, on omni-video, beside a first frame)",
        check: settings::aspect_ratio,
    },
    Rule {
        id: "unverified",
        summary: "settings the endpoint's docs do not show (4k) are flagged \"unverified\" (kling, kling-relay)",
        check: evidence::unverified,
    },
    Rule {
        id: "model",
        summary: "the model is one in the model table",
        check: settings::model,
    },
    Rule {
        id: "image_mode",
        summary: "image mode has a first frame",
        check: images::image_mode,
    },
    Rule {
        id: "frames",
        summary: "frames the endpoint takes: a last frame needs a first; none or first only with multi-shot; omni: no last frame with more than 2 images",
        check: frames::frames,
    },
    Rule {
        id: "reference_mode",
        summary: "reference mode has 1–7 images and every <<<image_N>>> names a reference; other modes send tokens as text",
        check: images::reference_mode,
    },
    Rule {
        id: "elements",
        summary: "elements: the endpoint takes element_list (image2video ≤ 3; omni-video ≤ 7 with the images, ≤ 3 beside a first frame), every <<<element_N>>> names one",
        check: elements::elements,
    },
    Rule {
        id: "voices",
        summary: "voices: the endpoint documents voice_list, sound is on, every <<<voice_N>>> names one",
        check: elements::voices,
    },
    Rule {
        id: "video_reference",
        summary: "a board continued with the previous keeper as omni's reference video: sound off, 3–10 s, ≤ 4 images and elements beside it",
        check: continuation::video_reference,
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

/// Runs every rule with the built-in profiles. Errors come before warnings; within a
/// severity, rule order is kept.
pub fn validate(board: &Board, provider: Provider, facts: &ImageFacts) -> Vec<Finding> {
    validate_with(board, provider, facts, MODELS)
}

/// [`validate`] with the user's profiles (`[profiles]` in config.toml): what the route
/// carries decides whether the board can go.
pub fn validate_for(
    board: &Board,
    provider: Provider,
    profiles: &Profiles,
    facts: &ImageFacts,
) -> Vec<Finding> {
    validate_in(board, profiles.caps(provider), facts, MODELS)
}

/// [`validate`] against another model table.
pub fn validate_with(
    board: &Board,
    provider: Provider,
    facts: &ImageFacts,
    table: ModelTable,
) -> Vec<Finding> {
    validate_in(board, Profiles::default().caps(provider), facts, table)
}

fn validate_in(
    board: &Board,
    caps: RouteCaps,
    facts: &ImageFacts,
    table: ModelTable,
) -> Vec<Finding> {
    let provider = caps.provider;
    let row = row_or_default(table, &board.model);
    let ctx = Ctx {
        board,
        provider,
        caps,
        limits: Limits::new(provider, row),
        table,
        row,
        route: row.route(board.mode),
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

/// Formats seconds as the user wrote them: without a trailing `.0` for whole values, and in
/// exponent form past what anyone types out (`1e300`, not 9223372036854775807).
pub fn secs(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e15 {
        format!("{v:e}")
    } else if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// True when a prompt holds nothing a model could read: whitespace, control characters and
/// invisible format characters (zero-width spaces and joiners, the BOM, soft hyphens,
/// variation selectors) only. Such a prompt counts as empty.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '\u{200b}'..='\u{200f}'
                    | '\u{2060}'..='\u{2064}'
                    | '\u{feff}'
                    | '\u{00ad}'
                    | '\u{180e}'
                    | '\u{fe00}'..='\u{fe0f}'
            )
    })
}
