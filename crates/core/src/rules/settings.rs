//! Rules about the board's settings.

use super::{Ctx, char_len};
use crate::field_path::FieldPath;
use crate::findings::Finding;
use crate::model::{DEFAULT_ASPECT_RATIO, DEFAULT_CFG_SCALE, Mode, SCHEMA_VERSION};
use crate::models;
use crate::provider::Provider;

pub(super) fn version(cx: &Ctx, out: &mut Vec<Finding>) {
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

pub(super) fn negative_prompt(cx: &Ctx, out: &mut Vec<Finding>) {
    let max = cx.limits.negative_prompt_max_chars;
    let len = char_len(&cx.board.negative_prompt);
    if len > max {
        out.push(Finding::error(
            FieldPath::NegativePrompt,
            format!("negative prompt is {len} characters; the limit is {max}"),
        ));
    }
}

pub(super) fn cfg_scale(cx: &Ctx, out: &mut Vec<Finding>) {
    let (lo, hi) = (cx.limits.cfg_scale_min, cx.limits.cfg_scale_max);
    let v = cx.board.cfg_scale;
    if !(lo..=hi).contains(&v) {
        out.push(Finding::error(
            FieldPath::CfgScale,
            format!("cfg_scale {v} is outside {lo}–{hi}"),
        ));
    }
}

pub(super) fn quality(cx: &Ctx, out: &mut Vec<Finding>) {
    let allowed = &cx.limits.qualities;
    if !allowed.contains(&cx.board.quality.as_str()) {
        out.push(Finding::error(
            FieldPath::Quality,
            format!(
                "quality {:?} is not one of {} ({})",
                cx.board.quality,
                allowed.join(", "),
                cx.row.name
            ),
        ));
    }
}

pub(super) fn aspect_ratio(cx: &Ctx, out: &mut Vec<Finding>) {
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
    if ratio_left_to_first_frame(cx) {
        // The default is what the board gets anyway; only a chosen ratio is worth a word.
        if ratio != DEFAULT_ASPECT_RATIO {
            out.push(Finding::warning(
                FieldPath::AspectRatio,
                format!(
                    "not sent: {} on {} takes no aspect_ratio with a first frame (the first frame decides the ratio)",
                    cx.route.model_name, cx.route.endpoint.path
                ),
            ));
        }
        return;
    }
    let allowed = cx.limits.aspect_ratios;
    if !allowed.contains(&ratio) {
        out.push(Finding::error(
            FieldPath::AspectRatio,
            format!(
                "aspect ratio {ratio:?} is not one of {} ({})",
                allowed.join(", "),
                cx.row.name
            ),
        ));
    }
}

pub(super) fn model(cx: &Ctx, out: &mut Vec<Finding>) {
    let name = cx.board.model.trim();
    let known = models::names(cx.table).join(", ");
    if name.is_empty() {
        out.push(Finding::error(
            FieldPath::Model,
            format!("model is empty (one of {known})"),
        ));
    } else if models::find(cx.table, &cx.board.model).is_none() {
        out.push(Finding::error(
            FieldPath::Model,
            format!("model {:?} is not one of {known}", cx.board.model),
        ));
    }
}

/// Fields the official endpoint does not document are not sent (compose reads the same
/// row); say so when the board sets them. The gateway form still carries them. A board
/// sent by the v2 design is told by the `kling_route` rule, in the v2 design's words.
pub(super) fn model_fields(cx: &Ctx, out: &mut Vec<Finding>) {
    if cx.provider != Provider::Kling
        || crate::kling_v2::sent_by_v2(cx.row, cx.board.mode, cx.provider, cx.caps.kling_route)
            .is_some()
    {
        return;
    }
    let b = cx.board;
    let endpoint = cx.route.endpoint;
    let served = format!("{} on {}", cx.route.model_name, endpoint.path);
    if !endpoint.takes_negative_prompt && !b.negative_prompt.trim().is_empty() {
        out.push(
            Finding::warning(
                FieldPath::NegativePrompt,
                format!(
                    "not sent: {served} takes no negative_prompt (say what to avoid in the prompt)"
                ),
            )
            .for_provider(cx.provider),
        );
    }
    if !endpoint.takes_cfg_scale && b.cfg_scale != DEFAULT_CFG_SCALE {
        out.push(
            Finding::warning(
                FieldPath::CfgScale,
                format!("not sent: {served} takes no cfg_scale"),
            )
            .for_provider(cx.provider),
        );
    }
}

/// True when the board's first frame travels with a reference board to an endpoint that
/// takes no `aspect_ratio` beside one (compose leaves it out, for every provider that sends
/// Kling's body).
fn ratio_left_to_first_frame(cx: &Ctx) -> bool {
    let b = cx.board;
    b.mode == Mode::Reference
        && !cx.route.endpoint.aspect_ratio_with_first_frame
        && b.first_frame
            .as_deref()
            .is_some_and(|f| !f.trim().is_empty())
        && sends_klings_body(cx.provider)
}

/// The providers whose request is Kling's own body (compose/kling.rs).
pub(super) fn sends_klings_body(provider: Provider) -> bool {
    matches!(provider, Provider::Kling | Provider::KlingRelay)
}
