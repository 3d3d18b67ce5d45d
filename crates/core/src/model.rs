//! The storyboard as the user's JSON file describes it (schema version 1).
//!
//! Unknown fields are captured in `extra` maps so a round-trip through shotdeck never drops
//! what a newer version (or the user) wrote. Durations are kept as `f64` so a fractional
//! value becomes a validation finding with a path, not an opaque parse error.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use super::elements::{ElementRef, VoiceRef};
use super::field_path::FieldPath;

/// The board schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The documented default of `cfg_scale` (kling-api-notes: "float 0–1 (default 0.5)").
pub const DEFAULT_CFG_SCALE: f64 = 0.5;

/// Sent when a text or reference board leaves `aspect_ratio` unset.
pub const DEFAULT_ASPECT_RATIO: &str = "16:9";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Prompt only.
    #[default]
    Text,
    /// First frame (and, single-shot only, last frame) guide the video.
    Image,
    /// Reference images named in prompts as `<<<image_N>>>`.
    Reference,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Text, Mode::Image, Mode::Reference];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Text => "text",
            Mode::Image => "image",
            Mode::Reference => "reference",
        }
    }
}

/// How a multi-shot board is cut into shots (board field `shot_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ShotType {
    /// The board's own shot list (sent as `shot_type: "customize"` with `multi_prompt`).
    #[default]
    Custom,
    /// The model cuts the shots from the one `prompt` (`shot_type: "intelligence"`).
    Auto,
}

impl ShotType {
    pub const ALL: [ShotType; 2] = [ShotType::Custom, ShotType::Auto];

