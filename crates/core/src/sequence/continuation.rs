//! "Continue from the previous board's keeper", built two ways and chosen out loud:
//!
//! 1. **A video reference** on omni-video: the keeper's task result URL as
//!    `video_list: [{"video_url", "refer_type": "feature", "keep_original_sound": "no"}]`,
//!    named in the prompt as `<<<video_1>>>`. Sources: Kling's omni-video page (Chinese copy,
//!    WHQ25/rawgenai docs/research/kling/omni-video-o1.md @ b3f9cef): `video_list` "可作为
//!    特征参考视频，也可作为待编辑视频" (`refer_type` "feature=特征参考视频, base=待编辑视频" —
//!    `base` edits the video, not what a next shot is), its "视频延长（生成下一个镜头）" example
//!    ("基于<<<video_1>>>，生成下一个镜头" with `refer_type: "feature"`), the result URL
//!    "（30天后清理）" and the video limits "时长：3-10秒", "数量：≤1段"; new-api's Kling
//!    adaptor (cuijinyu/new-api relay/channel/task/kling/adaptor.go @ 7f2ef4ad7b18):
//!    `OmniVideoItem {video_url, refer_type // feature, base, keep_original_sound // yes, no}`.
//! 2. **The last frame as the first frame** everywhere else: the keeper's local MP4's last
//!    frame, decoded by the engine into the project's `.shotdeck/frames/`, sent as the
//!    board's first frame (the board file on disk is not edited).
//!
//! Which one is pure: this module decides from the keeper's facts, the board and its route;
//! the engine's intake, the CLI and the editor's submit dialog all ask it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::gateway_profile::Profiles;
use crate::model::{Board, Mode};
use crate::models::{MODELS, OMNI_VIDEO};
use crate::provider::Provider;

use super::KeeperFacts;

/// How long Kling keeps a task's result video: "生成视频的URL（30天后清理）" (the omni-video
/// page's query response). An older URL is not sent; the last frame is used instead.
pub const RESULT_KEPT_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// The reference video's own length: "时长：3-10秒" (omni-video page, video limits).
pub const REFERENCE_VIDEO_MAX_SECONDS: f64 = 10.0;
/// The length of a video made with a reference video: the omni page's FAQ "其他情况：可选
/// 3-10s" and new-api's calculateOmniVideoDuration "V3 支持 3-15s，但视频参考(feature)限制为
/// 3-10s".
pub const VIDEO_SECONDS: (f64, f64) = (3.0, 10.0);
/// The token that names the reference video in a prompt (omni-video page: "通过`<<<>>>`的
/// 格式来指定某个主体、图片或视频，如：…`<<<video_1>>>`").
pub const VIDEO_TOKEN: &str = "<<<video_1>>>";
/// Put before a prompt that does not name the video itself (said in the preview).
pub const VIDEO_PREFIX: &str = "Continue from <<<video_1>>>: ";
/// Where a previous keeper's last frame is written, relative to the board's folder.
pub const FRAMES_DIR: &str = ".shotdeck/frames";

/// What a submit continues from, kept with the board as sent (the job's record and the
/// video's sidecar say it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Continuation {
    /// The previous board's name (`01-arrival`).
    pub board: String,
    /// Its keeper's take.
    pub take: u32,
    #[serde(flatten)]
    pub how: ContinueHow,
}

/// The two ways, as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum ContinueHow {
    /// omni-video's `video_list` with the keeper's result URL. `finished_at`: when the
    /// keeper's task finished (Unix ms), which is when its URL's 30 days began; a stored
    /// request is not sent again past them (absent on records made before it was kept).
    VideoReference {
        video_url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        finished_at: Option<i64>,
    },
    /// The keeper's last frame (`frame`, relative to the board) as the first frame, decoded
    /// from `video`, the keeper's file on this machine.
    LastFrame { frame: String, video: PathBuf },
}

impl Continuation {
    /// `02-market continues from 01-arrival take 2: video reference (omni)`, or `…: last
    /// frame .shotdeck/frames/01-arrival-take2-last.png`.
    pub fn line(&self, board: &str) -> String {
        format!("{board} continues from {}", self.from())
    }

    /// `01-arrival take 2: video reference (omni)`.
    pub fn from(&self) -> String {
        let how = match &self.how {
            ContinueHow::VideoReference { .. } => "video reference (omni)".to_string(),
            ContinueHow::LastFrame { frame, .. } => format!("last frame {frame}"),
        };
        format!("{} take {}: {how}", self.board, self.take)
    }

    /// The board as it is sent: the continuation recorded on it and, for the last frame,
    /// the frame as its first frame (a text board becomes an image board; a last frame a
    /// text board never sent is dropped rather than sent now).
    pub fn apply(self, board: &mut Board) {
        if let ContinueHow::LastFrame { frame, .. } = &self.how {
            board.first_frame = Some(frame.clone());
            if board.mode == Mode::Text {
                board.mode = Mode::Image;
                board.last_frame = None;
            }
        }
        board.continues = Some(self);
    }
}

/// `.shotdeck/frames/01-arrival-take2-last.png`.
pub fn frame_path(board: &str, take: u32) -> String {
    format!("{FRAMES_DIR}/{board}-take{take}-last.png")
}

