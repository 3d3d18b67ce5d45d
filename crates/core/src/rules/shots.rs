//! Rules about shots, prompts and durations.

use super::{Ctx, char_len, is_blank, secs};
use crate::field_path::{FieldPath, ShotField};
use crate::findings::Finding;
use crate::model::ShotType;

pub(super) fn count(cx: &Ctx, out: &mut Vec<Finding>) {
    if !cx.board.uses_shot_list() {
        return;
    }
    let n = cx.board.shots.len();
    let l = &cx.limits;
    if n < l.min_shots {
        out.push(Finding::error(
            FieldPath::Shots,
            format!(
                "a multi-shot board needs at least {} shot (it has {n})",
                l.min_shots
            ),
        ));
    } else if n > l.max_shots {
        out.push(Finding::error(
            FieldPath::Shots,
            format!("{n} shots; multi-shot allows at most {}", l.max_shots),
        ));
    }
}

pub(super) fn prompts(cx: &Ctx, out: &mut Vec<Finding>) {
    if !cx.board.uses_shot_list() {
        return;
    }
    let max = cx.limits.shot_prompt_max_chars;
    for (i, shot) in cx.board.shots.iter().enumerate() {
        let path = FieldPath::shot(i, ShotField::Prompt);
        let len = char_len(&shot.prompt);
        if is_blank(&shot.prompt) {
            out.push(Finding::error(
                path,
                format!("prompt is empty (1–{max} characters)"),
            ));
        } else if len > max {
            out.push(Finding::error(
                path,
                format!("prompt is {len} characters; a shot prompt allows at most {max}"),
            ));
        }
    }
}

pub(super) fn durations(cx: &Ctx, out: &mut Vec<Finding>) {
    if !cx.board.uses_shot_list() {
        return;
    }
    let min = cx.limits.shot_min_seconds;
    for (i, shot) in cx.board.shots.iter().enumerate() {
        let path = FieldPath::shot(i, ShotField::Duration);
        let d = shot.duration;
        if !d.is_finite() || d.fract() != 0.0 {
            out.push(Finding::error(
                path,
                format!("duration {} s is not a whole number of seconds", secs(d)),
            ));
        } else if d < min {
            out.push(Finding::error(
                path,
                format!(
                    "duration {} s; each shot lasts at least {} s",
                    secs(d),
                    secs(min)
                ),
            ));
        } else if d > cx.limits.total_max_seconds {
            out.push(Finding::error(
                path,
                format!(
                    "duration {} s; the whole sequence allows at most {} s",
                    secs(d),
                    secs(cx.limits.total_max_seconds)
                ),
            ));
        }
    }
}

pub(super) fn total(cx: &Ctx, out: &mut Vec<Finding>) {
    let l = &cx.limits;
    let total = cx.board.total_duration();
    let (lo, hi) = (l.total_min_seconds, l.total_max_seconds);
    if cx.board.uses_shot_list() {
        if cx.board.shots.is_empty() {
            return; // `count` already says so.
        }
        if total > hi {
            out.push(Finding::error(
                FieldPath::Duration,
                format!(
                    "shots add up to {} s; the total allows at most {} s",
                    secs(total),
                    secs(hi)
                ),
            ));
        } else if total < lo {
            out.push(Finding::error(
                FieldPath::Duration,
                format!(
                    "shots add up to {} s; the total needs at least {} s",
                    secs(total),
                    secs(lo)
                ),
            ));
        }
        return;
    }
    if !total.is_finite() || total.fract() != 0.0 {
        out.push(Finding::error(
            FieldPath::Duration,
            format!(
                "duration {} s is not a whole number of seconds",
                secs(total)
            ),
        ));
    } else if total < lo || total > hi {
        out.push(Finding::error(
            FieldPath::Duration,
            format!(
                "duration {} s is outside {}–{} s",
                secs(total),
                secs(lo),
                secs(hi)
            ),
        ));
    } else if !cx.board.multi_shot
        && !l.single_shot_standard_seconds.is_empty()
        && !l.single_shot_standard_seconds.contains(&(total as u32))
    {
        let std: Vec<String> = l
            .single_shot_standard_seconds
            .iter()
            .map(|s| s.to_string())
            .collect();
        out.push(
            Finding::warning(
                FieldPath::Duration,
                format!(
                    "{} s is not a standard single-shot duration here ({} s)",
                    secs(total),
                    std.join(" or ")
                ),
            )
            .for_provider(cx.provider),
        );
    }
}

pub(super) fn single_prompt(cx: &Ctx, out: &mut Vec<Finding>) {
    if cx.board.uses_shot_list() {
        return;
    }
    let kind = if cx.board.multi_shot {
        "an auto multi-shot"
    } else {
        "a single-shot"
    };
    let max = cx.limits.prompt_max_chars;
    let len = char_len(&cx.board.prompt);
    if is_blank(&cx.board.prompt) {
        out.push(Finding::error(
            FieldPath::Prompt,
            format!("prompt is empty (1–{max} characters)"),
        ));
    } else if len > max {
        out.push(Finding::error(
            FieldPath::Prompt,
            format!("prompt is {len} characters; {kind} prompt allows at most {max}"),
        ));
    }
}

pub(super) fn ignored_fields(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    if b.uses_shot_list() && !b.prompt.trim().is_empty() {
        out.push(Finding::warning(
            FieldPath::Prompt,
            "ignored while multi_shot is true (each shot has its own prompt)",
        ));
    }
    if b.shots.is_empty() {
        return;
    }
    let n = b.shots.len();
    if !b.multi_shot {
        out.push(Finding::warning(
            FieldPath::Shots,
            format!("{n} shot(s) ignored while multi_shot is false"),
        ));
    } else if b.shot_type == ShotType::Auto {
        // Kept so switching back to custom restores them, but not sent.
        out.push(Finding::warning(
            FieldPath::Shots,
            format!("{n} shot(s) ignored while shot_type is auto (the model cuts the shots)"),
        ));
    }
}

/// Auto is a multi-shot style; the model row says which styles it offers.
pub(super) fn shot_type(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    if b.shot_type == ShotType::Custom {
        return;
    }
    if !b.multi_shot {
        out.push(Finding::warning(
            FieldPath::ShotType,
            "ignored while multi_shot is false",
        ));
    } else if !cx.row.shot_types.contains(&b.shot_type) {
        let offered: Vec<&str> = cx.row.shot_types.iter().map(|t| t.as_str()).collect();
        out.push(Finding::error(
            FieldPath::ShotType,
            format!(
                "{} does not offer shot_type {:?} (it offers {})",
                cx.row.name,
                b.shot_type.as_str(),
                offered.join(", ")
            ),
        ));
    }
}
