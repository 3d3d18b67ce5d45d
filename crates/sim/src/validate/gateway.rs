//! The new-api family's generic create body (`POST /v1/video/generations`), read the way
//! new-api's Kling adaptor reads it: generic fields at the top level, Kling's own fields
//! flat (as the ModelStream form lists them) or in `metadata` (which wins, as new-api
//! unmarshals it last), then checked as the Kling body it becomes.

use serde_json::{Map, Value, json};

use super::common::check_one_of;
use super::{Fields, Invalid};
use crate::task::{Kind, TaskSpec};

const MODELS: &[&str] = &["kling-v3", "kling-v3-omni"];

/// Kling's field names a gateway body may carry flat.
const KLING_FIELDS: &[&str] = &[
    "multi_shot",
    "shot_type",
    "multi_prompt",
    "negative_prompt",
    "cfg_scale",
    "aspect_ratio",
    "sound",
    "image_tail",
    "image_list",
    "watermark_info",
    "external_task_id",
];

pub(crate) fn parse(body: &Map<String, Value>) -> Result<TaskSpec, Invalid> {
    let (kind, kling) = to_kling(body)?;
    super::kling::parse(kind, &kling)
}

/// The Kling body and endpoint kind a gateway body becomes.
pub(crate) fn to_kling(body: &Map<String, Value>) -> Result<(Kind, Map<String, Value>), Invalid> {
    let f = Fields::root(body);
    // new-api: `createTaskError(fmt.Errorf("prompt is required"), …)`.
    let prompt = f.str("prompt")?.filter(|p| !p.trim().is_empty());
    let prompt = prompt.ok_or_else(|| Invalid::body("prompt is required"))?;
    let model = f.str("model")?.unwrap_or("kling-v3");
    check_one_of("model", model, MODELS)?;
    let duration = match body.get("duration") {
        None | Some(Value::Null) => "5".to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(Invalid::field("duration", "must be a number")),
    };
    let mut kling = Map::new();
    kling.insert("model_name".into(), json!(model));
    kling.insert("prompt".into(), json!(prompt));
    kling.insert("mode".into(), json!(f.str("mode")?.unwrap_or("std")));
    kling.insert("duration".into(), json!(duration));
    if let Some(image) = f.str("image")? {
        kling.insert("image".into(), json!(image));
    }
    if let Some(on) = f.bool("watermark_enabled")? {
        kling.insert("watermark_info".into(), json!({ "enabled": on }));
    }
    for key in KLING_FIELDS {
        if let Some(v) = body.get(*key).filter(|v| !v.is_null()) {
            kling.insert((*key).into(), v.clone());
        }
    }
    match body.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => kling.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
        Some(_) => return Err(Invalid::field("metadata", "must be an object")),
    }
    let kind = if model.contains("omni") {
        Kind::Omni
    } else if kling.contains_key("image") {
        Kind::Image
    } else {
        Kind::Text
    };
    Ok((kind, kling))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(body: Value) -> Result<(Kind, Map<String, Value>), Invalid> {
        to_kling(body.as_object().expect("object"))
    }

    #[test]
    fn an_empty_prompt_is_refused_as_new_api_does() {
        let e = convert(json!({"model": "kling-v3", "prompt": " "})).unwrap_err();
        assert_eq!(e.message, "prompt is required");
    }

    #[test]
    fn metadata_wins_over_flat_fields_and_picks_the_kind() {
        let (kind, kling) = convert(json!({
            "model": "kling-v3", "prompt": "a", "duration": 6, "image": "https://x.test/a.png",
            "aspect_ratio": "1:1", "metadata": {"aspect_ratio": "16:9"}
        }))
        .unwrap();
        assert_eq!(kind, Kind::Image);
        assert_eq!(kling["duration"], "6");
        assert_eq!(kling["aspect_ratio"], "16:9");
        let (omni, _) = convert(json!({"model": "kling-v3-omni", "prompt": "a"})).unwrap();
        assert_eq!(omni, Kind::Omni);
    }

    #[test]
    fn shots_in_metadata_are_checked_as_kling_checks_them() {
        let body = json!({
            "model": "kling-v3", "prompt": "a b", "duration": 6, "mode": "pro",
            "metadata": {"multi_shot": true, "shot_type": "customize", "multi_prompt": [
                {"index": 1, "prompt": "a", "duration": "2"},
                {"index": 2, "prompt": "b", "duration": 4}
            ]}
        });
        let e = parse(body.as_object().unwrap()).unwrap_err();
        assert_eq!(
            e.param.as_deref(),
            Some("multi_prompt[1].duration"),
            "{e:?}"
        );
    }
}
