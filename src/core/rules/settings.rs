//! Rules about the board's settings.

use super::{Ctx, char_len};
use crate::core::field_path::FieldPath;
use crate::core::findings::Finding;
use crate::core::model::{Mode, SCHEMA_VERSION};

pub fn version(cx: &Ctx, out: &mut Vec<Finding>) {
    let v = cx.board.version;
    if v != SCHEMA_VERSION {
        out.push(Finding::error(
            FieldPath::Version,
            format!(
                "schema version {v} is not supported (this shotdeck reads version {SCHEMA_VERSION})"
            ),
        ));
    }
}

pub fn negative_prompt(cx: &Ctx, out: &mut Vec<Finding>) {
    let max = cx.limits.negative_prompt_max_chars;
    let len = char_len(&cx.board.negative_prompt);
    if len > max {
        out.push(Finding::error(
            FieldPath::NegativePrompt,
            format!("negative prompt is {len} characters; the limit is {max}"),
        ));
    }
}

pub fn cfg_scale(cx: &Ctx, out: &mut Vec<Finding>) {
    let (lo, hi) = (cx.limits.cfg_scale_min, cx.limits.cfg_scale_max);
    let v = cx.board.cfg_scale;
    if !(lo..=hi).contains(&v) {
        out.push(Finding::error(
            FieldPath::CfgScale,
            format!("cfg_scale {v} is outside {lo}–{hi}"),
        ));
    }
}

pub fn quality(cx: &Ctx, out: &mut Vec<Finding>) {
    let allowed = cx.limits.qualities;
    if !allowed.contains(&cx.board.quality.as_str()) {
        out.push(Finding::error(
            FieldPath::Quality,
            format!(
                "quality {:?} is not one of {}",
                cx.board.quality,
                allowed.join(", ")
            ),
        ));
    }
}

pub fn aspect_ratio(cx: &Ctx, out: &mut Vec<Finding>) {
    let Some(ratio) = cx.board.aspect_ratio.as_deref() else {
        return;
    };
    if cx.board.mode == Mode::Image {
        out.push(Finding::warning(
            FieldPath::AspectRatio,
            "ignored in image mode: the first frame decides the ratio",
        ));
        return;
    }
    let allowed = cx.limits.aspect_ratios;
    if !allowed.contains(&ratio) {
        out.push(Finding::error(
            FieldPath::AspectRatio,
            format!(
                "aspect ratio {ratio:?} is not one of {}",
                allowed.join(", ")
            ),
        ));
    }
}

pub fn model(cx: &Ctx, out: &mut Vec<Finding>) {
    if cx.board.model.trim().is_empty() {
        out.push(Finding::error(
            FieldPath::Model,
            "model is empty (e.g. kling-v3)",
        ));
    }
}
