//! Rules about elements and voices: the endpoint takes them, the counts stay within what
//! Kling documents, every `<<<element_N>>>` / `<<<voice_N>>>` names an entry, and voices
//! come with sound. Routes that cannot carry them at all are refused by the `route` rule.

use super::Ctx;
use super::images::{sent_images, sent_prompts};
use crate::elements::{TokenKind, tokens};
use crate::field_path::FieldPath;
use crate::findings::Finding;

/// Tokens naming no entry are errors; entries no prompt names are warnings.
fn check_tokens(
    cx: &Ctx,
    kind: TokenKind,
    count: usize,
    entry: fn(usize) -> FieldPath,
    out: &mut Vec<Finding>,
) {
    let mut used = vec![false; count];
    for (path, text) in sent_prompts(cx.board) {
        for k in tokens(text, kind) {
            if (1..=count).contains(&k) {
                used[k - 1] = true;
            } else {
                out.push(Finding::error(
                    path,
                    format!(
                        "{} names no {} (the board has {count})",
                        kind.token(k),
                        kind.word()
                    ),
                ));
            }
        }
    }
    for (i, u) in used.iter().enumerate() {
        if !u {
            out.push(Finding::warning(
                entry(i),
                format!("no prompt mentions {}", kind.token(i + 1)),
            ));
        }
    }
}

pub(super) fn elements(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    let n = b.elements.len();
    for (i, e) in b.elements.iter().enumerate() {
        if e.wire_id().is_none() {
            out.push(Finding::error(
                FieldPath::Element(i),
                format!(
                    "element id {:?} is not a Kling element id (a whole number, as `shotdeck elements list` shows)",
                    e.id
                ),
            ));
        }
    }
    // A route that cannot carry elements at all is the `route` rule's refusal.
    if n > 0 && cx.caps.elements {
        count(cx, n, out);
    }
    check_tokens(cx, TokenKind::Element, n, FieldPath::Element, out);
}

/// The counts the endpoint documents: none at all, its maximum (omni-video's shared with
/// the images), and at most [`Endpoint::max_elements_with_first_frame`] beside a first frame
/// on every route that sends one (omni-video's limit is from Tencent Cloud's copy of its
/// fields, TencentCloud/tencentcloud-sdk-php
/// src/TencentCloud/Vclm/V20240523/Models/SubmitVideoEditKlingJobRequest.php @ 0cfa26f7:
/// "当使用首帧生成视频时，最多支持3个主体"; see `crate::models::OMNI_VIDEO`).
///
/// [`Endpoint::max_elements_with_first_frame`]: crate::models::Endpoint::max_elements_with_first_frame
fn count(cx: &Ctx, n: usize, out: &mut Vec<Finding>) {
    let endpoint = cx.route.endpoint;
    if endpoint.max_elements == 0 {
        out.push(Finding::error(
            FieldPath::Elements,
            format!(
                "{} ({}) documents no element_list, so nothing is sent; choose model \
                 kling-v3-omni, or image or reference mode",
                endpoint.path, cx.route.model_name
            ),
        ));
        return;
    }
    let sent = sent_images(cx.board);
    if endpoint.elements_count_images {
        let images = sent.len();
        let max = cx.row.images.max_images.min(endpoint.max_elements);
        if n + images > max {
            out.push(Finding::error(
                FieldPath::Elements,
                format!(
                    "{n} element(s) and {images} image(s); omni-video takes at most {max} \
                     elements and images together"
                ),
            ));
            return;
        }
    } else if n > endpoint.max_elements {
        out.push(Finding::error(
            FieldPath::Elements,
            format!(
                "{n} elements; {} takes at most {} (\"最多支持3个参考主体\"); remove some, or \
                 use reference mode on omni-video",
                kind(endpoint),
                endpoint.max_elements
            ),
        ));
        return;
    }
    let first_frame = sent.iter().any(|(p, _)| *p == FieldPath::FirstFrame);
    let max = endpoint.max_elements_with_first_frame;
    if first_frame && n > max {
        out.push(Finding::error(
            FieldPath::Elements,
            format!(
                "{n} elements with a first frame: {} takes at most {max} beside a first \
                 frame (\"当使用首帧生成视频时，最多支持3个主体\"); remove some, or send no \
                 first frame",
                kind(endpoint)
            ),
        ));
    }
}

/// The endpoint's last path segment ("omni-video", "image2video"): the same words name it
/// on the v2 design, whose paths differ.
fn kind(endpoint: &crate::models::Endpoint) -> &str {
    endpoint.path.rsplit('/').next().unwrap_or(endpoint.path)
}

pub(super) fn voices(cx: &Ctx, out: &mut Vec<Finding>) {
    let b = cx.board;
    let n = b.voices.len();
    for (i, v) in b.voices.iter().enumerate() {
        if v.id.trim().is_empty() {
            out.push(Finding::error(FieldPath::Voice(i), "a voice needs an id"));
        }
    }
    let endpoint = cx.route.endpoint;
    if n > 0 && cx.caps.elements && n > endpoint.max_voices {
        out.push(Finding::error(
            FieldPath::Voices,
            format!(
                "{} ({}) documents {} voice_list, so nothing is sent (voices are documented \
                 for kling-v2-6; for the kling-v3 models \"v3模型不支持指定音色\", no voices)",
                endpoint.path,
                cx.route.model_name,
                match endpoint.max_voices {
                    0 => "no".to_string(),
                    m => format!("at most {m} voices in"),
                }
            ),
        ));
    }
    if n > 0 && !b.sound {
        out.push(Finding::error(
            FieldPath::Sound,
            "voices speak only with sound on: turn sound on or remove the voices",
        ));
    }
    check_tokens(cx, TokenKind::Voice, n, FieldPath::Voice, out);
}
