//! Where in a board something is: a typed JSON path such as `shots[1].prompt`.
//!
//! Indices are 0-based like JSON (the UI says "Shot 2" for `shots[1]`). The text form is a
//! contract: `validate --json` prints it, so a path displays, serializes and parses as
//! exactly that string.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of one shot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShotField {
    Prompt,
    Duration,
}

impl ShotField {
    pub const ALL: [ShotField; 2] = [ShotField::Prompt, ShotField::Duration];

    /// The JSON key, as the board file spells it.
    pub fn name(self) -> &'static str {
        match self {
            ShotField::Prompt => "prompt",
            ShotField::Duration => "duration",
        }
    }
}

/// A field of the board, or of one of its shots or references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldPath {
    Version,
    Title,
    Mode,
    Model,
    Quality,
    AspectRatio,
    CfgScale,
    NegativePrompt,
    Sound,
    Watermark,
    MultiShot,
    /// Custom (the shot list) or auto (the model cuts).
    ShotType,
    /// The one prompt (multi-shot off, or auto).
    Prompt,
    /// The task duration: the single-shot one, or the sum of the shots.
    Duration,
    FirstFrame,
    LastFrame,
    /// The reference list as a whole.
    References,
    /// One reference image (0-based).
    Reference(usize),
    /// The shot list as a whole.
    Shots,
    /// The element list as a whole.
    Elements,
    /// One element's id (0-based): `elements[0].id`.
    Element(usize),
    /// The voice list as a whole.
    Voices,
    /// One voice's id (0-based): `voices[0].id`.
    Voice(usize),
    /// A field of one shot (0-based).
    Shot {
        index: usize,
        field: ShotField,
    },
}

impl FieldPath {
    /// Every path that is a plain top-level key (no index).
    pub const TOP_LEVEL: [FieldPath; 20] = [
        FieldPath::Version,
        FieldPath::Title,
        FieldPath::Mode,
        FieldPath::Model,
        FieldPath::Quality,
        FieldPath::AspectRatio,
        FieldPath::CfgScale,
        FieldPath::NegativePrompt,
        FieldPath::Sound,
        FieldPath::Watermark,
        FieldPath::MultiShot,
        FieldPath::ShotType,
        FieldPath::Prompt,
        FieldPath::Duration,
        FieldPath::FirstFrame,
        FieldPath::LastFrame,
        FieldPath::References,
        FieldPath::Shots,
        FieldPath::Elements,
        FieldPath::Voices,
    ];

    pub fn shot(index: usize, field: ShotField) -> FieldPath {
        FieldPath::Shot { index, field }
    }

    /// The shot this path is inside, if any.
    pub fn shot_index(self) -> Option<usize> {
        match self {
            FieldPath::Shot { index, .. } => Some(index),
            _ => None,
        }
    }

    /// The JSON key of a top-level path; `None` for the indexed ones.
    pub fn key(self) -> Option<&'static str> {
        Some(match self {
            FieldPath::Version => "version",
            FieldPath::Title => "title",
            FieldPath::Mode => "mode",
            FieldPath::Model => "model",
            FieldPath::Quality => "quality",
            FieldPath::AspectRatio => "aspect_ratio",
            FieldPath::CfgScale => "cfg_scale",
            FieldPath::NegativePrompt => "negative_prompt",
            FieldPath::Sound => "sound",
            FieldPath::Watermark => "watermark",
            FieldPath::MultiShot => "multi_shot",
            FieldPath::ShotType => "shot_type",
            FieldPath::Prompt => "prompt",
            FieldPath::Duration => "duration",
            FieldPath::FirstFrame => "first_frame",
            FieldPath::LastFrame => "last_frame",
            FieldPath::References => "references",
            FieldPath::Shots => "shots",
            FieldPath::Elements => "elements",
            FieldPath::Voices => "voices",
            FieldPath::Reference(_)
            | FieldPath::Shot { .. }
            | FieldPath::Element(_)
            | FieldPath::Voice(_) => return None,
        })
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FieldPath::Reference(i) => write!(f, "references[{i}]"),
            FieldPath::Element(i) => write!(f, "elements[{i}].id"),
            FieldPath::Voice(i) => write!(f, "voices[{i}].id"),
            FieldPath::Shot { index, field } => write!(f, "shots[{index}].{}", field.name()),
            top => f.write_str(top.key().unwrap_or_default()),
        }
    }
}

/// Text that names no field of a board.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a board field path")]
pub struct UnknownFieldPath(pub String);

impl FromStr for FieldPath {
    type Err = UnknownFieldPath;

    fn from_str(s: &str) -> Result<FieldPath, UnknownFieldPath> {
        parse(s).ok_or_else(|| UnknownFieldPath(s.to_string()))
    }
}

