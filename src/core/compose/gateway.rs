//! The Bearer-key gateway's form (kling-v3-api.txt). Gateways differ in their paths; this is
//! the form the simulated backend speaks, documented in the README. A vendor that mounts it
//! under a prefix is reached by setting the base URL.

use serde_json::{Map, Value, json};

use super::{ComposeError, ComposedRequest, ImageSource, WireImages, effective_model, whole};
use crate::core::model::{Board, Mode, ShotType};
use crate::core::provider::Provider;

pub const GATEWAY_CREATE_PATH: &str = "/v1/videos/generations";

pub fn compose(
    board: &Board,
    images: &dyn ImageSource,
    external_task_id: &str,
) -> Result<ComposedRequest, ComposeError> {
    let mut body = Map::new();
    body.insert(
        "model".into(),
        json!(effective_model(board, Provider::Gateway)),
    );
    body.insert("generation_mode".into(), json!(board.mode.as_str()));
    body.insert("multi_shot".into(), json!(board.multi_shot));
    if board.multi_shot && board.shot_type == ShotType::Auto {
        // Auto: Kling's own name for the model cutting the shots, and the one prompt.
        body.insert("shot_type".into(), json!("intelligence"));
        body.insert("prompt".into(), json!(board.prompt));
    } else if board.multi_shot {
        let shots: Vec<Value> = board
            .shots
            .iter()
            .enumerate()
            .map(|(i, s)| json!({ "index": i + 1, "prompt": s.prompt, "duration": whole(s.duration) }))
            .collect();
        body.insert("multi_prompt".into(), Value::Array(shots));
    } else {
        body.insert("prompt".into(), json!(board.prompt));
    }
    if !board.negative_prompt.is_empty() {
        body.insert("negative_prompt".into(), json!(board.negative_prompt));
    }
    body.insert("mode".into(), json!(board.quality));
    body.insert("duration".into(), json!(whole(board.total_duration())));
    body.insert("cfg_scale".into(), json!(board.cfg_scale));
    if board.mode != Mode::Image {
        body.insert("aspect_ratio".into(), json!(board.effective_aspect_ratio()));
    }
    body.insert("sound".into(), json!(board.sound));
    body.insert("watermark_enabled".into(), json!(board.watermark));
    let wire = WireImages::resolve(board, images)?;
    if let Some(data) = wire.first_frame {
        body.insert("image".into(), json!(data));
    }
    if let Some(data) = wire.last_frame {
        body.insert("image_tail".into(), json!(data));
    }
    if board.mode == Mode::Reference {
        body.insert("reference_images".into(), json!(wire.references));
    }
    body.insert("external_task_id".into(), json!(external_task_id));
    Ok(ComposedRequest {
        method: "POST".into(),
        path: GATEWAY_CREATE_PATH.into(),
        body: Value::Object(body),
    })
}
