//! A board the chosen route cannot carry whole is refused before anything is sent: a shot
//! list, Auto or references the route would drop would be paid as another video (stock
//! new-api sends the text of a dropped storyboard as one continuous shot).

use super::Ctx;
use crate::field_path::FieldPath;
use crate::findings::Finding;
use crate::model::{Mode, ShotType};
use crate::models::OMNI_VIDEO;
use crate::provider::Provider;
use crate::route::RouteCaps;

/// Where to go instead, for the route's message.
fn instead(caps: &RouteCaps, what: &str) -> String {
    let mut ways = vec!["--provider kling".to_string()];
    if caps.provider != Provider::Gateway {
        ways.push("--provider gateway".into());
    }
    let mut text = format!("use {}", ways.join(" or "));
    if !caps.config_key.is_empty() {
        text.push_str(&format!(
            ", or set {} in config.toml if your {} does carry {what}",
            caps.config_key, caps.provider
        ));
    }
    text
}

pub(super) fn carries(cx: &Ctx, out: &mut Vec<Finding>) {
    let (b, caps) = (cx.board, &cx.caps);
    let route = caps.provider;
    if b.multi_shot && b.shot_type == ShotType::Custom && caps.shot_list.is_none() {
        out.push(
            Finding::error(
                FieldPath::Shots,
                format!(
                    "{route} cannot carry a shot list: the shots would reach Kling as one \
                     continuous video, so nothing is sent; turn multi-shot off, or {}",
                    instead(caps, "the shot list")
                ),
            )
            .for_provider(route)
            .refused_by_route(),
        );
    }
    if b.multi_shot && b.shot_type == ShotType::Auto && !caps.auto {
        out.push(
            Finding::error(
                FieldPath::ShotType,
                format!(
                    "{route} cannot carry Auto (shot_type \"intelligence\"): the board would be \
                     sent as a single shot, so nothing is sent; {}",
                    instead(caps, "Auto")
                ),
            )
            .for_provider(route)
            .refused_by_route(),
        );
    }
    if b.mode == Mode::Reference && !caps.references {
        out.push(
            Finding::error(
                FieldPath::References,
                format!(
                    "{route} cannot carry reference images (no omni-video on this route), so \
                     nothing is sent; {}",
                    instead(caps, "omni-video references")
                ),
            )
            .for_provider(route)
            .refused_by_route(),
        );
    }
    // A model served only by omni-video (`kling-v3-omni`) sends text and image boards
    // there too; a route without omni-video does not route that path (new-api's
    // `/kling/v1` has text2video and image2video only), so the task would never start.
    if b.mode != Mode::Reference && !caps.references && cx.route.endpoint.path == OMNI_VIDEO.path {
        out.push(
            Finding::error(
                FieldPath::Model,
                format!(
                    "{route} has no omni-video, and model {} is served only there, so nothing \
                     is sent; choose model kling-v3 (text2video/image2video), or {}",
                    b.model,
                    instead(caps, "omni-video")
                ),
            )
            .for_provider(route)
            .refused_by_route(),
        );
    }
    let carries_none = b.elements.is_empty() && b.voices.is_empty();
    if !carries_none && !caps.elements {
        let path = if b.elements.is_empty() {
            FieldPath::Voices
        } else {
            FieldPath::Elements
        };
        out.push(
            Finding::error(
                path,
                format!(
                    "{route} cannot carry elements or voices (Kling's element_list in its own \
                     omni-video body), so nothing is sent; use --provider kling{}",
                    if route == Provider::KlingRelay {
                        ", or set [profiles.kling-relay] body_whole and omni in config.toml if \
                         your relay passes Kling's body whole to omni-video"
                    } else {
                        ""
                    }
                ),
            )
            .for_provider(route)
            .refused_by_route(),
        );
    }
    let last = b
        .last_frame
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    if b.mode == Mode::Image && last && !caps.last_frame {
        out.push(
            Finding::error(
                FieldPath::LastFrame,
                format!(
                    "{route} cannot carry a last frame, so nothing is sent; {}",
                    instead(caps, "image_tail")
                ),
            )
            .for_provider(route)
            .refused_by_route(),
        );
    }
}
