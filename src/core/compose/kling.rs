//! The official Kling API's legacy request design (see kling-api-notes.md).

use serde_json::{Map, Value, json};

use super::{
    ComposeError, ComposedRequest, ImageSource, WireImages, effective_model, filled_prompt, whole,
};
use crate::core::gateway_profile::KlingRelayProfile;
use crate::core::model::{Board, Mode};
use crate::core::provider::Provider;

pub fn compose(
    board: &Board,
    images: &dyn ImageSource,
    external_task_id: &str,
) -> Result<ComposedRequest, ComposeError> {
    let path = match board.mode {
        Mode::Text => "/v1/videos/text2video",
        Mode::Image => "/v1/videos/image2video",
        Mode::Reference => "/v1/videos/omni-video",
    };
    let mut body = Map::new();
    body.insert(
        "model_name".into(),
        json!(effective_model(board, Provider::Kling)),
    );
    if board.multi_shot {
        body.insert("multi_shot".into(), json!(true));
        body.insert("shot_type".into(), json!("customize"));
        body.insert("prompt".into(), json!(""));
        let shots: Vec<Value> = board
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
        body.insert("multi_prompt".into(), Value::Array(shots));
    } else {
        body.insert("prompt".into(), json!(board.prompt));
    }
    if !board.negative_prompt.is_empty() {
        body.insert("negative_prompt".into(), json!(board.negative_prompt));
    }
    body.insert(
        "duration".into(),
        json!(whole(board.total_duration()).to_string()),
    );
    body.insert("mode".into(), json!(board.quality));
    body.insert("cfg_scale".into(), json!(board.cfg_scale));
    // image2video has no aspect_ratio field: the first frame decides.
    if board.mode != Mode::Image {
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
    let wire = WireImages::resolve(board, images)?;
    if let Some(data) = wire.first_frame {
        body.insert("image".into(), json!(data));
    }
    if let Some(data) = wire.last_frame {
        body.insert("image_tail".into(), json!(data));
    }
    if board.mode == Mode::Reference {
        let list: Vec<Value> = wire
            .references
            .into_iter()
            .map(|d| json!({ "image_url": d }))
            .collect();
        body.insert("image_list".into(), Value::Array(list));
    }
    body.insert("external_task_id".into(), json!(external_task_id));
    Ok(ComposedRequest {
        method: "POST".into(),
        path: path.into(),
        body: Value::Object(body),
    })
}

/// Kling's own body and paths under the relay's prefix (`--provider kling-relay`). One
/// difference: new-api copies `prompt` out of the body and refuses an empty one, so a
/// multi-shot body carries the shots' text there (Kling ignores `prompt` in customize mode).
pub fn compose_relay(
    board: &Board,
    profile: &KlingRelayProfile,
    images: &dyn ImageSource,
    external_task_id: &str,
) -> Result<ComposedRequest, ComposeError> {
    let mut request = compose(board, images, external_task_id)?;
    request.path = format!("{}{}", profile.prefix.trim_end_matches('/'), request.path);
    if let Some(body) = request.body.as_object_mut() {
        body.insert("prompt".into(), json!(filled_prompt(board)));
    }
    Ok(request)
}
