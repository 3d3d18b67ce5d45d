//! The official API's models as data: one row per model says where each board mode is sent,
//! what it offers (qualities, shot types, durations, aspect ratios, images), which fields its
//! endpoints take, and its list prices. Rules, compose, [`Limits`](super::Limits) and the
//! default prices all read these rows, so a new model (Kling 4.0: 3–30 s, 21:9) is one row.
//!
//! Sources (quoted in README "Models"): Kling's API reference pages, read 2026-12-06 from a
//! stored copy of the English reference
//! (<https://app.klingai.com/global/dev/document-api/apiReference/model/OmniVideo>,
//! `…/model/textToVideo`, `…/model/imageToVideo`), and the price list of the research report.

use serde::{Deserialize, Serialize};

use super::kling_v2::Designs;
use super::model::{Mode, ShotType};

mod endpoints;
mod rows;

pub use endpoints::{
    Endpoint, FrameForm, IMAGE2VIDEO, OMNI_VIDEO, Setting, TEXT2VIDEO, Unverified,
};
pub use rows::{KLING_V3, KLING_V3_OMNI, KLING_V3_TURBO};

/// The model a board names when it names none.
pub const DEFAULT_MODEL: &str = "kling-v3";

/// USD per second of output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub silent: f64,
    pub audio: f64,
}

/// Where one board mode is sent, and the `model_name` sent with it.
#[derive(Debug, PartialEq)]
pub struct Route {
    pub endpoint: &'static Endpoint,
    pub model_name: &'static str,
}

/// A quality (sent as `mode`) and its list price.
#[derive(Debug, PartialEq)]
pub struct Quality {
    pub name: &'static str,
    pub rate: Rate,
}

/// Image limits of the model's image endpoints.
#[derive(Debug, PartialEq)]
pub struct ImageLimits {
    /// Images per omni-video request, references and frames together ("at most 7 images").
    pub max_images: usize,
    pub max_bytes: u64,
    pub min_side_px: u32,
    /// Longest side over shortest side.
    pub max_ratio: f64,
    pub formats: &'static [&'static str],
}

/// One model: everything the rules, compose and cost need to know about it.
#[derive(Debug, PartialEq)]
pub struct ModelRow {
    /// The board's `model`.
    pub name: &'static str,
    pub text: Route,
    pub image: Route,
    pub reference: Route,
    /// `std` and `pro`, with prices.
    pub qualities: &'static [Quality],
    /// `quality: "4k"` and its price; `None` turns it off for the model. No official page
    /// lists `mode: "4k"`, so each endpoint marks it [`Unverified`].
    pub four_k: Option<Rate>,
    pub shot_types: &'static [ShotType],
    pub min_seconds: u32,
    pub max_seconds: u32,
    pub aspect_ratios: &'static [&'static str],
    pub max_shots: usize,
    pub shot_prompt_max_chars: usize,
    pub prompt_max_chars: usize,
    pub images: ImageLimits,
    /// Which of Kling's request designs serve the model (see [`super::kling_v2`]).
    pub designs: Designs,
}

impl ModelRow {
    pub fn route(&self, mode: Mode) -> &Route {
        match mode {
            Mode::Text => &self.text,
            Mode::Image => &self.image,
            Mode::Reference => &self.reference,
        }
    }

    /// Every quality the model offers, 4k last when it has it.
    pub fn quality_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.qualities.iter().map(|q| q.name).collect();
        if self.four_k.is_some() {
            names.push(FOUR_K);
        }
        names
    }

    /// The list price of one quality.
    pub fn rate(&self, quality: &str) -> Option<Rate> {
        if quality == FOUR_K {
            return self.four_k;
        }
        self.qualities
            .iter()
            .find(|q| q.name == quality)
            .map(|q| q.rate)
    }
}

/// The quality name of 4K output.
pub const FOUR_K: &str = "4k";

pub(super) const fn rate(silent: f64, audio: f64) -> Rate {
    Rate { silent, audio }
}

/// The built-in table.
pub static MODELS: &[&ModelRow] = &[&KLING_V3, &KLING_V3_OMNI, &KLING_V3_TURBO];

/// A table of models: the built-in one, or another for tests and future rows.
pub type ModelTable<'a> = &'a [&'a ModelRow];

/// The row named `name`.
pub fn find<'a>(table: ModelTable<'a>, name: &str) -> Option<&'a ModelRow> {
    table.iter().copied().find(|row| row.name == name)
}

/// The row for `name`, or the default row when the name is unknown (the `model` rule
/// reports that; the other rules still need numbers to check against).
pub fn row_or_default<'a>(table: ModelTable<'a>, name: &str) -> &'a ModelRow {
    find(table, name)
        .or_else(|| find(table, DEFAULT_MODEL))
        .unwrap_or(table[0])
}

/// The row whose prices apply to a model name, whether it is a row's own name (the board's
/// `model`, a `[prices]` key) or a name sent on the wire: a route's `model_name`
/// (`kling-3.0-turbo` is sent for `kling-v3-turbo`) or a v2 path model. A row's own name
/// wins, so `kling-v3-omni`, sent for kling-v3's reference boards, is priced as the
/// kling-v3-omni row. `None` for a name the table does not know (a gateway's own).
pub fn priced_row<'a>(table: ModelTable<'a>, name: &str) -> Option<&'a ModelRow> {
    find(table, name).or_else(|| {
        table.iter().copied().find(|row| {
            let routes = [&row.text, &row.image, &row.reference];
            routes.iter().any(|r| r.model_name == name)
                || row
                    .designs
                    .v2
                    .as_ref()
                    .is_some_and(|v2| v2.path_model == name)
        })
    })
}

/// The names in the table, in order (for messages and the Settings cycle).
pub fn names(table: ModelTable) -> Vec<&'static str> {
    table.iter().map(|row| row.name).collect()
}
