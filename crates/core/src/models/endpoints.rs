//! The official API's create endpoints (legacy design) and the optional body fields each
//! documents, as data for the model rows in [`super::rows`].

use crate::model::ShotType;

use super::FOUR_K;

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
    /// elements is refused there (nothing sent).
    pub max_elements: usize,
    /// Whether the images sent (references and frames) count against `max_elements`
    /// (omni-video: "参考图片数量 + 参考主体数量 ≤ 7").
    pub elements_count_images: bool,
    /// Elements taken beside a first frame (with or without a last one).
    pub max_elements_with_first_frame: usize,
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
    elements_count_images: false,
    max_elements_with_first_frame: 0,
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
    // Tencent Cloud's copy of Kling's image2video fields (TencentCloud/tencentcloud-sdk-php
    // src/TencentCloud/Vclm/V20240523/Models/SubmitImageToVideoJobRequest.php @ 0cfa26f7,
    // its model list ending "V3.0：kling-v3"): ElementList "基于主体库中主体的ID配置" and
    // "最多支持3个参考主体" (at most 3), "ElementList参数与VoiceList参数互斥，不能共存" (voices
    // are refused on v3 anyway: "v3模型不支持指定音色"). Kling's own Chinese image2video page
    // (the search tool's stored copy) has the same element_list lines and an example with
    // "model_name": "kling-v3" and `"element_list": [{"element_id": long}]`. No image counts
    // against the three.
    max_elements: 3,
    elements_count_images: false,
    max_elements_with_first_frame: 3,
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
    elements_count_images: true,
    // Tencent Cloud's copy of Kling's omni-video fields (TencentCloud/tencentcloud-sdk-php
    // src/TencentCloud/Vclm/V20240523/Models/SubmitVideoEditKlingJobRequest.php @ 0cfa26f7,
    // ElementList): "当使用首帧生成视频时，最多支持3个主体；当使用首尾帧生成视频时，
    // kling-v3-omni模型最多支持3个主体" (with a first frame, or first and last, at most 3).
    max_elements_with_first_frame: 3,
    // The omni-video page lists no `voice_list`.
    max_voices: 0,
    unverified: FOUR_K_UNVERIFIED,
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
