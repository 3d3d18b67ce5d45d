//! The official API's create bodies (legacy design): text2video, image2video, omni-video.

use serde_json::{Map, Value};

use super::common::*;
use super::{Fields, Invalid};
use crate::task::{Kind, TaskSpec};

const MODEL: &str = "kling-v3";
const OMNI_MODEL: &str = "kling-v3-omni";
/// Elements beside a first frame (omni-video), and on image2video at all.
const MAX_ELEMENTS_WITH_FIRST_FRAME: usize = 3;

/// Checks a create body for `kind` and returns what it asks for.
pub(crate) fn parse(kind: Kind, body: &Map<String, Value>) -> Result<TaskSpec, Invalid> {
    let f = Fields::root(body);
    check_model(kind, f.str("model_name")?)?;
    let prompt = f.str("prompt")?;
    check_len("prompt", prompt.unwrap_or(""), MAX_PROMPT_CHARS)?;
    if let Some(neg) = f.str("negative_prompt")? {
        check_len("negative_prompt", neg, MAX_NEGATIVE_PROMPT_CHARS)?;
    }
    if let Some(cfg) = f.number("cfg_scale")? {
        check_cfg_scale("cfg_scale", cfg)?;
    }
    // omni-video's mode defaults to pro, the dearer rate.
    let default_mode = if kind == Kind::Omni { "pro" } else { "std" };
    let mode = f.str("mode")?.unwrap_or(default_mode);
    check_one_of("mode", mode, MODES)?;
    let sound = f.str("sound")?.unwrap_or("off");
    check_one_of("sound", sound, &["on", "off"])?;
    let watermark = match f.object("watermark_info")? {
        Some(info) => info.bool("enabled")?.unwrap_or(false),
        None => false,
    };
    let duration = match f.str("duration")? {
        Some(text) => seconds("duration", text)?,
        None => DEFAULT_DURATION,
    };
    check_total_duration("duration", duration)?;
    // image2video has no aspect_ratio: the first frame decides, so the field is ignored.
    if kind != Kind::Image
        && let Some(ratio) = f.str("aspect_ratio")?
    {
        check_one_of("aspect_ratio", ratio, ASPECT_RATIOS)?;
    }

    let multi_shot = f.bool("multi_shot")?.unwrap_or(false);
    let mut texts = vec![("prompt".to_string(), prompt.unwrap_or(""))];
    if multi_shot {
        texts.extend(check_multi_shot(&f, prompt, duration)?);
    } else {
        require_text("prompt", prompt, MAX_PROMPT_CHARS)?;
    }

    let mut element_ids = Vec::new();
    let mut video_urls = Vec::new();
    match kind {
        Kind::Text => {}
        Kind::Image => {
            check_frames(
                &f,
                multi_shot,
                "is required: image2video needs a first frame",
            )?;
            element_ids = check_element_list(&f, kind)?;
            check_tokens(&texts, "element", element_ids.len(), "element_list")?;
        }
        Kind::Omni => {
            let references = check_image_list(&f, multi_shot)?;
            check_placeholders(&texts, references, "image_list")?;
            // The video's limits first: with one, fewer images and elements are taken.
            video_urls = video::check_video_list(&f, sound, duration)?;
            check_tokens(&texts, "video", video_urls.len(), "video_list")?;
            element_ids = check_element_list(&f, kind)?;
            check_tokens(&texts, "element", element_ids.len(), "element_list")?;
        }
    }
    if kind != Kind::Omni && f.array("video_list")?.is_some() {
        return Err(Invalid::field("video_list", "is taken by omni-video only"));
    }
    // text2video documents no element_list: a request with one is refused, as a field the
    // endpoint does not take would be ignored and the element lost.
    if kind == Kind::Text && f.array("element_list")?.is_some() {
        return Err(Invalid::field(
            "element_list",
            "is taken by image2video and omni-video only",
        ));
    }

    Ok(TaskSpec {
        duration_secs: duration as u32,
        mode: mode.to_string(),
        sound: sound == "on",
        watermark,
        external_task_id: f
            .str("external_task_id")?
            .filter(|s| !s.is_empty())
            .map(String::from),
        element_ids,
        video_urls,
    })
}

