//! Kling's two request designs, and which one a board takes.
//!
//! **Legacy**: `POST /v1/videos/{text2video|image2video|omni-video}` with `model_name` in a
//! flat body, a JWT signed from the access/secret key pair (or the API key), tasks looked
//! up at `{path}/{task_id}` and listed per kind.
//!
//! **v2**, the newer design: the model in the path (`POST /text-to-video/kling-3.0`,
//! `/image-to-video/kling-3.0`), a body of `prompt` or `contents`, `settings` and
//! `options`, Kling's API key as Bearer only, and tasks looked up with
//! `GET /tasks?task_ids=a,b`. Kling's own pages for it
//! (<https://kling.ai/document-api/api/video/3-0-turbo/text-to-video>, …) render in the
//! browser and no stored copy could be read, so every wire fact here is quoted in the
//! README ("Kling's two request designs") from a relay's page that mirrors the design and
//! from client source that calls it, with URLs and commits. Where they could be wrong the
//! design fails loudly and costs nothing: v2 is the default only for a model without a
//! legacy route (Kling 3.0 Turbo), an answer in another shape is an odd answer (never a
//! failed task), and a doubtful create is never sent blindly again: the task is looked up by
//! our `external_task_id` with `GET /tasks?external_task_ids=` (quoted in the README,
//! "Gateway keys, and what happens when a create's answer is lost"), and anything but a
//! task carrying our id or a plain empty answer keeps the create in doubt.

use serde::{Deserialize, Serialize};

use crate::model::{Mode, ShotType};
use crate::models::ModelRow;
use crate::provider::Provider;

/// One of Kling's two request designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    Legacy,
    V2,
}

impl Design {
    /// For `compose`, the submit dialog and `doctor`: "kling legacy (access/secret key JWT)".
    pub fn label(self) -> &'static str {
        match self {
            Design::Legacy => "kling legacy (JWT from access/secret key, or the API key)",
            Design::V2 => "kling v2 (api key)",
        }
    }
}

/// `[profiles.kling] route`: which design the official provider uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoutePref {
    /// What the model table says for the board's model.
    #[default]
    Auto,
    Legacy,
    V2,
}

impl<'de> Deserialize<'de> for RoutePref {
    /// An unknown value is an error naming the key, so the config's report says which line
    /// to fix (serde's own would name only the variants).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.trim() {
            "auto" => Ok(RoutePref::Auto),
            "legacy" => Ok(RoutePref::Legacy),
            "v2" => Ok(RoutePref::V2),
            other => Err(serde::de::Error::custom(format!(
                "[profiles.kling] route must be \"auto\", \"legacy\" or \"v2\", not {other:?}"
            ))),
        }
    }
}

/// `[profiles.kling]` in config.toml.
///
/// ```toml
/// [profiles.kling]
/// route = "v2"        # or "legacy"; "auto" (the default) follows the model table
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KlingProfile {
    pub route: RoutePref,
}

/// What one model offers on the v2 design.
#[derive(Debug, PartialEq)]
pub struct V2Model {
    /// The path segment: `POST /text-to-video/{path_model}` (or `/omni-video/…`).
    pub path_model: &'static str,
    /// Every board of the model goes to `POST /omni-video/{path_model}`, its `contents`
    /// carrying the prompt, the frames, reference images and elements.
    pub omni: bool,
    /// Where a non-omni model's reference boards go: `POST /omni-video/{this}`, as the
    /// legacy design sends them to omni-video as the omni model. `None`: refused.
    pub references_to: Option<&'static str>,
    /// Whether `POST /image-to-video/{path_model}` exists (first frame in `contents`).
    pub image: bool,
    /// Whether `contents` may carry a `last_frame`.
    pub last_frame: bool,
    /// The board's quality and the `settings.resolution` it is sent as.
    pub resolutions: &'static [(&'static str, &'static str)],
    /// Whether `settings.audio` (`"native"` / `"off"`) exists.
    pub audio: bool,
    /// Whether `settings.multi_shot` exists (the shots are written in the prompt either way).
    pub multi_shot_setting: bool,
}

impl V2Model {
    /// Where a board of `mode` is created: `(path prefix, path model)`, the prefix one of
    /// [`TEXT_TO_VIDEO`], [`IMAGE_TO_VIDEO`], [`OMNI_VIDEO_PATH`]; `None` when this model
    /// has no v2 route for the mode.
    pub fn create(&self, mode: Mode) -> Option<(&'static str, &'static str)> {
        match mode {
            _ if self.omni => Some((OMNI_VIDEO_PATH, self.path_model)),
            Mode::Text => Some((TEXT_TO_VIDEO, self.path_model)),
            Mode::Image => self.image.then_some((IMAGE_TO_VIDEO, self.path_model)),
            Mode::Reference => self.references_to.map(|m| (OMNI_VIDEO_PATH, m)),
        }
    }

