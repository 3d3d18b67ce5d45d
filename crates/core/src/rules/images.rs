//! Rules about first/last frames and reference images.

use super::{Ctx, image_placeholders};
use crate::field_path::{FieldPath, ShotField};
use crate::findings::Finding;
use crate::images::ImageFact;
use crate::model::{Board, Mode, foreign_scheme};

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
}

pub(super) fn image_mode(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    if b.mode != Mode::Image {
        return;
    }
    if set(&b.first_frame).is_none() {
        out.push(Finding::error(
            FieldPath::FirstFrame,
            "image mode needs a first frame (a JPG/PNG path or an http(s) URL)",
        ));
    }
}

/// How many images a prompt can name as `<<<image_N>>>`: the references, in reference mode
/// only (the other modes send none, so a token there reaches the model as plain text).
pub fn referable_images(b: &Board) -> usize {
    if b.mode == Mode::Reference {
        b.references.len()
    } else {
        0
    }
}

/// The prompts the board sends, with their paths: the shot list's, or the one prompt.
pub(super) fn sent_prompts(b: &Board) -> Vec<(FieldPath, &str)> {
    if b.uses_shot_list() {
        b.shots
            .iter()
            .enumerate()
            .map(|(i, s)| (FieldPath::shot(i, ShotField::Prompt), s.prompt.as_str()))
            .collect()
    } else {
        vec![(FieldPath::Prompt, b.prompt.as_str())]
    }
}

pub(super) fn reference_mode(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    let (min, max) = (cx.limits.min_references, cx.limits.max_references);
    if b.mode != Mode::Reference {
        let mode = b.mode.as_str();
        for (path, text) in sent_prompts(b) {
            for k in image_placeholders(text) {
                out.push(Finding::warning(
                    path,
                    format!("<<<image_{k}>>> is sent as plain text: {mode} mode sends no reference images (reference mode takes {min}–{max})"),
                ));
            }
        }
        return;
    }
    let n = b.references.len();
    // Frames travel in the same omni `image_list`, so they count towards its limit.
    let frames = [&b.first_frame, &b.last_frame]
        .into_iter()
        .filter(|f| set(f).is_some())
        .count();
    if n < min || n > max {
        out.push(Finding::error(
            FieldPath::References,
            format!("{n} reference image(s); reference mode takes {min}–{max}"),
        ));
    } else if n + frames > max {
        out.push(Finding::error(
            FieldPath::References,
            format!("{n} reference image(s) and {frames} frame(s); reference mode takes at most {max} images in all"),
        ));
    }
    let mut used = vec![false; n];
    for (path, text) in sent_prompts(b) {
        for k in image_placeholders(text) {
            if (1..=n).contains(&k) {
                used[k - 1] = true;
            } else {
                out.push(Finding::error(
                    path,
                    format!("<<<image_{k}>>> names no reference (the board has {n})"),
                ));
            }
        }
    }
    for (i, u) in used.iter().enumerate() {
        if !u {
            out.push(Finding::warning(
                FieldPath::Reference(i),
                format!("no prompt mentions <<<image_{}>>>", i + 1),
            ));
        }
    }
}

pub(super) fn unused(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    let mode = b.mode.as_str();
    // Image and reference boards send their frames (the `frames` rule says how).
    if b.mode == Mode::Text {
        for (path, v) in [
            (FieldPath::FirstFrame, &b.first_frame),
            (FieldPath::LastFrame, &b.last_frame),
        ] {
            if set(v).is_some() {
                out.push(Finding::warning(path, format!("ignored in {mode} mode")));
            }
        }
    }
    if b.mode != Mode::Reference && !b.references.is_empty() {
        out.push(Finding::warning(
            FieldPath::References,
            format!("ignored in {mode} mode"),
        ));
    }
}

/// The images the board's mode sends (the others are ignored), with their JSON paths.
pub fn sent_images(b: &Board) -> Vec<(FieldPath, &str)> {
    b.image_refs()
        .into_iter()
        .filter(|(path, v)| {
            !v.trim().is_empty()
                && match b.mode {
                    Mode::Text => false,
                    Mode::Image => !matches!(path, FieldPath::Reference(_)),
                    Mode::Reference => true,
                }
        })
        .collect()
}

/// Checks the local files of the images the current mode will send.
pub(super) fn files(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    let l = &cx.limits;
    for (path, reference) in sent_images(b) {
        if let Some(scheme) = foreign_scheme(reference) {
            out.push(Finding::error(
                path,
                format!(
                    "{reference:.60}: {scheme}: references are not sent; an image is a local path or an http(s) URL"
                ),
            ));
            continue;
        }
        match cx.facts.get(reference) {
            None | Some(ImageFact::Remote) => {}
            Some(ImageFact::Missing(why)) => out.push(Finding::error(
                path,
                format!("cannot read {reference}: {why}"),
            )),
            Some(ImageFact::Unreadable(why)) => out.push(Finding::error(
                path,
                format!("{reference} is not a JPG or PNG image ({why})"),
            )),
            Some(ImageFact::Local {
                format,
                width,
                height,
                bytes,
            }) => {
                if !l.image_formats.contains(&format.as_str()) {
                    out.push(Finding::error(
                        path,
                        format!("{reference} is {format}; only JPG and PNG are accepted"),
                    ));
                }
                if *bytes > l.image_max_bytes {
                    out.push(Finding::error(
                        path,
                        format!(
                            "{reference} is {:.1} MB; the limit is {} MB",
                            *bytes as f64 / (1024.0 * 1024.0),
                            l.image_max_bytes / (1024 * 1024)
                        ),
                    ));
                }
                let short = (*width).min(*height);
                if short < l.image_min_side_px {
                    out.push(Finding::error(
                        path,
                        format!(
                            "{reference} is {width}×{height} px; both sides need at least {} px",
                            l.image_min_side_px
                        ),
                    ));
                }
                let ratio = f64::from((*width).max(*height)) / f64::from(short.max(1));
                if ratio > l.image_max_ratio {
                    out.push(Finding::error(
                        path,
                        format!(
                            "{reference} is {width}×{height} px (ratio {ratio:.2}:1); the ratio must be within 1:{0}–{0}:1",
                            l.image_max_ratio
                        ),
                    ));
                }
            }
        }
    }
}