/// `[{"element_id": long}]`. Returns the ids, which the create checks against the library.
/// - omni-video: with the images at most 7 (the page's Chinese copy: "无参考视频时：参考图片
///   数量 + 参考主体数量 ≤ 7"), and beside a first frame at most 3 (Tencent Cloud's copy of
///   its fields, TencentCloud/tencentcloud-sdk-php
///   src/TencentCloud/Vclm/V20240523/Models/SubmitVideoEditKlingJobRequest.php @ 0cfa26f7:
///   "当使用首帧生成视频时，最多支持3个主体"; with first and last frame kling-v3-omni too).
/// - image2video: at most 3 ("最多支持3个参考主体", Kling's Chinese image2video page and
///   Tencent's SubmitImageToVideoJobRequest.php @ 0cfa26f7), and not with `voice_list`
///   ("element_list参数与voice_list参数互斥，不能共存").
fn check_element_list(f: &Fields, kind: Kind) -> Result<Vec<i64>, Invalid> {
    let Some(items) = f.array("element_list")? else {
        return Ok(Vec::new());
    };
    let n = items.len();
    if kind == Kind::Image {
        if n == 0 || n > MAX_ELEMENTS_WITH_FIRST_FRAME {
            return Err(Invalid::field(
                "element_list",
                format!("has {n} elements; image2video takes 1 to {MAX_ELEMENTS_WITH_FIRST_FRAME}"),
            ));
        }
        if f.array("voice_list")?.is_some() {
            return Err(Invalid::field(
                "element_list",
                "cannot be sent with voice_list (the two exclude each other)",
            ));
        }
    } else {
        let image_list = f.array("image_list")?;
        let first_frame = image_list.is_some_and(|list| {
            list.iter()
                .any(|i| i.get("type").and_then(Value::as_str) == Some("first_frame"))
        });
        let images = image_list.map_or(0, |a| a.len());
        if n == 0 || n + images > MAX_REFERENCES {
            return Err(Invalid::field(
                "element_list",
                format!(
                    "has {n} elements beside {images} images; together they must be 1 to {MAX_REFERENCES}"
                ),
            ));
        }
        if first_frame && n > MAX_ELEMENTS_WITH_FIRST_FRAME {
            return Err(Invalid::field(
                "element_list",
                format!(
                    "has {n} elements beside a first_frame; omni-video takes at most \
                     {MAX_ELEMENTS_WITH_FIRST_FRAME} with a first frame"
                ),
            ));
        }
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let entry = Fields::item("element_list", i, item)?;
            // Read as i64 directly: Kling's ids (863121023120580600) are past what an f64
            // holds exactly.
            item.get("element_id")
                .and_then(Value::as_i64)
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    Invalid::field(entry.path("element_id"), "must be a whole number (a long)")
                })
        })
        .collect()
}

fn check_model(kind: Kind, model: Option<&str>) -> Result<(), Invalid> {
    let expected = if kind == Kind::Omni {
        OMNI_MODEL
    } else {
        MODEL
    };
    match model {
        None | Some("") => Err(Invalid::field(
            "model_name",
            format!(
                "is required ({expected} on {}); omitting it selects an old model",
                kind.as_path()
            ),
        )),
        Some(m) if m == expected => Ok(()),
        Some(m) if m == MODEL || m == OMNI_MODEL => Err(Invalid::field(
            "model_name",
            format!("{m:?} is not served by {}; use {expected}", kind.as_path()),
        )),
        Some(m) => Err(Invalid::field(
            "model_name",
            format!("{m:?} is not a known model; use {expected}"),
        )),
    }
}

