//! Limits shared by both wire forms (kling-api-notes.md, "Create body").

use base64::Engine;

use super::{Fields, Invalid};

pub(crate) const MAX_PROMPT_CHARS: usize = 2500;
pub(crate) const MAX_NEGATIVE_PROMPT_CHARS: usize = 2500;
pub(crate) const MAX_SHOT_PROMPT_CHARS: usize = 512;
pub(crate) const MAX_SHOTS: usize = 6;
pub(crate) const MIN_SHOT_SECONDS: i64 = 1;
pub(crate) const MIN_DURATION: i64 = 3;
pub(crate) const MAX_DURATION: i64 = 15;
pub(crate) const DEFAULT_DURATION: i64 = 5;
pub(crate) const MAX_REFERENCES: usize = 7;
pub(crate) const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// `4k`: kling-api-notes, "`mode: "4k"` exists for kling-v3 and kling-v3-omni on the /v1
/// routes"; ModelStream's omni form, "4K is sharpest".
pub(crate) const MODES: &[&str] = &["std", "pro", "4k"];
pub(crate) const ASPECT_RATIOS: &[&str] = &["16:9", "9:16", "1:1"];

/// Limits count characters, not bytes: a prompt in Chinese is as long as one in English.
pub(crate) fn check_len(param: &str, text: &str, max: usize) -> Result<(), Invalid> {
    let len = text.chars().count();
    if len > max {
        return Err(Invalid::field(
            param,
            format!("is {len} characters; the limit is {max}"),
        ));
    }
    Ok(())
}

/// Present, not blank, and within `max` characters.
pub(crate) fn require_text(param: &str, text: Option<&str>, max: usize) -> Result<(), Invalid> {
    match text {
        Some(t) if !t.trim().is_empty() => check_len(param, t, max),
        _ => Err(Invalid::field(param, "is required and must not be empty")),
    }
}

pub(crate) fn check_one_of(param: &str, value: &str, allowed: &[&str]) -> Result<(), Invalid> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(Invalid::field(
        param,
        format!("must be one of {}, got {value:?}", allowed.join(", ")),
    ))
}

pub(crate) fn check_cfg_scale(param: &str, value: f64) -> Result<(), Invalid> {
    if (0.0..=1.0).contains(&value) {
        return Ok(());
    }
    Err(Invalid::field(
        param,
        format!("must be between 0 and 1, got {value}"),
    ))
}

pub(crate) fn check_total_duration(param: &str, seconds: i64) -> Result<(), Invalid> {
    if (MIN_DURATION..=MAX_DURATION).contains(&seconds) {
        return Ok(());
    }
    Err(Invalid::field(
        param,
        format!("must be {MIN_DURATION} to {MAX_DURATION} seconds, got {seconds}"),
    ))
}

/// An http(s) URL, or raw Base64 of a JPEG or PNG of at most 10 MB.
pub(crate) fn check_image(param: &str, value: &str) -> Result<(), Invalid> {
    if value.starts_with("http://") || value.starts_with("https://") {
        let host = value.split("://").nth(1).unwrap_or("");
        if host.is_empty() || host.starts_with('/') {
            return Err(Invalid::field(param, "is a URL without a host"));
        }
        return Ok(());
    }
    if value.starts_with("data:") {
        return Err(Invalid::field(
            param,
            "must be raw Base64 without a \"data:...;base64,\" prefix, or an http(s) URL",
        ));
    }
    if value.is_empty() {
        return Err(Invalid::field(
            param,
            "is empty; send an http(s) URL or raw Base64",
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|e| {
            Invalid::field(
                param,
                format!("is neither an http(s) URL nor valid Base64 ({e})"),
            )
        })?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(Invalid::field(
            param,
            format!(
                "is {} bytes; the limit is {MAX_IMAGE_BYTES} (10 MB)",
                bytes.len()
            ),
        ));
    }
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const JPEG: &[u8] = b"\xff\xd8\xff";
    if !(bytes.starts_with(PNG) || bytes.starts_with(JPEG)) {
        return Err(Invalid::field(
            param,
            "is not a JPEG or PNG image (jpg, jpeg, png only)",
        ));
    }
    Ok(())
}

/// One shot of a multi-shot create, after its wire types were checked.
pub(crate) struct ShotIn<'a> {
    pub index: i64,
    pub prompt: Option<&'a str>,
    pub duration: i64,
}

/// 1–6 shots, indexed 1, 2, … in order, each with a prompt of at most 512 characters and at
/// least one second, adding up to the create's `duration`.
pub(crate) fn check_shots(
    param: &str,
    shots: &[ShotIn],
    total: i64,
    total_param: &str,
) -> Result<(), Invalid> {
    if shots.is_empty() || shots.len() > MAX_SHOTS {
        return Err(Invalid::field(
            param,
            format!("has {} shots; it must have 1 to {MAX_SHOTS}", shots.len()),
        ));
    }
    for (i, shot) in shots.iter().enumerate() {
        let expected = i as i64 + 1;
        if shot.index != expected {
            return Err(Invalid::field(
                format!("{param}[{i}].index"),
                format!(
                    "must be {expected} (shots are numbered from 1 in order), got {}",
                    shot.index
                ),
            ));
        }
        require_text(
            &format!("{param}[{i}].prompt"),
            shot.prompt,
            MAX_SHOT_PROMPT_CHARS,
        )?;
        if shot.duration < MIN_SHOT_SECONDS {
            return Err(Invalid::field(
                format!("{param}[{i}].duration"),
                format!(
                    "must be at least {MIN_SHOT_SECONDS} second, got {}",
                    shot.duration
                ),
            ));
        }
    }
    let sum: i64 = shots.iter().map(|s| s.duration).sum();
    if sum != total {
        return Err(Invalid::field(
            total_param,
            format!(
                "is {total} seconds but the shots in {param} add up to {sum}; they must be equal"
            ),
        ));
    }
    Ok(())
}

