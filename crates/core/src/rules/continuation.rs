//! A board sent with the previous keeper as omni-video's reference video (see
//! `sequence::continuation`): what Kling and relays document for `video_list`, checked
//! before anything is paid for. Each refusal here costs nothing; a task that ignores the
//! video would cost a take that does not continue.

use super::Ctx;
use super::images::sent_images;
use crate::field_path::FieldPath;
use crate::findings::Finding;
use crate::sequence::continuation::{VIDEO_PREFIX, VIDEO_SECONDS, needs_prefix};
use crate::sequence::{Continuation, ContinueHow};

/// Images beside a reference video: "有参考视频时：≤4张" and elements with them "有参考视频时：
/// 参考图片数量 + 参考主体数量 ≤ 4" (omni-video page, Chinese copy, WHQ25/rawgenai
/// docs/research/kling/omni-video-o1.md @ b3f9cef).
pub(crate) const MAX_IMAGES_WITH_VIDEO: usize = 4;

pub(super) fn video_reference(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    let Some(Continuation {
        how: ContinueHow::VideoReference { .. },
        board: from,
        take,
    }) = &b.continues
    else {
        return;
    };
    let with = format!("with {from} take {take} as the reference video");
    // A ComfyUI Kling node's omni body (awsl1110/ComfyUI-KlingAI `kling_nodes.py` @
    // 5f3d14961be5): `payload["sound"] = "off"  # 有 video_list 时 API
    // 要求声音关闭` ("with video_list the API requires sound off"); Kling's price list has
    // video input with audio off only.
    if b.sound {
        out.push(Finding::error(
            FieldPath::Sound,
            format!("sound must be off {with} (Kling requires it with video_list)"),
        ));
    }
    // new-api's calculateOmniVideoDuration (cuijinyu/new-api @ 7f2ef4ad7b18): "V3 支持
    // 3-15s，但视频参考(feature)限制为 3-10s"; the omni page's FAQ: "其他情况：可选 3-10s".
    let (lo, hi) = VIDEO_SECONDS;
    let total = b.total_duration();
    if !(lo..=hi).contains(&total) {
        out.push(Finding::error(
            FieldPath::Duration,
            format!(
                "{} s: a video continued {with} lasts 3–10 s",
                super::secs(total)
            ),
        ));
    }
    let images = sent_images(b).len();
    if images > MAX_IMAGES_WITH_VIDEO {
        out.push(Finding::error(
            FieldPath::References,
            format!(
                "{images} images: at most {MAX_IMAGES_WITH_VIDEO} go beside a reference video ({with})"
            ),
        ));
    }
    let elements = b.elements.len();
    if elements > 0 && images + elements > MAX_IMAGES_WITH_VIDEO {
        out.push(Finding::error(
            FieldPath::Elements,
            format!(
                "{images} images and {elements} elements: at most {MAX_IMAGES_WITH_VIDEO} together \
                 beside a reference video ({with})"
            ),
        ));
    }
    // The prefix the request puts before the first prompt must still fit its limit.
    if needs_prefix(b) {
        let (path, text, max) = if b.uses_shot_list() {
            match b.shots.first() {
                Some(s) => (
                    FieldPath::shot(0, crate::field_path::ShotField::Prompt),
                    s.prompt.as_str(),
                    cx.limits.shot_prompt_max_chars,
                ),
                None => return,
            }
        } else {
            (
                FieldPath::Prompt,
                b.prompt.as_str(),
                cx.limits.prompt_max_chars,
            )
        };
        let len = super::char_len(VIDEO_PREFIX) + super::char_len(text);
        if len > max {
            out.push(Finding::error(
                path,
                format!(
                    "with {VIDEO_PREFIX:?} put before it (no prompt names <<<video_1>>>) it is \
                     {len} characters, over {max}: name <<<video_1>>> in it yourself or shorten it"
                ),
            ));
        }
    }
}
