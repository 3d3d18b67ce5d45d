//! The omni-video create of Kling's v2 design, checked as Kling's own page states it. The
//! page, as a client keeps it: aself101/kling-api `docs/api/kling-omni-3.0-ovg.md` @ 71eb8c9e
//! ("Source: https://kling.ai/document-api/api/video/3-0-omni/video-omni", "Path:
//! `/omni-video/kling-3.0-omni`", "Auth: `Authorization: Bearer <API_KEY>`"). Each rule
//! quotes its line; where the page says a thing is required or limited but not how Kling
//! refuses it, the mock answers 400 1201 (the error table's "Invalid param value").

use std::collections::HashSet;

use serde_json::Value;

/// "`contents[].type` | string | Yes | … | `prompt`, `first_frame`, `last_frame`,
/// `refer_image`, `feature_video`, `base_video`, `element`".
const TYPES: [&str; 7] = [
    "prompt",
    "first_frame",
    "last_frame",
    "refer_image",
    "feature_video",
    "base_video",
    "element",
];

/// Why Kling would refuse this omni-video body, if it would.
pub(super) fn refusal(body: &Value) -> Option<String> {
    // "`contents` | array | Yes".
    let Some(items) = body["contents"].as_array() else {
        return Some("contents is required".into());
    };
    let mut ids = HashSet::new();
    let (mut first, mut last, mut refs, mut elements, mut prompt) = (0, 0, 0, 0, None);
    for item in items {
        let kind = item["type"].as_str().unwrap_or("");
        if !TYPES.contains(&kind) {
            return Some(format!("contents type {kind:?} is not one of the page's"));
        }
        // "\"id\": \"string\" // input index ID, used to specify in prompt, the current
        // parameters in the same task must not be duplicated".
        if let Some(id) = item["id"].as_str()
            && !ids.insert(id.to_string())
        {
            return Some(format!("id {id:?} is used twice"));
        }
        match kind {
            // "\"text\": \"string\" // … should not exceed 3072 characters …; required".
            "prompt" => match item["text"].as_str() {
                Some(t) if t.chars().count() <= 3072 => prompt = Some(t.to_string()),
                _ => return Some("a prompt item needs text of at most 3072 characters".into()),
            },
            // "\"element_id\": \"string\" … required", "\"id\": \"string\" … required".
            "element" => {
                if !item["element_id"].is_string() || !item["id"].is_string() {
                    return Some("an element needs element_id and id, both strings".into());
                }
                elements += 1;
            }
            // "\"url\": \"string\" // The input content can be provided through URL or
            // base64 …; required".
            _ => {
                if !item["url"].is_string() {
                    return Some(format!("a {kind} item needs its url"));
                }
                match kind {
                    "first_frame" => first += 1,
                    "last_frame" => last += 1,
                    "refer_image" => refs += 1,
                    _ => {}
                }
            }
        }
    }
    // "Only “first frame only” and “first frame + last frame” are supported. “Last frame
    // only” is not supported yet."
    if first > 1 || last > 1 || (last == 1 && first == 0) {
        return Some("frames: a first frame, or a first and a last frame".into());
    }
    // "When using the first frame or first and last frames to generate video, a maximum of
    // 3 element are supported." / "When there is no reference video+only multi-image
    // element, the sum of the number of reference pictures and multi-image element shall
    // not exceed 7."
    if (first == 1 && elements > 3) || refs + elements > 7 {
        return Some(format!(
            "{refs} images and {elements} elements are too many"
        ));
    }
    // "Specify an image, an Element, a video in the format of @xxx, such as @image_1": a
    // name no item's id carries points at nothing.
    let prompt = prompt.unwrap_or_default();
    for name in at_names(&prompt) {
        if !ids.contains(name) {
            return Some(format!("@{name} names no contents item"));
        }
    }
    let settings = &body["settings"];
    // "`settings.aspect_ratio`: When there is no first frame or reference video, the
    // current parameter is required."
    if first == 0 && !settings["aspect_ratio"].is_string() {
        return Some("settings.aspect_ratio is required without a first frame".into());
    }
    // "`settings.audio` | string | No | `off` | `native`, `original`, `off`".
    if let Some(a) = settings.get("audio")
        && !["native", "original", "off"].contains(&a.as_str().unwrap_or(""))
    {
        return Some("settings.audio is native, original or off".into());
    }
    // "`settings.multi_shot` | boolean".
    if settings.get("multi_shot").is_some_and(|m| !m.is_boolean()) {
        return Some("settings.multi_shot is a boolean".into());
    }
    None
}

/// The `@image_N` / `@element_N` names in a prompt (what shotdeck writes; an `@` before
/// other words, an e-mail address, is left alone).
fn at_names(prompt: &str) -> Vec<&str> {
    prompt
        .match_indices('@')
        .filter_map(|(at, _)| {
            let rest = &prompt[at + 1..];
            let word = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(rest, |end| &rest[..end]);
            let numbered = |p: &str| {
                word.strip_prefix(p)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            };
            (numbered("image_") || numbered("element_")).then_some(word)
        })
        .collect()
}
