//! `<<<image_N>>>` placeholders, the way reference prompts name their images.

/// Every `<<<image_N>>>` in the text, as N (1-based, as written). Malformed ones are skipped.
pub fn image_placeholders(text: &str) -> Vec<usize> {
    const OPEN: &str = "<<<image_";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        rest = &rest[at + OPEN.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(">>>") {
            if let Ok(n) = rest[..digits].parse() {
                out.push(n);
            }
            rest = &rest[digits + 3..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_well_formed_placeholders_only() {
        assert_eq!(
            image_placeholders(
                "a <<<image_1>>> b <<<image_12>>> <<<image_>>> <<<image_3>> <<<image_2>>>"
            ),
            vec![1, 12, 2]
        );
        assert!(image_placeholders("no images").is_empty());
    }
}
