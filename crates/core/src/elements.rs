//! Elements (Kling's saved subjects: a character, a prop) and voices on a board, and the
//! `<<<element_N>>>` / `<<<voice_N>>>` tokens that name them in prompts.
//!
//! Kling's omni-video reference
//! (<https://app.klingai.com/global/dev/document-api/apiReference/model/OmniVideo>): the
//! prompt may "Specify elements/images/videos using <<<>>> format, e.g.: <<<element_1>>>,
//! <<<image_1>>>" (English capture), and element_list is "主体参考列表，基于主体库中主体的ID
//! 配置" shaped `"element_list": [{"element_id": long}]` (Chinese copy, WHQ25/rawgenai
//! docs/research/kling/omni-video-o1.md @ b3f9cef). A token
//! names an element by its place in the list (1-based), like `<<<image_N>>>` names a
//! reference, so removing one renumbers the tokens after it.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::Board;
use super::renumber::{ORPHAN, Renumbered, after_remove};

/// One element of the account's library, as the board names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementRef {
    /// Kling's `element_id` (a number in Kling's answers), kept as text so a 64-bit id
    /// never passes through a float.
    #[serde(default)]
    pub id: String,
    /// The library's `element_name`, for people (never sent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// A picture of the element (its frontal image): a path or URL, shown in Settings and
    /// never sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ElementRef {
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        ElementRef {
            id: id.into(),
            name: name.into(),
            preview: None,
            extra: Map::new(),
        }
    }

    /// The id as Kling's `element_id` (a long), or `None` when it is not a whole number.
    pub fn wire_id(&self) -> Option<i64> {
        let id = self.id.trim();
        (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .then(|| id.parse().ok())
            .flatten()
    }
}

/// One element of the account's library as the provider lists it, for choosing one.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryItem {
    pub id: String,
    pub name: String,
    /// Its frontal image (a URL), shown beside it on the board once chosen.
    pub preview: Option<String>,
    /// The library's status (`succeed` once usable).
    pub status: String,
}

impl LibraryItem {
    /// The board's entry for it.
    pub fn to_ref(&self) -> ElementRef {
        ElementRef {
            preview: self.preview.clone(),
            ..ElementRef::new(self.id.clone(), self.name.clone())
        }
    }
}

/// What fetching an element's picture came to (the engine fetches it; the editor stays off
/// HTTP and previews the cached file like a reference image).
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewFetch {
    /// The picture is in this file (the front end's cache file).
    Fetched(PathBuf),
    /// The element has no picture: no image URL on the board and none in the library.
    NoImage,
    /// Why it could not be fetched, in one line.
    Failed(String),
}

/// The cache file of element `id`'s picture under `dir`, or `None` when the id is not a
/// whole number (Kling's ids are longs): the id is the file's name, so a board cannot name
/// a path outside `dir`.
pub fn preview_file(dir: &Path, id: &str) -> Option<PathBuf> {
    let id = id.trim();
    (!id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()))
        .then(|| dir.join(format!("{id}.img")))
}

/// One voice, as the board names it (`<<<voice_N>>>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceRef {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What a token names: `<<<image_N>>>`, `<<<element_N>>>` or `<<<voice_N>>>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenKind {
    #[default]
    Image,
    Element,
    Voice,
}

impl TokenKind {
    /// The word in the token: `image` in `<<<image_N>>>`.
    pub fn word(self) -> &'static str {
        match self {
            TokenKind::Image => "image",
            TokenKind::Element => "element",
            TokenKind::Voice => "voice",
        }
    }

    /// What the token names, for messages: an image token names a reference.
    pub fn names(self) -> &'static str {
        match self {
            TokenKind::Image => "reference",
            other => other.word(),
        }
    }

    pub fn token(self, n: usize) -> String {
        format!("<<<{}_{n}>>>", self.word())
    }
}

/// Every well-formed `<<<KIND_N>>>` in the text: its byte range and N (1-based, as
/// written). Malformed ones are skipped.
pub fn token_spans(text: &str, kind: TokenKind) -> Vec<(Range<usize>, usize)> {
    let open = format!("<<<{}_", kind.word());
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(&open) {
        let start = from + at;
        let digits_at = start + open.len();
        let rest = &text[digits_at..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        from = digits_at;
        if digits > 0 && rest[digits..].starts_with(">>>") {
            let end = digits_at + digits + 3;
            if let Ok(n) = rest[..digits].parse() {
                out.push((start..end, n));
            }
            from = end;
        }
    }
    out
}

/// Every `<<<KIND_N>>>` in the text, as N.
pub fn tokens(text: &str, kind: TokenKind) -> Vec<usize> {
    token_spans(text, kind)
        .into_iter()
        .map(|(_, n)| n)
        .collect()
}

/// Rewrites the `kind` tokens of `text` for a list reordered as `new_of_old` says; a token
/// whose entry is gone becomes `<<<KIND_0>>>`, which names nothing (see [`ORPHAN`]).
pub fn renumber_tokens(
    text: &str,
    kind: TokenKind,
    new_of_old: &[Option<usize>],
) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut rewritten = Vec::new();
    let mut from = 0;
    for (span, n) in token_spans(text, kind) {
        let Some(place) = n.checked_sub(1).and_then(|i| new_of_old.get(i)) else {
            continue;
        };
        let new = place.map_or(ORPHAN, |p| p + 1);
        if new == n {
            continue;
        }
        out.push_str(&text[from..span.start]);
        out.push_str(&kind.token(new));
        from = span.end;
        rewritten.push((n, new));
    }
    out.push_str(&text[from..]);
    (out, rewritten)
}