    pub fn as_str(self) -> &'static str {
        match self {
            ShotType::Custom => "custom",
            ShotType::Auto => "auto",
        }
    }

    fn is_custom(&self) -> bool {
        *self == ShotType::Custom
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shot {
    #[serde(default)]
    pub prompt: String,
    #[serde(default = "default_shot_duration", with = "whole_seconds")]
    pub duration: f64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Shot {
    pub fn new(prompt: impl Into<String>, duration: u32) -> Self {
        Shot {
            prompt: prompt.into(),
            duration: f64::from(duration),
            extra: Map::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Board {
    #[serde(default = "default_version")]
    pub version: u32,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub mode: Mode,
    #[serde(default = "default_model")]
    pub model: String,
    /// `std`, `pro` or `4k` (where the model has it); kept as text so an unknown value is a finding, not a parse error.
    #[serde(default = "default_quality")]
    pub quality: String,
    /// `None` when the board leaves it unset (16:9 is sent for text and reference modes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(default = "default_cfg_scale")]
    pub cfg_scale: f64,
    #[serde(default)]
    pub negative_prompt: String,
    #[serde(default)]
    pub sound: bool,
    #[serde(default)]
    pub watermark: bool,
    #[serde(default = "default_true")]
    pub multi_shot: bool,
    /// Custom (the shot list) or auto (the model cuts). Left out of the file while custom,
    /// so boards that never set it are written back byte for byte.
    #[serde(default, skip_serializing_if = "ShotType::is_custom")]
    pub shot_type: ShotType,
    /// The one prompt, used when `multi_shot` is false or `shot_type` is auto.
    #[serde(default)]
    pub prompt: String,
    /// The task duration unless the shot list is sent (custom multi-shot boards derive it).
    #[serde(default = "default_single_duration", with = "whole_seconds")]
    pub duration: f64,
    #[serde(default)]
    pub first_frame: Option<String>,
    #[serde(default)]
    pub last_frame: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub shots: Vec<Shot>,
    /// Elements from the account's library, named in prompts as `<<<element_N>>>`. Left
    /// out of the file while empty, so boards that never had one are written back as they
    /// were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<ElementRef>,
    /// Voices, named in prompts as `<<<voice_N>>>`; left out of the file while empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voices: Vec<VoiceRef>,
    /// What the board continues from, set by a submit on the board as sent (from its
    /// sequence: see `sequence::continuation`) so the job and the video's sidecar keep it.
    /// Never written to a board file; the intake replaces whatever one says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continues: Option<crate::sequence::Continuation>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Board {
    fn default() -> Self {
        Board {
            version: SCHEMA_VERSION,
            title: String::new(),
            mode: Mode::Text,
            model: default_model(),
            quality: default_quality(),
            aspect_ratio: None,
            cfg_scale: default_cfg_scale(),
            negative_prompt: String::new(),
            sound: false,
            watermark: false,
            multi_shot: true,
            shot_type: ShotType::Custom,
            prompt: String::new(),
            duration: default_single_duration(),
            first_frame: None,
            last_frame: None,
            references: Vec::new(),
            shots: Vec::new(),
            elements: Vec::new(),
            voices: Vec::new(),
            continues: None,
            extra: Map::new(),
        }
    }
}

impl Board {
    /// True when the board's own shot list is sent (multi-shot, custom). Otherwise the one
    /// `prompt` and `duration` are: single-shot, or multi-shot where the model cuts (auto).
    pub fn uses_shot_list(&self) -> bool {
        self.multi_shot && self.shot_type == ShotType::Custom
    }

    /// The task's duration in seconds: the sum of the shots when the shot list is sent.
    pub fn total_duration(&self) -> f64 {
        if self.uses_shot_list() {
            self.shots.iter().map(|s| s.duration).sum()
        } else {
            self.duration
        }
    }

    /// The aspect ratio that will be requested for text and reference boards.
    pub fn effective_aspect_ratio(&self) -> &str {
        self.aspect_ratio.as_deref().unwrap_or(DEFAULT_ASPECT_RATIO)
    }

    /// The images the board points at, with the JSON path of each (for findings).
    pub fn image_refs(&self) -> Vec<(FieldPath, &str)> {
        let mut out = Vec::new();
        if let Some(p) = self.first_frame.as_deref() {
            out.push((FieldPath::FirstFrame, p));
        }
        if let Some(p) = self.last_frame.as_deref() {
            out.push((FieldPath::LastFrame, p));
        }
        for (i, r) in self.references.iter().enumerate() {
            out.push((FieldPath::Reference(i), r.as_str()));
        }
        out
    }

    /// The board `shotdeck new` writes: a valid three-shot, 12-second sequence.
    pub fn starter() -> Self {
        Board {
            title: "Untitled sequence".into(),
            aspect_ratio: Some(DEFAULT_ASPECT_RATIO.into()),
            shots: vec![
                Shot::new(
                    "Wide establishing shot: a rain-soaked city street at night, neon signs reflected in puddles.",
                    4,
                ),
                Shot::new(
                    "Medium shot: a detective in a trench coat lights a cigarette under a flickering sign.",
                    4,
                ),
                Shot::new(
                    "Close-up: her eyes narrow as headlights sweep across her face.",
                    4,
                ),
            ],
            ..Board::default()
        }
    }
}

/// True when the string is an http(s) URL rather than a local path.
/// The scheme of a reference that names one other than http(s) (`data`, `ftp`, `file`…),
/// which shotdeck neither reads nor sends. Two letters at least, so `C:\frames\a.png` is a
/// path.
pub fn foreign_scheme(s: &str) -> Option<&str> {
    let s = s.trim_start();
    let (scheme, _) = s.split_once(':')?;
    let valid = scheme.len() >= 2
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (valid && !is_url(s)).then_some(scheme)
}

pub fn is_url(s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn default_version() -> u32 {
    SCHEMA_VERSION
}
fn default_model() -> String {
    super::models::DEFAULT_MODEL.into()
}
fn default_quality() -> String {
    "std".into()
}
fn default_cfg_scale() -> f64 {
    DEFAULT_CFG_SCALE
}
fn default_true() -> bool {
    true
}
fn default_shot_duration() -> f64 {
    3.0
}
fn default_single_duration() -> f64 {
    5.0
}

/// Durations are written back as integers when they are whole, so a board saved by
/// shotdeck diffs cleanly against the one the user wrote (`4`, not `4.0`).
mod whole_seconds {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            s.serialize_i64(*v as i64)
        } else {
            s.serialize_f64(*v)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        f64::deserialize(d)
    }
}
