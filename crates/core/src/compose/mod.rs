//! Request composition: the exact method, path and JSON body a provider will receive.
//!
//! Pure functions. Local images are turned into request data through an [`ImageSource`],
//! so the preview can show a placeholder while a submit embeds the real Base64. Compose does
//! not validate: callers run `rules::validate` first and refuse boards with errors.

mod gateway;
mod kling;
mod kling_v2;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::field_path::FieldPath;
use super::gateway_profile::Profiles;
use super::images::ImageReadError;
use super::model::{Board, Mode, is_url};
use super::models::{MODELS, ModelTable, Route, row_or_default};
use super::provider::Provider;

/// What will be sent: `{method, path, body}`. The task is queried at `path/{task_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComposedRequest {
    pub method: String,
    pub path: String,
    pub body: Value,
}

/// Turns an image reference from the board into what goes on the wire.
pub trait ImageSource {
    /// Raw Base64 (no `data:` prefix) of a local image, or a placeholder for previews.
    fn local_image(&self, reference: &str) -> Result<String, ImageReadError>;
}

/// For previews: shows which file would be embedded without reading it.
pub struct PlaceholderImages;

impl ImageSource for PlaceholderImages {
    fn local_image(&self, reference: &str) -> Result<String, ImageReadError> {
        Ok(format!("<base64 of {reference}>"))
    }
}

/// The id placed in `external_task_id` when the caller has not assigned one yet.
pub const UNASSIGNED_TASK_ID: &str = "<assigned at submit>";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ComposeError {
    #[error("{path}: cannot embed image {reference}: {reason}")]
    Image {
        path: FieldPath,
        reference: String,
        reason: ImageReadError,
    },
}

/// Composes the request for `provider` with the built-in gateway profiles and model table.
/// `external_task_id` is the idempotency key the job engine assigns; previews pass
/// [`UNASSIGNED_TASK_ID`].
pub fn compose(
    board: &Board,
    provider: Provider,
    images: &dyn ImageSource,
    external_task_id: &str,
) -> Result<ComposedRequest, ComposeError> {
    compose_with(
        board,
        provider,
        &Profiles::default(),
        images,
        external_task_id,
    )
}

/// [`compose`] with the gateway profiles from the user's config.
pub fn compose_with(
    board: &Board,
    provider: Provider,
    profiles: &Profiles,
    images: &dyn ImageSource,
    external_task_id: &str,
) -> Result<ComposedRequest, ComposeError> {
    compose_in(board, provider, profiles, images, external_task_id, MODELS)
}

/// [`compose`] against another model table (a model added as one row).
pub fn compose_with_table(
    board: &Board,
    provider: Provider,
    images: &dyn ImageSource,
    external_task_id: &str,
    table: ModelTable,
) -> Result<ComposedRequest, ComposeError> {
    let profiles = Profiles::default();
    compose_in(board, provider, &profiles, images, external_task_id, table)
}

fn compose_in(
    board: &Board,
    provider: Provider,
    profiles: &Profiles,
    images: &dyn ImageSource,
    external_task_id: &str,
    table: ModelTable,
) -> Result<ComposedRequest, ComposeError> {
    match provider {
        Provider::Kling => match kling_v2::design(board, profiles, table) {
            Ok(crate::kling_v2::Design::V2) => {
                kling_v2::compose(board, images, external_task_id, table)
            }
            // A board the design cannot take is refused by the `kling_route` rule before
            // any send; the preview shows the legacy request meanwhile.
            _ => kling::compose(board, images, external_task_id, table),
        },
        Provider::Gateway => {
            gateway::compose(board, provider, &profiles.gateway, images, external_task_id)
        }
        Provider::NewApi => {
            gateway::compose(board, provider, &profiles.newapi, images, external_task_id)
        }
        Provider::KlingRelay => kling::compose_relay(
            board,
            &profiles.kling_relay,
            images,
            external_task_id,
            table,
        ),
    }
}

pub use kling_v2::{design as kling_design, route_line};

/// Where the official API sends this board, from the model table. An unknown model (an
/// error the `model` rule reports) is previewed on the default model's route.
pub fn official_route<'a>(board: &Board, table: ModelTable<'a>) -> &'a Route {
    row_or_default(table, &board.model).route(board.mode)
}

/// The model name the provider will be asked for. The official API (and a relay of its
/// body) serves each mode from the route in the model table (kling-v3's reference boards
/// from kling-v3-omni). A gateway is asked for the board's model, in its omni variant for
/// reference boards: new-api's Kling adaptor picks omni-video by the model's name.
pub fn effective_model(board: &Board, provider: Provider) -> String {
    match provider {
        Provider::Kling | Provider::KlingRelay
            if super::models::find(MODELS, &board.model).is_some() =>
        {
            official_route(board, MODELS).model_name.to_string()
        }
        _ => match board.mode {
            Mode::Reference if !board.model.ends_with("-omni") => format!("{}-omni", board.model),
            _ => board.model.clone(),
        },
    }
}

/// Longest `prompt` the gateways take (Kling's limit).
const PROMPT_MAX_CHARS: usize = 2500;

/// The `prompt` beside a shot list on a route that refuses an empty one (new-api: "prompt
/// is required"; Kling ignores `prompt` in customize mode): the board's title, a label.
/// Never the shots' text joined: if a route dropped the list, a joined prompt would be paid
/// as one continuous video, so only routes that carry the list get here.
fn shot_list_prompt(board: &Board) -> String {
    let title = board.title.trim();
    let label = if title.is_empty() {
        "storyboard"
    } else {
        title
    };
    label.chars().take(PROMPT_MAX_CHARS).collect()
}

/// A URL as is, or a local file through the image source.
fn image_data(
    path: FieldPath,
    reference: &str,
    images: &dyn ImageSource,
) -> Result<String, ComposeError> {
    if is_url(reference) {
        return Ok(reference.trim().to_string());
    }
    images
        .local_image(reference)
        .map_err(|reason| ComposeError::Image {
            path,
            reference: reference.to_string(),
            reason,
        })
}

/// The images the board's mode sends, already turned into wire data.
#[derive(Default)]
struct WireImages {
    first_frame: Option<String>,
    last_frame: Option<String>,
    references: Vec<String>,
}

impl WireImages {
    fn resolve(board: &Board, images: &dyn ImageSource) -> Result<Self, ComposeError> {
        let frame = |path: FieldPath, v: &Option<String>| -> Result<Option<String>, ComposeError> {
            match v.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(r) => image_data(path, r, images).map(Some),
                None => Ok(None),
            }
        };
        Ok(match board.mode {
            Mode::Text => WireImages::default(),
            Mode::Image => WireImages {
                first_frame: frame(FieldPath::FirstFrame, &board.first_frame)?,
                last_frame: frame(FieldPath::LastFrame, &board.last_frame)?,
                references: Vec::new(),
            },
            // Frames may ride along with references (omni's typed `image_list` items).
            Mode::Reference => WireImages {
                first_frame: frame(FieldPath::FirstFrame, &board.first_frame)?,
                last_frame: frame(FieldPath::LastFrame, &board.last_frame)?,
                references: board
                    .references
                    .iter()
                    .enumerate()
                    .map(|(i, r)| image_data(FieldPath::Reference(i), r, images))
                    .collect::<Result<_, _>>()?,
            },
        })
    }
}

/// Whole seconds as the integer the providers expect.
fn whole(v: f64) -> i64 {
    v.round() as i64
}
