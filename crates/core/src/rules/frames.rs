//! First and last frames, as the model's endpoint takes them: image2video's `image` and
//! `image_tail`, or omni-video's typed `image_list` items (image and reference boards).

use super::Ctx;
use crate::field_path::FieldPath;
use crate::findings::Finding;
use crate::model::Mode;
use crate::models::FrameForm;

/// Kling's omni-video page on `multi_shot` (app.klingai.com/global/dev/document-api/
/// apiReference/model/OmniVideo, read 2026-12-06).
const OMNI_MULTI_SHOT_FRAMES: &str =
    "\"When true: … it does not support setting the start & end frames to generate videos\"";

/// The same page on `image_list`, for the end-frame limit (see `OMNI_VIDEO`).
const OMNI_END_FRAME_IMAGES: &str = "\"setting the start & end frame is not supported when there are more than two images in the array\"";

fn set(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

pub(super) fn frames(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    if b.mode == Mode::Text {
        return; // `unused` says they are ignored.
    }
    let first = set(&b.first_frame);
    let last = set(&b.last_frame);
    let endpoint = cx.route.endpoint;
    match endpoint.frames {
        FrameForm::ImageFields => {
            if b.multi_shot && last {
                out.push(Finding::error(
                    FieldPath::LastFrame,
                    "a last frame is not allowed with multi-shot (turn multi_shot off or remove it)",
                ));
            }
        }
        FrameForm::TypedImageList if b.multi_shot => {
            for (path, is_set) in [(FieldPath::FirstFrame, first), (FieldPath::LastFrame, last)] {
                if is_set {
                    out.push(Finding::error(
                        path,
                        format!(
                            "{} on {} takes no frames with multi-shot (turn multi_shot off or remove it); the docs: {OMNI_MULTI_SHOT_FRAMES}",
                            cx.route.model_name, endpoint.path
                        ),
                    ));
                }
            }
            return;
        }
        FrameForm::TypedImageList => {}
        FrameForm::None => {
            for (path, is_set) in [(FieldPath::FirstFrame, first), (FieldPath::LastFrame, last)] {
                if is_set {
                    out.push(Finding::warning(
                        path,
                        format!("ignored: {} takes no frames", endpoint.path),
                    ));
                }
            }
            return;
        }
    }
    // Image mode already demands a first frame; with references it is optional, but an
    // end frame alone is not supported ("Currently does not support only the end frame").
    if b.mode == Mode::Reference && last && !first {
        out.push(Finding::error(
            FieldPath::LastFrame,
            "a last frame needs a first frame (an end frame alone is not supported)",
        ));
    }
    end_frame_images(cx, first, last, out);
}

/// An end frame in a request of more images than the endpoint takes one with.
fn end_frame_images(cx: &Ctx, first: bool, last: bool, out: &mut Vec<Finding>) {
    let endpoint = cx.route.endpoint;
    let Some(max) = endpoint.end_frame_max_images else {
        return;
    };
    let references = match cx.board.mode {
        Mode::Reference => cx.board.references.len(),
        _ => 0,
    };
    let images = references + usize::from(first) + usize::from(last);
    if last && images > max {
        out.push(Finding::error(
            FieldPath::LastFrame,
            format!(
                "{} on {} takes no last frame with more than {max} images ({images} here: {references} reference(s) and the frames); remove the last frame or references. The docs: {OMNI_END_FRAME_IMAGES}",
                cx.route.model_name, endpoint.path
            ),
        ));
    }
}
