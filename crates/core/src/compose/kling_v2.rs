//! The official API's v2 request (see [`crate::kling_v2`] and README "Kling's two request
//! designs" for every field's source): text boards go to `POST /text-to-video/{model}` with
//! a top-level `prompt`; image boards to `POST /image-to-video/{model}` with the prompt and
//! frames as typed `contents` items; every board of an omni model, and reference boards, to
//! `POST /omni-video/{model}`, whose `contents` also carry the reference images and the
//! elements, each with the `id` the prompt names it by (`@image_1`, `@element_1`). All carry
//! `settings` (resolution, aspect ratio, duration as a number, audio) and `options`
//! (`external_task_id`, `watermark_info`).

use serde_json::{Map, Value, json};

use super::{ComposeError, ComposedRequest, ImageSource, WireImages, whole};
use crate::elements::{TokenKind, token_spans};
use crate::gateway_profile::Profiles;
use crate::kling_v2::{self, Design, OMNI_VIDEO_PATH, TEXT_TO_VIDEO, V2Model};
use crate::model::{Board, ShotType};
use crate::models::{ModelTable, row_or_default};

/// The design this board takes with these profiles (an unknown model: the default row's).
pub fn design(board: &Board, profiles: &Profiles, table: ModelTable) -> Result<Design, String> {
    let row = row_or_default(table, &board.model);
    kling_v2::choose(row, board.mode, profiles.kling.route)
}

pub(super) fn compose(
    board: &Board,
    images: &dyn ImageSource,
    external_task_id: &str,
    table: ModelTable,
) -> Result<ComposedRequest, ComposeError> {
    let row = row_or_default(table, &board.model);
    let Some(v2) = kling_v2::v2_model(row) else {
        // `design` said V2, which needs the row's v2 model; keep the legacy request.
        return super::kling::compose(board, images, external_task_id, table);
    };
    let Some((kind, path_model)) = v2.create(board.mode) else {
        // `design` refused this board already (the `kling_route` rule); keep the legacy one.
        return super::kling::compose(board, images, external_task_id, table);
    };
    let omni = kind == OMNI_VIDEO_PATH;
    let prompt = prompt_text(board);
    let mut settings = Map::new();
    if let Some(resolution) = v2.resolution(&board.quality) {
        settings.insert("resolution".into(), json!(resolution));
    }
    settings.insert("duration".into(), json!(whole(board.total_duration())));
    if v2.audio {
        settings.insert(
            "audio".into(),
            json!(if board.sound { "native" } else { "off" }),
        );
    }
    // omni-video: "settings.multi_shot | boolean | No | `true`": always said, so a one-shot
    // board is never cut into shots by the default.
    if v2.multi_shot_setting || omni {
        settings.insert("multi_shot".into(), json!(board.multi_shot));
    }
    let options = json!({
        "external_task_id": external_task_id,
        "watermark_info": { "enabled": board.watermark },
    });
    let wire = WireImages::resolve(board, images)?;
    let first_frame = wire.first_frame.is_some();
    let mut body = Map::new();
    if kind == TEXT_TO_VIDEO {
        body.insert("prompt".into(), json!(prompt));
    } else {
        let prompt = if omni { at_names(&prompt) } else { prompt };
        body.insert("contents".into(), contents(prompt, wire, v2, board, omni));
    }
    // image-to-video has none (the first frame decides); omni-video: "When there is no
    // first frame or reference video, the current parameter is required".
    if kind == TEXT_TO_VIDEO || (omni && !first_frame) {
        settings.insert("aspect_ratio".into(), json!(board.effective_aspect_ratio()));
    }
    body.insert("settings".into(), Value::Object(settings));
    body.insert("options".into(), options);
    Ok(ComposedRequest {
        method: "POST".into(),
        path: format!("{kind}{path_model}"),
        body: Value::Object(body),
    })
}

/// The one prompt, or a custom shot list written the way the design takes it:
/// `Shot 1, 4, words; Shot 2, 3, words;` (shot number, whole seconds, the shot's prompt).
fn prompt_text(board: &Board) -> String {
    if board.multi_shot && board.shot_type == ShotType::Custom {
        board
            .shots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!(
                    "Shot {}, {}, {};",
                    i + 1,
                    whole(s.duration),
                    s.prompt.trim()
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        board.prompt.clone()
    }
}

/// The prompt first, then the frames, each a typed item (`url` takes a URL or Base64). On
/// omni-video the reference images follow as `refer_image` and the elements as `element`
/// (`element_id` a string, as the page's example sends it), each with the input index ID
/// the prompt names it by ("used to specify in prompt … must not be duplicated"): the N-th
/// reference is `image_N`, the N-th element `element_N`, as `<<<image_N>>>` and
/// `<<<element_N>>>` name them on the board. The frames get none (the field is optional
/// for images), so they never clash with a reference's.
fn contents(prompt: String, wire: WireImages, v2: &V2Model, board: &Board, omni: bool) -> Value {
    let mut items = vec![json!({ "type": "prompt", "text": prompt })];
    if let Some(data) = wire.first_frame {
        items.push(json!({ "type": "first_frame", "url": data }));
    }
    if let Some(data) = wire.last_frame.filter(|_| v2.last_frame) {
        items.push(json!({ "type": "last_frame", "url": data }));
    }
    if omni {
        for (i, data) in wire.references.into_iter().enumerate() {
            let id = format!("image_{}", i + 1);
            items.push(json!({ "type": "refer_image", "url": data, "id": id }));
        }
        for (i, e) in board.elements.iter().enumerate() {
            // A malformed id is sent as written so a preview shows it; the `elements`
            // rule refuses the board before any send.
            let element_id = e.wire_id().map_or_else(|| e.id.clone(), |n| n.to_string());
            let id = format!("element_{}", i + 1);
            items.push(json!({ "type": "element", "element_id": element_id, "id": id }));
        }
    }
    Value::Array(items)
}

/// The board's `<<<image_N>>>` and `<<<element_N>>>` written as omni-video names them:
/// "Specify an image, an Element, a video in the format of @xxx, such as @image_1".
fn at_names(prompt: &str) -> String {
    let mut spans: Vec<(std::ops::Range<usize>, String)> = [TokenKind::Image, TokenKind::Element]
        .into_iter()
        .flat_map(|kind| {
            token_spans(prompt, kind)
                .into_iter()
                .map(move |(range, n)| (range, format!("@{}_{n}", kind.word())))
        })
        .collect();
    spans.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = prompt.to_string();
    for (range, name) in spans {
        out.replace_range(range, &name);
    }
    out
}

/// For `compose` and the submit dialog: which design the official provider sends this
/// board by ("Route: kling v2 (api key)"), `None` for other providers.
pub fn route_line(
    board: &Board,
    provider: crate::provider::Provider,
    profiles: &Profiles,
) -> Option<String> {
    if provider != crate::provider::Provider::Kling {
        return None;
    }
    Some(match design(board, profiles, crate::models::MODELS) {
        Ok(d) => format!("Route: {}", d.label()),
        Err(why) => format!("Route: none — {why}"),
    })
}