/// Durations are whole seconds written as strings: `"5"`.
fn seconds(param: &str, text: &str) -> Result<i64, Invalid> {
    text.parse::<i64>().map_err(|_| {
        Invalid::field(
            param,
            format!("must be whole seconds as a string such as \"5\", got {text:?}"),
        )
    })
}

/// `shot_type` "customize" takes the shots from `multi_prompt`; "intelligence" lets the
/// model cut shots from the one prompt. Returns the shot prompts for placeholder checks.
fn check_multi_shot<'a>(
    f: &Fields<'a>,
    prompt: Option<&str>,
    duration: i64,
) -> Result<Vec<(String, &'a str)>, Invalid> {
    match f.str("shot_type")? {
        Some("customize") => {}
        Some("intelligence") => {
            require_text("prompt", prompt, MAX_PROMPT_CHARS)?;
            return Ok(Vec::new());
        }
        Some(other) => {
            return Err(Invalid::field(
                "shot_type",
                format!("must be customize or intelligence, got {other:?}"),
            ));
        }
        None => {
            return Err(Invalid::field(
                "shot_type",
                "is required with multi_shot (customize, with multi_prompt)",
            ));
        }
    }
    let items = f
        .array("multi_prompt")?
        .ok_or_else(|| Invalid::field("multi_prompt", "is required with shot_type customize"))?;
    let mut shots = Vec::with_capacity(items.len());
    let mut texts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let shot = Fields::item("multi_prompt", i, item)?;
        let index = shot.integer("index")?.ok_or_else(|| {
            Invalid::field(shot.path("index"), "is required (1 for the first shot)")
        })?;
        let text = shot.str("duration")?.ok_or_else(|| {
            Invalid::field(
                shot.path("duration"),
                "is required (whole seconds as a string)",
            )
        })?;
        let shot_prompt = shot.str("prompt")?;
        shots.push(ShotIn {
            index,
            prompt: shot_prompt,
            duration: seconds(&shot.path("duration"), text)?,
        });
        texts.push((shot.path("prompt"), shot_prompt.unwrap_or("")));
    }
    check_shots("multi_prompt", &shots, duration, "duration")?;
    Ok(texts)
}

/// Optional (omni-video also makes video from text alone); when present 1–7
/// `{image_url, type?}` items. Typed items are frames: official omni page, "it does not
/// support setting the start & end frames" with multi_shot, and (family copy of the page)
/// "End-frame-only is not currently supported". Returns how many untyped references there are:
/// `<<<image_N>>>` counts those.
fn check_image_list(f: &Fields, multi_shot: bool) -> Result<usize, Invalid> {
    let Some(items) = f.array("image_list")? else {
        return Ok(0);
    };
    if items.is_empty() || items.len() > MAX_REFERENCES {
        return Err(Invalid::field(
            "image_list",
            format!(
                "has {} images; it must have 1 to {MAX_REFERENCES}",
                items.len()
            ),
        ));
    }
    let mut references = 0;
    let (mut first, mut end) = (false, false);
    for (i, item) in items.iter().enumerate() {
        let entry = Fields::item("image_list", i, item)?;
        let url = entry
            .str("image_url")?
            .ok_or_else(|| Invalid::field(entry.path("image_url"), "is required"))?;
        check_image(&entry.path("image_url"), url)?;
        match entry.str("type")? {
            None => references += 1,
            Some(kind) => {
                check_one_of(&entry.path("type"), kind, &["first_frame", "end_frame"])?;
                if multi_shot {
                    return Err(Invalid::field(
                        entry.path("type"),
                        "frames are not supported with multi_shot",
                    ));
                }
                first |= kind == "first_frame";
                end |= kind == "end_frame";
            }
        }
    }
    if end && !first {
        return Err(Invalid::field(
            "image_list",
            "an end_frame needs a first_frame",
        ));
    }
    Ok(references)
}

#[cfg(test)]
mod tests;
mod video;
