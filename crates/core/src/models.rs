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

use super::kling_v2::{Design, Designs, V2Model};
use super::model::{Mode, ShotType};

/// The model a board names when it names none.
pub const DEFAULT_MODEL: &str = "kling-v3";

/// USD per second of output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub silent: f64,
    pub audio: f64,
}

/// How an endpoint takes the first and last frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameForm {
    /// The endpoint takes no frames.
    None,
    /// Top-level `image` and `image_tail`; with multi-shot a first frame only (the image2video
    /// page's multi-shot example sends `image`; "When true: … the first/end frame generation
    /// is not supported").
    ImageFields,
    /// `image_list` items `{"image_url", "type": "first_frame" | "end_frame"}` after the
    /// references, and none with multi-shot. Official omni-video page: "When true: the prompt
    /// parameter is invalid, and it does not support setting the start & end frames".
    TypedImageList,
}

/// A board setting an endpoint's documentation does not show. The request is sent as
/// asked, but the board's findings (and with them the editor's submit dialog and the CLI's
/// `submit` / `--dry-run`) say "unverified" and why: the user decides whether to pay.
#[derive(Debug, PartialEq)]
pub struct Unverified {
    pub setting: Setting,
    /// What the docs were searched for, and what they show instead.
    pub why: &'static str,
}

/// The board setting an [`Unverified`] entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// `quality`, sent as `mode`.
    Quality(&'static str),
    /// `shot_type` on a multi-shot board.
    ShotType(ShotType),
}

/// One create endpoint of the official API and the optional body fields it documents.
#[derive(Debug, PartialEq)]
pub struct Endpoint {
    pub path: &'static str,
    pub takes_cfg_scale: bool,
    pub takes_negative_prompt: bool,
    /// image2video has none: the first frame decides.
    pub takes_aspect_ratio: bool,
    /// Whether `aspect_ratio` is sent when a first frame is (omni-video: no, the first
    /// frame decides).
    pub aspect_ratio_with_first_frame: bool,
    pub frames: FrameForm,
    /// With more images than this in the request (references and frames together), no end
    /// frame is taken. `None`: no such limit documented.
    pub end_frame_max_images: Option<usize>,
    /// Elements (`element_list`) the endpoint takes; 0: none documented, and a board with
    /// elements is refused there (nothing sent). Omni-video counts them with the images.
    pub max_elements: usize,
    /// Voices (`voice_list`); 0: none for v3 models ("v3模型不支持指定音色", README "Elements").
    pub max_voices: usize,
    /// Settings the endpoint's page does not show.
    pub unverified: &'static [Unverified],
}

/// Kling's reference lists `mode` as "Enum values: std, pro" on text2video, image2video and
/// omni-video alike (read 2026-12-06); `"4k"` is on no official page found, so it is sent
/// as asked and flagged.
const FOUR_K_UNVERIFIED: &[Unverified] = &[Unverified {
    setting: Setting::Quality(FOUR_K),
    why: "Kling's API reference lists mode \"std\" and \"pro\" only for this endpoint; \"4k\" is not on it",
}];

pub static TEXT2VIDEO: Endpoint = Endpoint {
    path: "/v1/videos/text2video",
    takes_cfg_scale: true,
    takes_negative_prompt: true,
    takes_aspect_ratio: true,
    aspect_ratio_with_first_frame: false,
    frames: FrameForm::None,
    end_frame_max_images: None,
    max_elements: 0,
    max_voices: 0,
    unverified: FOUR_K_UNVERIFIED,
};

/// Auto is documented here: the image2video page lists `shot_type` "Enum values: customize,
/// intelligence" ("When multi_shot is true, this parameter is required"), so Auto on
/// image2video is not flagged.
pub static IMAGE2VIDEO: Endpoint = Endpoint {
    path: "/v1/videos/image2video",
    takes_cfg_scale: true,
    takes_negative_prompt: true,
    takes_aspect_ratio: false,
    aspect_ratio_with_first_frame: false,
    frames: FrameForm::ImageFields,
    end_frame_max_images: None,
    max_elements: 0,
    max_voices: 0,
    unverified: FOUR_K_UNVERIFIED,
};

/// The omni-video page lists no `cfg_scale` and no `negative_prompt` among its body fields.
/// `aspect_ratio`: "This parameter is required when NOT using first-frame reference or video
/// editing function" and its FAQ "Aspect Ratio Support — Not Supported: … image-to-video";
/// the end frame: "When using the O1 model, setting the start & end frame is not supported
/// when there are more than two images in the array" (the page names kling-video-o1; the
/// same `image_list` serves kling-v3-omni, and a refused end frame costs nothing, a paid
/// task that ignores it does).
pub static OMNI_VIDEO: Endpoint = Endpoint {
    path: "/v1/videos/omni-video",
    takes_cfg_scale: false,
    takes_negative_prompt: false,
    takes_aspect_ratio: true,
    aspect_ratio_with_first_frame: false,
    frames: FrameForm::TypedImageList,
    end_frame_max_images: Some(2),
    // The omni-video page (Chinese copy, WHQ25/rawgenai docs/research/kling/omni-video-o1.md
    // @ b3f9cef): element_list "主体参考列表，基于主体库中主体的ID配置" and "无参考视频时：
    // 参考图片数量 + 参考主体数量 ≤ 7" (no reference video: images + elements ≤ 7; shotdeck
    // sends no video), so images count against it.
    max_elements: 7,
    // The omni-video page lists no `voice_list`.
    max_voices: 0,
    unverified: FOUR_K_UNVERIFIED,
};

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

