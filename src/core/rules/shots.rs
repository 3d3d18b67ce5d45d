//! Rules about shots, prompts and durations.

use super::{Ctx, char_len, is_blank, secs};
use crate::core::field_path::{FieldPath, ShotField};
use crate::core::findings::Finding;

pub fn count(cx: &Ctx, out: &mut Vec<Finding>) {
    if !cx.board.multi_shot {
        return;
    }
    let n = cx.board.shots.len();
    let l = cx.limits;
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

pub fn prompts(cx: &Ctx, out: &mut Vec<Finding>) {
    if !cx.board.multi_shot {
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

pub fn durations(cx: &Ctx, out: &mut Vec<Finding>) {
    if !cx.board.multi_shot {
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

pub fn total(cx: &Ctx, out: &mut Vec<Finding>) {
    let l = cx.limits;
    let total = cx.board.total_duration();
    let (lo, hi) = (l.total_min_seconds, l.total_max_seconds);
    if cx.board.multi_shot {
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
    } else if !l.single_shot_standard_seconds.is_empty()
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

pub fn single_prompt(cx: &Ctx, out: &mut Vec<Finding>) {
    if cx.board.multi_shot {
        return;
    }
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
            format!("prompt is {len} characters; a single-shot prompt allows at most {max}"),
        ));
    }
}

pub fn ignored_fields(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    if b.multi_shot && !b.prompt.trim().is_empty() {
        out.push(Finding::warning(
            FieldPath::Prompt,
            "ignored while multi_shot is true (each shot has its own prompt)",
        ));
    }
    if !b.multi_shot && !b.shots.is_empty() {
        out.push(Finding::warning(
            FieldPath::Shots,
            format!(
                "{} shot(s) ignored while multi_shot is false",
                b.shots.len()
            ),
        ));
    }
}
