//! The official API's v2 request (see [`crate::kling_v2`] and README "Kling's two request
//! designs" for every field's source): text boards go to `POST /text-to-video/{model}` with
//! a top-level `prompt`; image boards to `POST /image-to-video/{model}` with the prompt and
//! frames as typed `contents` items. Both carry `settings` (resolution, aspect ratio,
//! duration as a number, audio) and `options` (`external_task_id`, `watermark_info`).

use serde_json::{Map, Value, json};

use super::{ComposeError, ComposedRequest, ImageSource, WireImages, whole};
use crate::gateway_profile::Profiles;
use crate::kling_v2::{self, Design, IMAGE_TO_VIDEO, TEXT_TO_VIDEO, V2Model};
use crate::model::{Board, Mode, ShotType};
use crate::models::{ModelTable, row_or_default};

/// The design this board takes with these profiles (an unknown model: the default row's).
pub fn design(board: &Board, profiles: &Profiles, table: ModelTable) -> Result<Design, String> {
    let row = row_or_default(table, &board.model);
    kling_v2::choose(row, board.mode, profiles.kling.route)
}

pub(super) fn compose(
    board: &Board,
    images: &dyn ImageSource,
    external_task_id: &str,
    table: ModelTable,
) -> Result<ComposedRequest, ComposeError> {
    let row = row_or_default(table, &board.model);
    let Some(v2) = kling_v2::v2_model(row) else {
        // `design` said V2, which needs the row's v2 model; keep the legacy request.
        return super::kling::compose(board, images, external_task_id, table);
    };
    let prompt = prompt_text(board);
    let mut settings = Map::new();
    if let Some(resolution) = v2.resolution(&board.quality) {
        settings.insert("resolution".into(), json!(resolution));
    }
    settings.insert("duration".into(), json!(whole(board.total_duration())));
    if v2.audio {
        settings.insert(
            "audio".into(),
            json!(if board.sound { "native" } else { "off" }),
        );
    }
    if v2.multi_shot_setting {
        settings.insert("multi_shot".into(), json!(board.multi_shot));
    }
    let options = json!({
        "external_task_id": external_task_id,
        "watermark_info": { "enabled": board.watermark },
    });
    let mut body = Map::new();
    let path = match board.mode {
        Mode::Image => {
            let wire = WireImages::resolve(board, images)?;
            body.insert("contents".into(), contents(prompt, wire, v2));
            format!("{IMAGE_TO_VIDEO}{}", v2.path_model)
        }
        // Reference boards never get here (`kling_v2::choose` keeps them legacy).
        Mode::Text | Mode::Reference => {
            body.insert("prompt".into(), json!(prompt));
            // The image-to-video route has none: the first frame decides the ratio.
            settings.insert("aspect_ratio".into(), json!(board.effective_aspect_ratio()));
            format!("{TEXT_TO_VIDEO}{}", v2.path_model)
        }
    };
    body.insert("settings".into(), Value::Object(settings));
    body.insert("options".into(), options);
    Ok(ComposedRequest {
        method: "POST".into(),
        path,
        body: Value::Object(body),
    })
}

/// The one prompt, or a custom shot list written the way the design takes it:
/// `Shot 1, 4, words; Shot 2, 3, words;` (shot number, whole seconds, the shot's prompt).
fn prompt_text(board: &Board) -> String {
    if board.multi_shot && board.shot_type == ShotType::Custom {
        board
            .shots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!(
                    "Shot {}, {}, {};",
                    i + 1,
                    whole(s.duration),
                    s.prompt.trim()
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        board.prompt.clone()
    }
}

/// The prompt first, then the frames, each a typed item (`url` takes a URL or Base64).
fn contents(prompt: String, wire: WireImages, v2: &V2Model) -> Value {
    let mut items = vec![json!({ "type": "prompt", "text": prompt })];
    if let Some(data) = wire.first_frame {
        items.push(json!({ "type": "first_frame", "url": data }));
    }
    if let Some(data) = wire.last_frame.filter(|_| v2.last_frame) {
        items.push(json!({ "type": "last_frame", "url": data }));
    }
    Value::Array(items)
}

/// For `compose` and the submit dialog: which design the official provider sends this
/// board by ("Route: kling v2 (api key)"), `None` for other providers.
pub fn route_line(
    board: &Board,
    provider: crate::provider::Provider,
    profiles: &Profiles,
) -> Option<String> {
    if provider != crate::provider::Provider::Kling {
        return None;
    }
    Some(match design(board, profiles, crate::models::MODELS) {
        Ok(d) => format!("Route: {}", d.label()),
        Err(why) => format!("Route: none — {why}"),
    })
}