/// Every `<<<image_N>>>` in `texts` must name an image of the list (1-based).
pub(crate) fn check_placeholders(
    texts: &[(String, &str)],
    images: usize,
    list_param: &str,
) -> Result<(), Invalid> {
    check_tokens(texts, "image", images, list_param)
}

/// Every `<<<{word}_N>>>` in the texts names an item of `list_param` (1-based).
pub(crate) fn check_tokens(
    texts: &[(String, &str)],
    word: &str,
    count: usize,
    list_param: &str,
) -> Result<(), Invalid> {
    for (param, text) in texts {
        for n in token_numbers(text, word) {
            if n == 0 || n > count {
                return Err(Invalid::field(
                    param.as_str(),
                    format!(
                        "refers to <<<{word}_{n}>>> but {list_param} has {count} {word}s (numbered from 1)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The numbers of all well-formed `<<<{word}_N>>>` markers in `text`.
fn token_numbers(text: &str, word: &str) -> Vec<usize> {
    let open = format!("<<<{word}_");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        rest = &rest[start + open.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(">>>") {
            // An absurdly long number is out of range either way.
            found.push(rest[..digits].parse().unwrap_or(usize::MAX));
        }
    }
    found
}

/// `image` (the first frame) is required and `image_tail` optional, but not with
/// multi-shot: the same rule on both wire forms, which differ only in how they say it.
pub(crate) fn check_frames(f: &Fields, multi_shot: bool, missing: &str) -> Result<(), Invalid> {
    let image = f
        .str("image")?
        .ok_or_else(|| Invalid::field("image", missing))?;
    check_image("image", image)?;
    if let Some(tail) = f.str("image_tail")? {
        if multi_shot {
            return Err(Invalid::field(
                "image_tail",
                "is not allowed with multi_shot (only a first frame is)",
            ));
        }
        check_image("image_tail", tail)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters() {
        let wide = "猫".repeat(2500);
        assert!(check_len("prompt", &wide, MAX_PROMPT_CHARS).is_ok());
        let err = check_len("prompt", &format!("{wide}x"), MAX_PROMPT_CHARS).unwrap_err();
        assert_eq!(err.message, "prompt is 2501 characters; the limit is 2500");
    }

    #[test]
    fn images_by_url_or_magic_bytes() {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        assert!(check_image("image", "https://example.com/a.png").is_ok());
        assert!(check_image("image", "https://").is_err());
        assert!(check_image("image", &b64(b"\x89PNG\r\n\x1a\nrest")).is_ok());
        assert!(check_image("image", &b64(b"\xff\xd8\xff\xe0rest")).is_ok());
        let gif = check_image("image", &b64(b"GIF89a...")).unwrap_err();
        assert!(gif.message.contains("JPEG or PNG"));
        let prefixed = check_image("image", "data:image/png;base64,iVBORw0KGgo=").unwrap_err();
        assert!(prefixed.message.contains("data:"));
        assert!(check_image("image", "not base64 at all!").is_err());
    }

    #[test]
    fn shots_must_add_up() {
        let shot = |index, duration| ShotIn {
            index,
            prompt: Some("a cat"),
            duration,
        };
        assert!(check_shots("multi_prompt", &[shot(1, 2), shot(2, 3)], 5, "duration").is_ok());
        let sum =
            check_shots("multi_prompt", &[shot(1, 2), shot(2, 2)], 5, "duration").unwrap_err();
        assert_eq!(sum.param.as_deref(), Some("duration"));
        let index = check_shots("multi_prompt", &[shot(0, 5)], 5, "duration").unwrap_err();
        assert_eq!(index.param.as_deref(), Some("multi_prompt[0].index"));
        let seven: Vec<_> = (1..=7).map(|i| shot(i, 1)).collect();
        assert!(check_shots("multi_prompt", &seven, 7, "duration").is_err());
        let long = "x".repeat(513);
        let long_shot = [ShotIn {
            index: 1,
            prompt: Some(&long),
            duration: 5,
        }];
        let err = check_shots("multi_prompt", &long_shot, 5, "duration").unwrap_err();
        assert_eq!(
            err.message,
            "multi_prompt[0].prompt is 513 characters; the limit is 512"
        );
    }

    #[test]
    fn placeholders_stay_within_the_list() {
        let texts = [("prompt".to_string(), "<<<image_1>>> meets <<<image_2>>>")];
        assert!(check_placeholders(&texts, 2, "image_list").is_ok());
        let err = check_placeholders(&texts, 1, "image_list").unwrap_err();
        assert!(err.message.contains("<<<image_2>>>"), "{}", err.message);
        let zero = [("prompt".to_string(), "<<<image_0>>>")];
        assert!(check_placeholders(&zero, 3, "image_list").is_err());
        assert_eq!(
            token_numbers("<<<image_>>> <<<image_3 >>>", "image"),
            Vec::<usize>::new()
        );
    }
}
