//! The Bearer-key gateway's create body (`POST /v1/videos/generations`).

use serde_json::{Map, Value};

use super::common::*;
use super::{Fields, Invalid};
use crate::sim::task::TaskSpec;

const MODELS: &[&str] = &["kling-v3", "kling-v3-omni"];
const GENERATION_MODES: &[&str] = &["text", "image", "reference"];

pub fn parse(body: &Map<String, Value>) -> Result<TaskSpec, Invalid> {
    let f = Fields::root(body);
    if let Some(model) = f.str("model")? {
        check_one_of("model", model, MODELS)?;
    }
    let generation_mode = f.str("generation_mode")?.ok_or_else(|| {
        Invalid::field("generation_mode", "is required (text, image or reference)")
    })?;
    check_one_of("generation_mode", generation_mode, GENERATION_MODES)?;

    let prompt = f.str("prompt")?;
    check_len("prompt", prompt.unwrap_or(""), MAX_PROMPT_CHARS)?;
    if let Some(neg) = f.str("negative_prompt")? {
        check_len("negative_prompt", neg, MAX_NEGATIVE_PROMPT_CHARS)?;
    }
    if let Some(cfg) = f.number("cfg_scale")? {
        check_cfg_scale("cfg_scale", cfg)?;
    }
    let mode = f.str("mode")?.unwrap_or("std");
    check_one_of("mode", mode, MODES)?;
    let sound = f.bool("sound")?.unwrap_or(false);
    let watermark = f.bool("watermark_enabled")?.unwrap_or(false);
    let duration = f.integer("duration")?.unwrap_or(DEFAULT_DURATION);
    check_total_duration("duration", duration)?;
    // The first frame decides the ratio in image mode; the field is ignored there.
    if generation_mode != "image"
        && let Some(ratio) = f.str("aspect_ratio")?
    {
        check_one_of("aspect_ratio", ratio, ASPECT_RATIOS)?;
    }

    let multi_shot = f.bool("multi_shot")?.unwrap_or(false);
    let mut texts = vec![("prompt".to_string(), prompt.unwrap_or(""))];
    if multi_shot && f.str("shot_type")? == Some("intelligence") {
        // Kling's auto multi-shot: the model cuts the one prompt, no shot list.
        require_text("prompt", prompt, MAX_PROMPT_CHARS)?;
    } else if multi_shot {
        texts.extend(check_multi_prompt(&f, duration)?);
    } else {
        require_text("prompt", prompt, MAX_PROMPT_CHARS)?;
    }

    match generation_mode {
        "image" => check_frames(
            &f,
            multi_shot,
            "is required in image mode (the first frame)",
        )?,
        "reference" => {
            let count = check_references(&f)?;
            check_placeholders(&texts, count, "reference_images")?;
        }
        _ => {}
    }

    Ok(TaskSpec {
        duration_secs: duration as u32,
        mode: mode.to_string(),
        sound,
        watermark,
        external_task_id: f
            .str("external_task_id")?
            .filter(|s| !s.is_empty())
            .map(String::from),
    })
}

/// Shots with numeric durations; returns their prompts for placeholder checks.
fn check_multi_prompt<'a>(
    f: &Fields<'a>,
    duration: i64,
) -> Result<Vec<(String, &'a str)>, Invalid> {
    let items = f
        .array("multi_prompt")?
        .ok_or_else(|| Invalid::field("multi_prompt", "is required when multi_shot is true"))?;
    let mut shots = Vec::with_capacity(items.len());
    let mut texts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let shot = Fields::item("multi_prompt", i, item)?;
        let index = shot.integer("index")?.ok_or_else(|| {
            Invalid::field(shot.path("index"), "is required (1 for the first shot)")
        })?;
        let seconds = shot.integer("duration")?.ok_or_else(|| {
            Invalid::field(shot.path("duration"), "is required (seconds, a number)")
        })?;
        let shot_prompt = shot.str("prompt")?;
        shots.push(ShotIn {
            index,
            prompt: shot_prompt,
            duration: seconds,
        });
        texts.push((shot.path("prompt"), shot_prompt.unwrap_or("")));
    }
    check_shots("multi_prompt", &shots, duration, "duration")?;
    Ok(texts)
}

fn check_references(f: &Fields) -> Result<usize, Invalid> {
    let items = f.array("reference_images")?.ok_or_else(|| {
        Invalid::field(
            "reference_images",
            "is required in reference mode (1 to 7 images)",
        )
    })?;
    if items.is_empty() || items.len() > MAX_REFERENCES {
        return Err(Invalid::field(
            "reference_images",
            format!(
                "has {} images; it must have 1 to {MAX_REFERENCES}",
                items.len()
            ),
        ));
    }
    for (i, item) in items.iter().enumerate() {
        let param = format!("reference_images[{i}]");
        match item {
            Value::String(image) => check_image(&param, image)?,
            _ => {
                return Err(Invalid::field(
                    param,
                    "must be a string (an http(s) URL or raw Base64)",
                ));
            }
        }
    }
    Ok(items.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_json(body: Value) -> Result<TaskSpec, Invalid> {
        parse(body.as_object().expect("object"))
    }

    #[test]
    fn text_create_with_numeric_duration() {
        let spec = parse_json(
            json!({"generation_mode": "text", "prompt": "a cat", "duration": 7, "sound": true}),
        )
        .expect("valid");
        assert_eq!((spec.duration_secs, spec.sound), (7, true));
        let string =
            parse_json(json!({"generation_mode": "text", "prompt": "a cat", "duration": "7"}));
        assert_eq!(
            string.unwrap_err().message,
            "duration must be a number, got a string"
        );
    }

    #[test]
    fn multi_shot_paths_are_zero_based() {
        let body = json!({
            "generation_mode": "text", "multi_shot": true, "duration": 6,
            "multi_prompt": [
                {"index": 1, "prompt": "a", "duration": 2},
                {"index": 2, "prompt": "b", "duration": 2},
                {"index": 3, "prompt": "", "duration": 2}
            ]
        });
        let err = parse_json(body).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("multi_prompt[2].prompt"));
    }

    #[test]
    fn image_and_reference_modes_need_their_images() {
        let image = parse_json(json!({"generation_mode": "image", "prompt": "go"})).unwrap_err();
        assert_eq!(image.param.as_deref(), Some("image"));
        let tail = parse_json(json!({
            "generation_mode": "image", "multi_shot": true, "duration": 5,
            "multi_prompt": [{"index": 1, "prompt": "a", "duration": 5}],
            "image": "https://x.test/a.png", "image_tail": "https://x.test/b.png"
        }))
        .unwrap_err();
        assert_eq!(tail.param.as_deref(), Some("image_tail"));
        let eight = vec!["https://x.test/a.png"; 8];
        let refs = parse_json(
            json!({"generation_mode": "reference", "prompt": "x", "reference_images": eight}),
        );
        assert_eq!(refs.unwrap_err().param.as_deref(), Some("reference_images"));
    }
}
