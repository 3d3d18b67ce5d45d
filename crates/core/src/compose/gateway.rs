//! The `/v1/video/generations` routes: `--provider gateway` (the seed's ModelStream form,
//! Kling's fields flat, the shot list as the top-level `multi_prompt`) and `--provider
//! newapi` (stock new-api: Kling's fields in `metadata`, only the keys its Kling adaptor's
//! request struct declares). The README's provider section quotes the sources (read
//! 2026-12-06).
//!
//! Generic fields are top level: `model`, `prompt` (never empty: new-api answers "prompt is
//! required"), `mode`, `duration` (a number), `image` (the first frame). The shot fields
//! (`multi_shot`, `shot_type`, the list) go where the profile's `shot_list` says, the other
//! Kling fields where its `form_fields` says; nothing is duplicated unless a profile says so.
//! A board the route cannot carry never gets here: the `route` rule refuses it.

use serde_json::{Map, Value, json};

use super::{
    ComposeError, ComposedRequest, ImageSource, WireImages, effective_model, shot_list_prompt,
    whole,
};
use crate::gateway_profile::{GatewayProfile, ShotDuration, ShotList};
use crate::model::{Board, Mode, ShotType};
use crate::provider::Provider;

pub(super) fn compose(
    board: &Board,
    provider: Provider,
    profile: &GatewayProfile,
    images: &dyn ImageSource,
    external_task_id: &str,
) -> Result<ComposedRequest, ComposeError> {
    let mut body = Map::new();
    body.insert("model".into(), json!(effective_model(board, provider)));
    let prompt = match (board.multi_shot, board.shot_type) {
        (true, ShotType::Custom) => shot_list_prompt(board),
        _ => board.prompt.clone(),
    };
    body.insert("prompt".into(), json!(prompt));
    body.insert("mode".into(), json!(board.quality));
    body.insert("duration".into(), json!(whole(board.total_duration())));
    let wire = WireImages::resolve(board, images)?;
    if let Some(data) = &wire.first_frame {
        body.insert("image".into(), json!(data));
    }
    let mut metadata = Map::new();
    let shots = shot_fields(board, profile);
    match profile.shot_list {
        ShotList::TopLevel => body.extend(shots),
        ShotList::Metadata => metadata.extend(shots),
        ShotList::None => {}
    }
    let placement = profile.form_fields;
    if placement.flat() {
        if profile.shot_list != ShotList::TopLevel {
            // The ModelStream form lists `multi_shot` as a top-level boolean.
            body.insert("multi_shot".into(), json!(board.multi_shot));
        }
        body.insert("watermark_enabled".into(), json!(board.watermark));
        body.extend(kling_fields(board, profile, &wire, external_task_id));
    }
    if placement.metadata() {
        metadata.extend(kling_fields(board, profile, &wire, external_task_id));
        metadata.insert(
            "watermark_info".into(),
            json!({ "enabled": board.watermark }),
        );
    }
    if !metadata.is_empty() {
        body.insert("metadata".into(), Value::Object(metadata));
    }
    Ok(ComposedRequest {
        method: "POST".into(),
        path: profile.create_path.clone(),
        body: Value::Object(body),
    })
}

/// `multi_shot`, `shot_type` and the shot list, by Kling's names.
fn shot_fields(board: &Board, profile: &GatewayProfile) -> Vec<(String, Value)> {
    let mut fields = vec![("multi_shot".to_string(), json!(board.multi_shot))];
    match (board.multi_shot, board.shot_type) {
        // Auto: Kling's own name for the model cutting the shots from the one `prompt`.
        (true, ShotType::Auto) => fields.push(("shot_type".into(), json!("intelligence"))),
        (true, ShotType::Custom) => {
            fields.push(("shot_type".into(), json!("customize")));
            let shots = board
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
            fields.push((profile.shots_field.clone(), Value::Array(shots)));
        }
        (false, _) => {}
    }
    fields
}

/// Kling's single-shot fields, every one declared by new-api's Kling request struct
/// (`negative_prompt`, `cfg_scale`, `aspect_ratio`, `sound`, `image_tail`,
/// `external_task_id`), plus `image_list` where the profile reaches omni-video.
/// `aspect_ratio` and `cfg_scale` are always sent: new-api otherwise fills `1:1` and `0.5`.
fn kling_fields(
    board: &Board,
    profile: &GatewayProfile,
    wire: &WireImages,
    external_task_id: &str,
) -> Vec<(String, Value)> {
    let mut fields: Vec<(String, Value)> = Vec::new();
    let mut put = |k: &str, v: Value| fields.push((k.to_string(), v));
    if !board.negative_prompt.is_empty() {
        put("negative_prompt", json!(board.negative_prompt));
    }
    put("cfg_scale", json!(board.cfg_scale));
    if board.mode != Mode::Image {
        put("aspect_ratio", json!(board.effective_aspect_ratio()));
    }
    put("sound", json!(if board.sound { "on" } else { "off" }));
    if let Some(data) = wire.last_frame.as_ref().filter(|_| profile.last_frame) {
        put("image_tail", json!(data));
    }
    if board.mode == Mode::Reference && profile.references {
        // Never the generic `images[]`: new-api turns those into first and end frames.
        let list: Vec<Value> = wire
            .references
            .iter()
            .map(|d| json!({ "image_url": d }))
            .collect();
        put("image_list", Value::Array(list));
    }
    put("external_task_id", json!(external_task_id));
    fields
}