/// Why the board's route cannot take a video reference, or `None` when it can: the official
/// API's (or a relay of its body's) legacy omni-video route. A gateway's form and Kling's
/// v2 design are not built for `video_list`.
pub fn video_route_refusal(
    board: &Board,
    provider: Provider,
    profiles: &Profiles,
) -> Option<String> {
    if !matches!(provider, Provider::Kling | Provider::KlingRelay) {
        return Some(format!("{provider} takes no video reference"));
    }
    let route = crate::compose::official_route(board, MODELS);
    if route.endpoint.path != OMNI_VIDEO.path {
        return Some(format!(
            "{} sends this board to {}, which takes no video",
            board.model, route.endpoint.path
        ));
    }
    if provider == Provider::Kling
        && matches!(
            crate::compose::kling_design(board, profiles, MODELS),
            Ok(crate::kling_v2::Design::V2)
        )
    {
        return Some("Kling's v2 design is not built for video_list".into());
    }
    None
}

/// Why the keeper's result URL cannot be referenced now, or `None` when it can.
fn url_refusal(keeper: &KeeperFacts, now_ms: i64) -> Option<String> {
    if !keeper.url.as_deref().is_some_and(|u| u.starts_with("http")) {
        return Some("no result URL is recorded".into());
    }
    match keeper.finished_at {
        None => return Some("when it finished is unknown".into()),
        Some(at) if now_ms - at >= RESULT_KEPT_MS => {
            return Some("its URL is past Kling's 30 days".into());
        }
        Some(_) => {}
    }
    // Only the upper bound can be passed by a Kling result: its durations start at 3 s. A
    // shorter file (the simulator's 1 s sample) is left to the API, whose refusal costs
    // nothing.
    if keeper.seconds > REFERENCE_VIDEO_MAX_SECONDS {
        return Some(format!(
            "it is {:.1} s and a reference video is at most 10 s",
            keeper.seconds
        ));
    }
    None
}

/// How `board` continues from `previous`'s keeper: the video reference when the route and
/// the URL allow it, else the last frame when the keeper is on disk and the board has no
/// first frame of its own. `Err` says why neither can be built (nothing may be sent).
pub fn plan(
    board: &Board,
    provider: Provider,
    profiles: &Profiles,
    previous: &str,
    keeper: &KeeperFacts,
    now_ms: i64,
) -> Result<Continuation, String> {
    let no_video =
        video_route_refusal(board, provider, profiles).or_else(|| url_refusal(keeper, now_ms));
    let how = match (no_video, &keeper.file) {
        (None, _) => ContinueHow::VideoReference {
            video_url: keeper.url.clone().unwrap_or_default(),
            finished_at: keeper.finished_at,
        },
        (Some(why), _)
            if board
                .first_frame
                .as_deref()
                .is_some_and(|f| !f.trim().is_empty()) =>
        {
            return Err(format!(
                "no video reference ({why}), and the board has a first frame of its own where \
                 the last frame would go"
            ));
        }
        (Some(_), Some(video)) => ContinueHow::LastFrame {
            frame: frame_path(previous, keeper.take),
            video: video.clone(),
        },
        (Some(why), None) => {
            return Err(format!(
                "no video reference ({why}), and its video is not downloaded here for its last \
                 frame (`shotdeck jobs fetch`)"
            ));
        }
    };
    Ok(Continuation {
        board: previous.to_string(),
        take: keeper.take,
        how,
    })
}

/// How many whole days old a stored request's reference video is when it is past Kling's 30
/// days (the request may not be sent again: the URL is gone), `None` when it is not, or the
/// continuation is by last frame. A record without the keeper's `finished_at` is judged by
/// `created_at`, when the job was recorded: the keeper had finished before that, so its URL
/// is at least that old.
pub fn expired_reference(c: &Continuation, created_at: i64, now_ms: i64) -> Option<i64> {
    let ContinueHow::VideoReference { finished_at, .. } = &c.how else {
        return None;
    };
    let age = now_ms - finished_at.unwrap_or(created_at);
    (age >= RESULT_KEPT_MS).then_some(age / (24 * 60 * 60 * 1000))
}

/// True when a prompt names the reference video.
pub fn names_video(text: &str) -> bool {
    text.contains(VIDEO_TOKEN)
}

/// True when no prompt the board sends names `<<<video_1>>>`: the body's first prompt gets
/// [`VIDEO_PREFIX`].
pub fn needs_prefix(board: &Board) -> bool {
    if board.uses_shot_list() {
        !board.shots.iter().any(|s| names_video(&s.prompt))
    } else {
        !names_video(&board.prompt)
    }
}

/// Adds the video reference to an omni-video body: `video_list` and, when no prompt names
/// it, the prefix before the first prompt (the first shot's with a shot list: omni ignores
/// `prompt` then).
pub(crate) fn add_video(body: &mut Map<String, Value>, board: &Board) {
    let Some(Continuation {
        how: ContinueHow::VideoReference { video_url, .. },
        ..
    }) = &board.continues
    else {
        return;
    };
    body.insert(
        "video_list".into(),
        json!([{
            "video_url": video_url,
            "refer_type": "feature",
            "keep_original_sound": "no",
        }]),
    );
    if !needs_prefix(board) {
        return;
    }
    let slot = if board.uses_shot_list() {
        body.get_mut("multi_prompt")
            .and_then(|m| m.get_mut(0))
            .and_then(|s| s.get_mut("prompt"))
    } else {
        body.get_mut("prompt")
    };
    if let Some(Value::String(text)) = slot {
        *text = format!("{VIDEO_PREFIX}{text}");
    }
}

#[cfg(test)]
#[path = "continuation_tests.rs"]
mod tests;