const fn rate(silent: f64, audio: f64) -> Rate {
    Rate { silent, audio }
}

const V3_IMAGES: ImageLimits = ImageLimits {
    max_images: 7,
    max_bytes: 10 * 1024 * 1024,
    min_side_px: 300,
    max_ratio: 2.5,
    formats: &["jpeg", "png"],
};

/// `shot_type: "intelligence"` is on every official page a row uses: text2video,
/// image2video and omni-video all list "Enum values: customize, intelligence", so both rows
/// offer auto.
const BOTH_SHOT_TYPES: &[ShotType] = &[ShotType::Custom, ShotType::Auto];

const OMNI_ROUTE: Route = Route {
    endpoint: &OMNI_VIDEO,
    model_name: "kling-v3-omni",
};

pub const KLING_V3: ModelRow = ModelRow {
    name: "kling-v3",
    text: Route {
        endpoint: &TEXT2VIDEO,
        model_name: "kling-v3",
    },
    image: Route {
        endpoint: &IMAGE2VIDEO,
        model_name: "kling-v3",
    },
    // Reference boards are served by the omni variant.
    reference: OMNI_ROUTE,
    qualities: &[
        Quality {
            name: "std",
            rate: rate(0.084, 0.126),
        },
        Quality {
            name: "pro",
            rate: rate(0.112, 0.168),
        },
    ],
    four_k: Some(rate(0.42, 0.42)),
    shot_types: BOTH_SHOT_TYPES,
    min_seconds: 3,
    max_seconds: 15,
    aspect_ratios: &["16:9", "9:16", "1:1"],
    max_shots: 6,
    shot_prompt_max_chars: 512,
    prompt_max_chars: 2500,
    images: V3_IMAGES,
    // Legacy unless `[profiles.kling] route = "v2"`: the v2 wire facts are not read off
    // Kling's own page (see `kling_v2`), so only a user who asks for it pays through it.
    designs: Designs {
        legacy: true,
        v2: Some(V2Model {
            path_model: "kling-3.0",
            image: true,
            last_frame: true,
            resolutions: &[("std", "720p"), ("pro", "1080p"), (FOUR_K, "4k")],
            audio: true,
            multi_shot_setting: true,
        }),
        default: Design::Legacy,
    },
};

/// Every mode goes to omni-video: text boards send no `image_list`, image boards send their
/// frames as typed `image_list` items.
pub const KLING_V3_OMNI: ModelRow = ModelRow {
    name: "kling-v3-omni",
    text: OMNI_ROUTE,
    image: OMNI_ROUTE,
    reference: OMNI_ROUTE,
    qualities: &[
        Quality {
            name: "std",
            rate: rate(0.084, 0.112),
        },
        Quality {
            name: "pro",
            rate: rate(0.112, 0.14),
        },
    ],
    four_k: Some(rate(0.42, 0.42)),
    // The v2 omni-video (`/omni-video/kling-3.0-omni`, `contents` with `refer_image`) is
    // not built: this model keeps the legacy route.
    designs: Designs {
        legacy: true,
        v2: None,
        default: Design::Legacy,
    },
    ..KLING_V3
};

/// Kling 3.0 Turbo: on the v2 design only (`POST /text-to-video/kling-3.0-turbo`,
/// `/image-to-video/kling-3.0-turbo`), `settings.resolution` 720p or 1080p (no 4K), no
/// `settings.audio`, multi-shot written in the prompt. Prices: 0.8 units ($0.112)/s at
/// 720p, 1.0 ($0.14) at 1080p. Its legacy routes below are never used (`legacy: false`;
/// the rules refuse `route = "legacy"` for it), they only give the rules numbers.
pub const KLING_V3_TURBO: ModelRow = ModelRow {
    name: "kling-v3-turbo",
    text: Route {
        endpoint: &TEXT2VIDEO,
        model_name: "kling-3.0-turbo",
    },
    image: Route {
        endpoint: &IMAGE2VIDEO,
        model_name: "kling-3.0-turbo",
    },
    reference: Route {
        endpoint: &TEXT2VIDEO,
        model_name: "kling-3.0-turbo",
    },
    qualities: &[
        Quality {
            name: "std",
            rate: rate(0.112, 0.112),
        },
        Quality {
            name: "pro",
            rate: rate(0.14, 0.14),
        },
    ],
    four_k: None,
    shot_types: &[ShotType::Custom],
    designs: Designs {
        legacy: false,
        v2: Some(V2Model {
            path_model: "kling-3.0-turbo",
            image: true,
            last_frame: false,
            resolutions: &[("std", "720p"), ("pro", "1080p")],
            audio: false,
            multi_shot_setting: false,
        }),
        default: Design::V2,
    },
    ..KLING_V3
};

impl Endpoint {
    /// The entries of [`Endpoint::unverified`] this board asks for.
    pub fn unverified_for(&self, quality: &str, shot_type: Option<ShotType>) -> Vec<&Unverified> {
        self.unverified
            .iter()
            .filter(|u| match u.setting {
                Setting::Quality(q) => q == quality,
                Setting::ShotType(t) => shot_type == Some(t),
            })
            .collect()
    }
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

/// The names in the table, in order (for messages and the Settings cycle).
pub fn names(table: ModelTable) -> Vec<&'static str> {
    table.iter().map(|row| row.name).collect()
}
