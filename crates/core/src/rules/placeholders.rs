//! `<<<image_N>>>` placeholders, the way reference prompts name their images.

use std::ops::Range;

use crate::elements::{TokenKind, token_spans};

/// Every well-formed `<<<image_N>>>` in the text: its byte range and N (1-based, as
/// written). Malformed ones are skipped.
pub fn image_placeholder_spans(text: &str) -> Vec<(Range<usize>, usize)> {
    token_spans(text, TokenKind::Image)
}

/// Every `<<<image_N>>>` in the text, as N. Malformed ones are skipped.
pub fn image_placeholders(text: &str) -> Vec<usize> {
    image_placeholder_spans(text)
        .into_iter()
        .map(|(_, n)| n)
        .collect()
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
        let text = "<<<image_<<<image_2>>> é <<<image_10>>>";
        let spans = image_placeholder_spans(text);
        assert_eq!(spans.len(), 2);
        assert_eq!(&text[spans[0].0.clone()], "<<<image_2>>>");
        assert_eq!(&text[spans[1].0.clone()], "<<<image_10>>>");
        assert_eq!((spans[0].1, spans[1].1), (2, 10));
    }
}