    /// The `settings.resolution` for a board quality, `None` when the model has none.
    pub fn resolution(&self, quality: &str) -> Option<&'static str> {
        self.resolutions
            .iter()
            .find(|(q, _)| *q == quality)
            .map(|(_, r)| *r)
    }
}

/// Which designs serve a model, and which one it takes unless the profile says otherwise.
#[derive(Debug, PartialEq)]
pub struct Designs {
    pub legacy: bool,
    pub v2: Option<V2Model>,
    pub default: Design,
}

/// `POST /text-to-video/{model}`.
pub const TEXT_TO_VIDEO: &str = "/text-to-video/";
/// `POST /image-to-video/{model}`.
pub const IMAGE_TO_VIDEO: &str = "/image-to-video/";
/// `POST /omni-video/{model}`: every board of an omni model, and reference boards.
pub const OMNI_VIDEO_PATH: &str = "/omni-video/";
/// `GET /tasks?task_ids=a,b`.
pub const TASKS_PATH: &str = "/tasks";
/// The query parameter of [`TASKS_PATH`].
pub const TASK_IDS_PARAM: &str = "task_ids";
/// The other query parameter of [`TASKS_PATH`]: tasks by the `options.external_task_id`
/// their create carried. Kling's page: "`external_task_ids`: The custom task ID that needs
/// to be queried", "you can choose between two query methods: task_ids and
/// external_task_ids, but you cannot use them simultaneously".
pub const EXTERNAL_TASK_IDS_PARAM: &str = "external_task_ids";
/// Task ids asked in one [`TASKS_PATH`] lookup. Kling's page documents the batch ("Support
/// batch queries, separated by \",\"") but no limit; a client that calls it reports "The
/// vendor caps `GET /tasks` at **20 ids** per request (undocumented; verified live)"
/// (README "Kling's two request designs" cites both). 20 is also the conservative guess.
pub const TASK_IDS_PER_LOOKUP: usize = 20;

/// Whether a composed request's path is a v2 create.
pub fn is_v2_path(path: &str) -> bool {
    path.starts_with(TEXT_TO_VIDEO)
        || path.starts_with(IMAGE_TO_VIDEO)
        || path.starts_with(OMNI_VIDEO_PATH)
}

/// Whether the engine may poll the task of `create_path` through the kind's list: v2 has
/// no list per kind (its lookup takes ids), so each task is queried on its own.
pub fn lists_tasks(provider: Provider, create_path: &str) -> bool {
    provider.lists_tasks() && !is_v2_path(create_path)
}

/// Whether the engine polls the task of `create_path` together with the provider's other
/// v2 tasks: one `GET /tasks?task_ids=a,b,…` answers up to [`TASK_IDS_PER_LOOKUP`] of them,
/// whatever model or kind created them (the lookup takes ids, not a kind).
pub fn looks_up_in_batches(provider: Provider, create_path: &str) -> bool {
    provider == Provider::Kling && is_v2_path(create_path)
}

/// The design a board on `row` takes under `pref`, or why it cannot go.
pub fn choose(row: &ModelRow, mode: Mode, pref: RoutePref) -> Result<Design, String> {
    let d = &row.designs;
    let design = match pref {
        RoutePref::Auto => d.default,
        RoutePref::Legacy if d.legacy => Design::Legacy,
        RoutePref::Legacy => {
            return Err(format!(
                "{} has no legacy route (Kling serves it on the v2 design only); remove \
                 route = \"legacy\" from [profiles.kling] in config.toml",
                row.name
            ));
        }
        RoutePref::V2 if d.v2.is_some() => Design::V2,
        RoutePref::V2 => {
            return Err(format!(
                "{} has no v2 route in the model table; remove route = \"v2\" from \
                 [profiles.kling] in config.toml",
                row.name
            ));
        }
    };
    if design == Design::V2 {
        let v2 =
            d.v2.as_ref()
                .ok_or_else(|| format!("{} has no v2 route", row.name))?;
        match (mode, v2.create(mode)) {
            (_, Some(_)) => {}
            (Mode::Reference, None) => {
                return Err(format!(
                    "{} has no omni-video route on the v2 design, so its reference boards \
                     cannot go there: choose model kling-v3-omni{}",
                    row.name,
                    if d.legacy {
                        ", or set route = \"legacy\" in [profiles.kling]"
                    } else {
                        ""
                    }
                ));
            }
            (_, None) => {
                return Err(format!(
                    "{} has no image-to-video route on the v2 design",
                    row.name
                ));
            }
        }
    }
    Ok(design)
}