/// Removes element `index` (0-based) and renumbers `<<<element_N>>>` in every prompt (the
/// shots', the board's and the negative one). `None` when there is no such element.
pub fn remove_element(board: &mut Board, index: usize) -> Option<Renumbered> {
    if index >= board.elements.len() {
        return None;
    }
    let new_of_old = after_remove(board.elements.len(), index);
    board.elements.remove(index);
    Some(renumber_prompts(board, TokenKind::Element, &new_of_old))
}

/// Removes voice `index` and renumbers `<<<voice_N>>>` the same way.
pub fn remove_voice(board: &mut Board, index: usize) -> Option<Renumbered> {
    if index >= board.voices.len() {
        return None;
    }
    let new_of_old = after_remove(board.voices.len(), index);
    board.voices.remove(index);
    Some(renumber_prompts(board, TokenKind::Voice, &new_of_old))
}

pub(crate) fn renumber_prompts(
    board: &mut Board,
    kind: TokenKind,
    new_of_old: &[Option<usize>],
) -> Renumbered {
    let mut moves = BTreeSet::new();
    let mut orphaned = BTreeSet::new();
    let mut prompts = 0;
    let texts = board
        .shots
        .iter_mut()
        .map(|s| &mut s.prompt)
        .chain([&mut board.prompt, &mut board.negative_prompt]);
    for text in texts {
        let (new, rewritten) = renumber_tokens(text, kind, new_of_old);
        if rewritten.is_empty() {
            continue;
        }
        *text = new;
        prompts += 1;
        for (old, new) in rewritten {
            if new == ORPHAN {
                orphaned.insert(old);
            } else {
                moves.insert((old, new));
            }
        }
    }
    Renumbered {
        moves: moves.into_iter().collect(),
        orphaned: orphaned.into_iter().collect(),
        prompts,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Shot;

    #[test]
    fn a_preview_file_is_named_by_a_numeric_id_only() {
        let dir = Path::new("/cache");
        assert_eq!(
            preview_file(dir, " 100001 "),
            Some(PathBuf::from("/cache/100001.img"))
        );
        for bad in ["", "../x", "12a", "/etc/passwd", "123456789012345678901"] {
            assert_eq!(preview_file(dir, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn finds_well_formed_tokens_of_one_kind_only() {
        let text = "<<<element_1>>> <<<image_2>>> <<<element_>>> <<<voice_3>>> <<<element_12>>>";
        assert_eq!(tokens(text, TokenKind::Element), vec![1, 12]);
        assert_eq!(tokens(text, TokenKind::Voice), vec![3]);
        let spans = token_spans(text, TokenKind::Element);
        assert_eq!(&text[spans[1].0.clone()], "<<<element_12>>>");
    }

    #[test]
    fn removing_an_element_renumbers_every_prompt_and_orphans_its_tokens() {
        let mut b = Board {
            shots: vec![
                Shot::new("<<<element_1>>> meets <<<element_3>>>", 3),
                Shot::new("<<<element_2>>> waves", 3),
            ],
            prompt: "<<<element_3>>>".into(),
            elements: vec![
                ElementRef::new("1", "a"),
                ElementRef::new("2", "b"),
                ElementRef::new("3", "c"),
            ],
            ..Board::default()
        };
        let r = remove_element(&mut b, 1).expect("element 2 exists");
        assert_eq!(b.elements.len(), 2);
        assert_eq!(b.elements[1].id, "3");
        assert_eq!(b.shots[0].prompt, "<<<element_1>>> meets <<<element_2>>>");
        assert_eq!(b.shots[1].prompt, "<<<element_0>>> waves");
        assert_eq!(b.prompt, "<<<element_2>>>");
        assert_eq!(r.moves, vec![(3, 2)]);
        assert_eq!(r.orphaned, vec![2]);
        assert_eq!(r.prompts, 3);
        let line = r.summary().unwrap();
        assert!(
            line.starts_with("elements renumbered: <<<element_3>>> → <<<element_2>>>"),
            "{line}"
        );
        assert!(remove_element(&mut b, 5).is_none());
    }

    #[test]
    fn wire_ids_are_whole_numbers_only() {
        assert_eq!(
            ElementRef::new("863121023120580600", "").wire_id(),
            Some(863121023120580600)
        );
        assert_eq!(ElementRef::new("abc", "").wire_id(), None);
        assert_eq!(ElementRef::new("", "").wire_id(), None);
        assert_eq!(ElementRef::new("-1", "").wire_id(), None);
    }
}
