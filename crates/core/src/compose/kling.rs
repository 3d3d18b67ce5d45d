//! The official Kling API's request body (Kling's API reference: text2video, image2video,
//! omni-video). The endpoint, the `model_name` and the optional fields sent come from the
//! model table. `model_name` is always sent: every page makes it optional with an old
//! default ("Default to kling-v1"; omni-video "Default to kling-video-o1").

use serde_json::{Map, Value, json};

use super::{
    ComposeError, ComposedRequest, ImageSource, WireImages, official_route, shot_list_prompt, whole,
};
use crate::gateway_profile::KlingRelayProfile;
use crate::model::{Board, Mode, ShotType};
use crate::models::{FrameForm, ModelTable};

pub(super) fn compose(
    board: &Board,
    images: &dyn ImageSource,
    external_task_id: &str,
    table: ModelTable,
) -> Result<ComposedRequest, ComposeError> {
    let route = official_route(board, table);
    let endpoint = route.endpoint;
    let mut body = Map::new();
    body.insert("model_name".into(), json!(route.model_name));
    match (board.multi_shot, board.shot_type) {
        (true, ShotType::Custom) => {
            body.insert("multi_shot".into(), json!(true));
            body.insert("shot_type".into(), json!("customize"));
            body.insert("prompt".into(), json!(""));
            body.insert("multi_prompt".into(), multi_prompt(board));
        }
        // The model cuts the shots from the one prompt; no shot list is sent.
        (true, ShotType::Auto) => {
            body.insert("multi_shot".into(), json!(true));
            body.insert("shot_type".into(), json!("intelligence"));
            body.insert("prompt".into(), json!(board.prompt));
        }
        (false, _) => {
            body.insert("prompt".into(), json!(board.prompt));
        }
    }
    if endpoint.takes_negative_prompt && !board.negative_prompt.is_empty() {
        body.insert("negative_prompt".into(), json!(board.negative_prompt));
    }
    body.insert(
        "duration".into(),
        json!(whole(board.total_duration()).to_string()),
    );
    body.insert("mode".into(), json!(board.quality));
    if endpoint.takes_cfg_scale {
        body.insert("cfg_scale".into(), json!(board.cfg_scale));
    }
    let wire = WireImages::resolve(board, images)?;
    // In image mode the first frame decides the ratio, whatever the endpoint; omni-video
    // takes none beside a first frame in reference mode either (see `OMNI_VIDEO`).
    let first_frame_decides = board.mode == Mode::Image
        || (wire.first_frame.is_some() && !endpoint.aspect_ratio_with_first_frame);
    if endpoint.takes_aspect_ratio && !first_frame_decides {
        body.insert("aspect_ratio".into(), json!(board.effective_aspect_ratio()));
    }
    body.insert(
        "sound".into(),
        json!(if board.sound { "on" } else { "off" }),
    );
    body.insert(
        "watermark_info".into(),
        json!({ "enabled": board.watermark }),
    );
    match endpoint.frames {
        FrameForm::ImageFields => {
            if let Some(data) = wire.first_frame {
                body.insert("image".into(), json!(data));
            }
            if let Some(data) = wire.last_frame {
                body.insert("image_tail".into(), json!(data));
            }
        }
        FrameForm::TypedImageList => {
            if let Some(list) = image_list(wire) {
                body.insert("image_list".into(), list);
            }
        }
        FrameForm::None => {}
    }
    // In board order, so `<<<element_N>>>` names the N-th. An endpoint without
    // `element_list` gets none: the `elements` rule refuses such a board before any send.
    if endpoint.max_elements > 0 && !board.elements.is_empty() {
        body.insert("element_list".into(), element_list(board));
    }
    if endpoint.max_voices > 0 && !board.voices.is_empty() {
        let voices: Vec<Value> = board
            .voices
            .iter()
            .map(|v| json!({ "voice_id": v.id }))
            .collect();
        body.insert("voice_list".into(), Value::Array(voices));
    }
    // The previous keeper as omni-video's reference video (`sequence::continuation`); the
    // last-frame way is already the board's first frame.
    if endpoint.path == crate::models::OMNI_VIDEO.path {
        crate::sequence::continuation::add_video(&mut body, board);
    }
    body.insert("external_task_id".into(), json!(external_task_id));
    Ok(ComposedRequest {
        method: "POST".into(),
        path: endpoint.path.into(),
        body: Value::Object(body),
    })
}

/// Kling's own body and paths under the relay's prefix (`--provider kling-relay`). One
/// difference: new-api copies `prompt` out of the body and refuses an empty one, so a
/// custom multi-shot body carries the board's title there (Kling ignores `prompt` in
/// customize mode); only a relay that passes the body whole gets a shot list at all.
pub(super) fn compose_relay(
    board: &Board,
    profile: &KlingRelayProfile,
    images: &dyn ImageSource,
    external_task_id: &str,
    table: ModelTable,
) -> Result<ComposedRequest, ComposeError> {
    let mut request = compose(board, images, external_task_id, table)?;
    request.path = format!("{}{}", profile.prefix.trim_end_matches('/'), request.path);
    if let Some(body) = request.body.as_object_mut()
        && board.multi_shot
        && board.shot_type == ShotType::Custom
    {
        body.insert("prompt".into(), json!(shot_list_prompt(board)));
    }
    Ok(request)
}

/// `"element_list": [{"element_id": long}]` (omni-video and image2video alike). An id that
/// is not a whole number goes as written, so a preview shows it; the `elements` rule
/// refuses it first.
fn element_list(board: &Board) -> Value {
    let items = board
        .elements
        .iter()
        .map(|e| match e.wire_id() {
            Some(id) => json!({ "element_id": id }),
            None => json!({ "element_id": e.id }),
        })
        .collect();
    Value::Array(items)
}

fn multi_prompt(board: &Board) -> Value {
    let shots = board
        .shots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "index": i + 1,
                "prompt": s.prompt,
                // The official API takes durations as strings.
                "duration": whole(s.duration).to_string(),
            })
        })
        .collect();
    Value::Array(shots)
}

/// References first and untyped, so `<<<image_N>>>` keeps naming the N-th reference; then
/// the frames, typed. `None` when there is no image at all (a text board on omni-video).
fn image_list(wire: WireImages) -> Option<Value> {
    let mut list: Vec<Value> = wire
        .references
        .into_iter()
        .map(|d| json!({ "image_url": d }))
        .collect();
    if let Some(data) = wire.first_frame {
        list.push(json!({ "image_url": data, "type": "first_frame" }));
    }
    if let Some(data) = wire.last_frame {
        list.push(json!({ "image_url": data, "type": "end_frame" }));
    }
    (!list.is_empty()).then_some(Value::Array(list))
}