/// The v2 model when the official provider sends a board of `mode` on `row` by the v2
/// design under `pref`; `None` for the legacy design, a refused board or another provider.
/// Every place that describes a send (warnings, the cost line, "carries") asks this, so a
/// v2 send is never described with the legacy endpoint's words.
pub fn sent_by_v2(
    row: &ModelRow,
    mode: Mode,
    provider: Provider,
    pref: RoutePref,
) -> Option<&V2Model> {
    let v2 = provider == Provider::Kling && choose(row, mode, pref) == Ok(Design::V2);
    v2.then(|| v2_model(row)).flatten()
}

/// The v2 model of a row whose board goes v2.
pub fn v2_model(row: &ModelRow) -> Option<&V2Model> {
    row.designs.v2.as_ref()
}

/// What the v2 prompt cannot say of a board, as (is an error, message) pairs: Auto has no
/// documented form, a shot prompt with `;` would end its shot early in the
/// `Shot n, m, words;` form, and fields the design has no place for are not sent.
pub fn limits_of_board(
    board: &crate::model::Board,
    v2: &V2Model,
) -> Vec<(bool, crate::field_path::FieldPath, String)> {
    use crate::field_path::{FieldPath, ShotField};
    let mut out = Vec::new();
    if board.multi_shot && board.shot_type == ShotType::Auto {
        out.push((
            true,
            FieldPath::ShotType,
            "the v2 design documents no Auto (shot_type \"intelligence\"): write the shots, \
             or set route = \"legacy\" in [profiles.kling]"
                .to_string(),
        ));
    }
    if board.multi_shot && board.shot_type == ShotType::Custom {
        for (i, shot) in board.shots.iter().enumerate() {
            if shot.prompt.contains(';') {
                out.push((
                    true,
                    FieldPath::Shot {
                        index: i,
                        field: ShotField::Prompt,
                    },
                    format!(
                        "Shot {}: v2 writes the shots into the prompt as \"Shot n, m, words;\", \
                         so a \";\" would end the shot early; use another mark",
                        i + 1
                    ),
                ));
            }
        }
    }
    if v2.resolution(&board.quality).is_none() {
        out.push((
            true,
            FieldPath::Quality,
            format!(
                "quality {:?} has no settings.resolution for {} on the v2 design (offers {})",
                board.quality,
                v2.path_model,
                v2.resolutions
                    .iter()
                    .map(|(q, _)| *q)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if board.mode == Mode::Image && !v2.last_frame && board.last_frame.is_some() {
        out.push((
            true,
            FieldPath::LastFrame,
            format!(
                "{} takes no last frame on the v2 design's image-to-video",
                v2.path_model
            ),
        ));
    }
    // Elements travel only in omni-video's `contents` on this design (the `element` item);
    // its text-to-video and image-to-video take none, so a board with elements going there
    // is refused rather than sent without them. (Omni-video's counts, with a first frame
    // at most 3, are the `elements` rule's on every route.)
    let omni = v2
        .create(board.mode)
        .is_some_and(|(p, _)| p == OMNI_VIDEO_PATH);
    if !omni && !board.elements.is_empty() {
        out.push((
            true,
            FieldPath::Elements,
            format!(
                "{} elements: the v2 design's {} carries no elements; choose model \
                 kling-v3-omni{}",
                board.elements.len(),
                v2.create(board.mode).map_or("route", |(p, _)| p),
                if board.mode == Mode::Image {
                    ", or for kling-v3 set route = \"legacy\" in [profiles.kling] (legacy \
                     image2video takes up to 3)"
                } else {
                    ""
                }
            ),
        ));
    }
    if !board.negative_prompt.trim().is_empty() {
        out.push((
            false,
            FieldPath::NegativePrompt,
            "the v2 design has no negative_prompt: it is not sent (say what to avoid in the \
             prompt)"
                .to_string(),
        ));
    }
    // `settings` holds resolution, duration, audio, multi_shot and aspect_ratio only.
    if board.cfg_scale != crate::model::DEFAULT_CFG_SCALE {
        out.push((
            false,
            FieldPath::CfgScale,
            "the v2 design has no cfg_scale: it is not sent".to_string(),
        ));
    }
    out
}

#[cfg(test)]
mod tests;