fn parse(s: &str) -> Option<FieldPath> {
    if let Some(rest) = s.strip_prefix("shots[") {
        let (index, tail) = rest.split_once("].")?;
        let field = ShotField::ALL.into_iter().find(|f| f.name() == tail)?;
        return Some(FieldPath::shot(index_of(index)?, field));
    }
    if let Some(rest) = s.strip_prefix("references[") {
        return Some(FieldPath::Reference(index_of(rest.strip_suffix(']')?)?));
    }
    if let Some(rest) = s.strip_prefix("elements[") {
        return Some(FieldPath::Element(index_of(rest.strip_suffix("].id")?)?));
    }
    if let Some(rest) = s.strip_prefix("voices[") {
        return Some(FieldPath::Voice(index_of(rest.strip_suffix("].id")?)?));
    }
    FieldPath::TOP_LEVEL
        .into_iter()
        .find(|p| p.key() == Some(s))
}

/// Digits only: `+1` or ` 1` would not print back the same way.
fn index_of(digits: &str) -> Option<usize> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FieldPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FieldPath, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_variant() -> Vec<FieldPath> {
        let mut all = FieldPath::TOP_LEVEL.to_vec();
        all.extend([FieldPath::Reference(0), FieldPath::Reference(6)]);
        all.extend([
            FieldPath::Element(0),
            FieldPath::Element(3),
            FieldPath::Voice(1),
        ]);
        for field in ShotField::ALL {
            all.extend([FieldPath::shot(0, field), FieldPath::shot(12, field)]);
        }
        all
    }

    #[test]
    fn displays_as_the_json_path() {
        assert_eq!(
            FieldPath::shot(0, ShotField::Prompt).to_string(),
            "shots[0].prompt"
        );
        assert_eq!(
            FieldPath::shot(3, ShotField::Duration).to_string(),
            "shots[3].duration"
        );
        assert_eq!(FieldPath::Reference(1).to_string(), "references[1]");
        assert_eq!(FieldPath::Element(0).to_string(), "elements[0].id");
        assert_eq!(FieldPath::Voice(2).to_string(), "voices[2].id");
        assert_eq!(FieldPath::NegativePrompt.to_string(), "negative_prompt");
        assert_eq!(FieldPath::AspectRatio.to_string(), "aspect_ratio");
        assert_eq!(FieldPath::Shots.to_string(), "shots");
        assert_eq!(FieldPath::ShotType.to_string(), "shot_type");
    }

    #[test]
    fn shot_type_is_a_top_level_key_that_parses_back() {
        assert!(FieldPath::TOP_LEVEL.contains(&FieldPath::ShotType));
        assert_eq!("shot_type".parse(), Ok(FieldPath::ShotType));
        assert_eq!(
            serde_json::to_string(&FieldPath::ShotType).unwrap(),
            "\"shot_type\""
        );
        assert_eq!(FieldPath::ShotType.shot_index(), None);
        assert!("shot_types".parse::<FieldPath>().is_err());
    }

    #[test]
    fn every_variant_parses_back_from_its_text() {
        for path in every_variant() {
            let text = path.to_string();
            assert_eq!(text.parse::<FieldPath>(), Ok(path), "{text}");
        }
    }

    #[test]
    fn text_that_is_no_path_is_refused() {
        for bad in [
            "",
            "shots[]",
            "shots[0]",
            "shots[0].",
            "shots[0].title",
            "shots[+1].prompt",
            "shots[x].prompt",
            "references[ 1]",
            "references[1].x",
            "elements[0]",
            "elements[0].name",
            "Prompt",
            "extra_field",
        ] {
            assert_eq!(
                bad.parse::<FieldPath>(),
                Err(UnknownFieldPath(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn serializes_as_the_same_string() {
        for path in every_variant() {
            let json = serde_json::to_string(&path).unwrap();
            assert_eq!(json, format!("\"{path}\""));
            assert_eq!(serde_json::from_str::<FieldPath>(&json).unwrap(), path);
        }
        let err = serde_json::from_str::<FieldPath>("\"shots[1].colour\"").unwrap_err();
        assert!(err.to_string().contains("not a board field path"), "{err}");
    }

    #[test]
    fn knows_its_shot() {
        assert_eq!(FieldPath::shot(4, ShotField::Prompt).shot_index(), Some(4));
        assert_eq!(
            FieldPath::shot(0, ShotField::Duration).shot_index(),
            Some(0)
        );
        for path in FieldPath::TOP_LEVEL {
            assert_eq!(path.shot_index(), None, "{path}");
        }
        assert_eq!(FieldPath::Reference(2).shot_index(), None);
    }
}
