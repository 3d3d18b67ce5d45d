//! omni-video's `video_list`: a reference video, as the docs describe it. Sources: Kling's
//! omni-video page (Chinese copy, WHQ25/rawgenai docs/research/kling/omni-video-o1.md @
//! b3f9cef1c265): `"video_list": [{"video_url", "refer_type": "base", // feature=特征参考视频,
//! base=待编辑视频, "keep_original_sound": "yes" // yes=保留原声, no=不保留}]`, "数量：≤1段",
//! "有参考视频时：≤4张" images and "参考图片数量 + 参考主体数量 ≤ 4", FAQ "其他情况：可选 3-10s";
//! new-api's Kling adaptor (cuijinyu/new-api relay/channel/task/kling/adaptor.go @
//! 7f2ef4ad7b18): `OmniVideoItem {VideoUrl, ReferType // feature, base, KeepOriginalSound //
//! yes, no}` and "V3 支持 3-15s，但视频参考(feature)限制为 3-10s"; a ComfyUI Kling node's
//! omni body (awsl1110/ComfyUI-KlingAI `kling_nodes.py` @ 5f3d14961be5, `KlingVideoFeature`):
//! `payload["sound"] = "off"  # 有 video_list 时 API 要求声音关闭`.

use super::super::common::check_one_of;
use super::super::{Fields, Invalid};

/// Images (and images with elements) beside a reference video.
pub(super) const MAX_IMAGES_WITH_VIDEO: usize = 4;

/// Checks `video_list` and what comes with it; returns the videos' URLs (none without it).
pub(super) fn check_video_list(
    f: &Fields,
    sound: &str,
    duration: i64,
) -> Result<Vec<String>, Invalid> {
    let Some(items) = f.array("video_list")? else {
        return Ok(Vec::new());
    };
    if items.len() != 1 {
        return Err(Invalid::field(
            "video_list",
            format!("has {} videos; it takes exactly 1", items.len()),
        ));
    }
    let mut urls = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let entry = Fields::item("video_list", i, item)?;
        let url = entry
            .str("video_url")?
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .ok_or_else(|| Invalid::field(entry.path("video_url"), "must be the video's URL"))?;
        let refer = entry.str("refer_type")?.ok_or_else(|| {
            Invalid::field(entry.path("refer_type"), "is required (feature or base)")
        })?;
        check_one_of(&entry.path("refer_type"), refer, &["feature", "base"])?;
        let keep = entry.str("keep_original_sound")?.unwrap_or("yes");
        check_one_of(&entry.path("keep_original_sound"), keep, &["yes", "no"])?;
        // `base` edits the video and takes no duration: not what the simulator serves.
        if refer == "base" {
            return Err(Invalid::field(
                entry.path("refer_type"),
                "base (video editing) is not simulated; a next shot is feature",
            ));
        }
        urls.push(url.to_string());
    }
    if sound != "off" {
        return Err(Invalid::field("sound", "must be off with video_list"));
    }
    if !(3..=10).contains(&duration) {
        return Err(Invalid::field(
            "duration",
            format!("must be 3 to 10 with a feature video, got {duration}"),
        ));
    }
    let images = f.array("image_list")?.map_or(0, |a| a.len());
    let elements = f.array("element_list")?.map_or(0, |a| a.len());
    if images + elements > MAX_IMAGES_WITH_VIDEO {
        return Err(Invalid::field(
            "image_list",
            format!(
                "has {images} images and element_list {elements} elements beside a video; together at most {MAX_IMAGES_WITH_VIDEO}"
            ),
        ));
    }
    Ok(urls)
}
