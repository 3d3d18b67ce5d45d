//! The rows of the built-in model table: one per model, with its routes, prices, limits and
//! request designs (sources in the parent module and README "Models").

use crate::kling_v2::{Design, Designs, V2Model};
use crate::model::ShotType;

use super::{
    FOUR_K, IMAGE2VIDEO, ImageLimits, ModelRow, OMNI_VIDEO, Quality, Route, TEXT2VIDEO, rate,
};

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

/// Kling 3.0 on the v2 design; Kling 3.0 Omni offers the same settings.
const KLING_3_0: V2Model = V2Model {
    path_model: "kling-3.0",
    omni: false,
    // As on legacy, reference boards go to omni-video as the omni model.
    references_to: Some("kling-3.0-omni"),
    image: true,
    last_frame: true,
    resolutions: &[("std", "720p"), ("pro", "1080p"), (FOUR_K, "4k")],
    audio: true,
    multi_shot_setting: true,
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
        v2: Some(KLING_3_0),
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
    // Kling's omni-video page (README "Kling's two request designs"): `POST
    // /omni-video/kling-3.0-omni`, `contents` of `prompt`, `first_frame`, `last_frame`,
    // `refer_image` and `element`; "settings.resolution … 720p, 1080p, 4k", "settings.audio
    // … native, original, off", "settings.multi_shot". Legacy unless `route = "v2"`, as
    // for kling-v3.
    designs: Designs {
        legacy: true,
        v2: Some(V2Model {
            path_model: "kling-3.0-omni",
            omni: true,
            references_to: None,
            ..KLING_3_0
        }),
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
            omni: false,
            references_to: None,
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
