//! First and last frames, as the model's endpoint takes them: image2video's `image` and
//! `image_tail`, or omni-video's typed `image_list` items (image and reference boards).

use super::Ctx;
use crate::core::field_path::FieldPath;
use crate::core::findings::Finding;
use crate::core::model::Mode;
use crate::core::models::FrameForm;

/// The official omni-video page on `multi_shot` (research report §3b, read 2026-11-25).
const OMNI_MULTI_SHOT_FRAMES: &str =
    "\"When true: … it does not support setting the start & end frames to generate videos\"";

fn set(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

pub fn frames(cx: &Ctx, out: &mut Vec<Finding>) {
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
    // end frame alone is not supported ("must have a first-frame image when using end-frame").
    if b.mode == Mode::Reference && last && !first {
        out.push(Finding::error(
            FieldPath::LastFrame,
            "a last frame needs a first frame (an end frame alone is not supported)",
        ));
    }
}
