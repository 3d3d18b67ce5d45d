//! The new-api family's generic video form (`--provider gateway`), from the seed text
//! (ModelStream's kling-v3 page) and new-api's Kling adaptor; the README's provider section
//! quotes the sources (read 2026-11-25).
//!
//! Generic fields are flat: `model`, `prompt` (never empty: new-api answers "prompt is
//! required"), `mode`, `duration` (a number), `image` (the first frame). Kling's own fields
//! (the shot list, last frame, reference images, `external_task_id`, …) go where the profile
//! says: flat as the ModelStream form lists them, in `metadata` which stock new-api forwards
//! to Kling, or both (the default). The task is polled at the profile's poll path.

use serde_json::{Map, Value, json};

use super::{
    ComposeError, ComposedRequest, ImageSource, WireImages, effective_model, filled_prompt, whole,
};
use crate::core::gateway_profile::{GatewayProfile, ShotDuration};
use crate::core::model::{Board, Mode, ShotType};
use crate::core::provider::Provider;

pub fn compose(
    board: &Board,
    profile: &GatewayProfile,
    images: &dyn ImageSource,
    external_task_id: &str,
) -> Result<ComposedRequest, ComposeError> {
    let mut body = Map::new();
    body.insert(
        "model".into(),
        json!(effective_model(board, Provider::Gateway)),
    );
    body.insert("prompt".into(), json!(filled_prompt(board)));
    body.insert("mode".into(), json!(board.quality));
    body.insert("duration".into(), json!(whole(board.total_duration())));
    let wire = WireImages::resolve(board, images)?;
    if let Some(data) = &wire.first_frame {
        body.insert("image".into(), json!(data));
    }
    let placement = profile.form_fields;
    if placement.flat() {
        body.insert("watermark_enabled".into(), json!(board.watermark));
        for (key, value) in kling_fields(board, profile, &wire, external_task_id) {
            body.insert(key, value);
        }
    }
    if placement.metadata() {
        let mut metadata: Map<String, Value> =
            kling_fields(board, profile, &wire, external_task_id).collect();
        metadata.insert(
            "watermark_info".into(),
            json!({ "enabled": board.watermark }),
        );
        body.insert("metadata".into(), Value::Object(metadata));
    }
    Ok(ComposedRequest {
        method: "POST".into(),
        path: profile.create_path.clone(),
        body: Value::Object(body),
    })
}

/// The fields new-api's Kling adaptor reads from `metadata` (and the ModelStream form lists
/// flat), by Kling's names. `aspect_ratio`, `negative_prompt` and `cfg_scale` are here too:
/// new-api has no generic field for them and otherwise fills `1:1` and `0.5`.
fn kling_fields(
    board: &Board,
    profile: &GatewayProfile,
    wire: &WireImages,
    external_task_id: &str,
) -> impl Iterator<Item = (String, Value)> {
    let mut fields: Vec<(String, Value)> = Vec::new();
    let mut put = |k: &str, v: Value| fields.push((k.to_string(), v));
    put("multi_shot", json!(board.multi_shot));
    if board.multi_shot && board.shot_type == ShotType::Auto {
        // Auto: Kling's own name for the model cutting the shots from the one `prompt`.
        put("shot_type", json!("intelligence"));
    } else if board.multi_shot {
        put("shot_type", json!("customize"));
        let shots: Vec<Value> = board
            .shots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let seconds = whole(s.duration);
                let duration = match profile.shot_duration {
                    ShotDuration::String => json!(seconds.to_string()),
                    ShotDuration::Number => json!(seconds),
                };
                json!({ "index": i + 1, "prompt": s.prompt, "duration": duration })
            })
            .collect();
        put(&profile.shots_field, Value::Array(shots));
    }
    if !board.negative_prompt.is_empty() {
        put("negative_prompt", json!(board.negative_prompt));
    }
    put("cfg_scale", json!(board.cfg_scale));
    if board.mode != Mode::Image {
        put("aspect_ratio", json!(board.effective_aspect_ratio()));
    }
    put("sound", json!(if board.sound { "on" } else { "off" }));
    if let Some(data) = &wire.last_frame {
        put("image_tail", json!(data));
    }
    if board.mode == Mode::Reference {
        // Never the generic `images[]`: new-api turns those into first and end frames.
        let list: Vec<Value> = wire
            .references
            .iter()
            .map(|d| json!({ "image_url": d }))
            .collect();
        put("image_list", Value::Array(list));
    }
    put("external_task_id", json!(external_task_id));
    fields.into_iter()
}
