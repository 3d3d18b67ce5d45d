//! Settings the board asks for that the endpoint's documentation does not show (data in the
//! model table: [`Endpoint::unverified`]). They are sent as asked; the warning, and the
//! same notes in the editor's submit dialog and the CLI's cost line, say "unverified"
//! before anything is paid.

use super::Ctx;
use super::settings::sends_klings_body;
use crate::field_path::FieldPath;
use crate::findings::Finding;
use crate::gateway_profile::Profiles;
use crate::kling_v2::sent_by_v2;
use crate::model::Board;
use crate::models::{Endpoint, MODELS, Route, Setting, row_or_default};
use crate::provider::Provider;

pub(super) fn unverified(cx: &Ctx, out: &mut Vec<Finding>) {
    // The v2 design takes 4K as `settings.resolution`, not as the legacy `mode`.
    if sent_by_v2(cx.row, cx.board.mode, cx.provider, cx.caps.kling_route).is_some() {
        return;
    }
    for (path, note) in notes(cx.board, cx.provider, cx.route) {
        out.push(
            Finding::warning(path, format!("unverified: {note}; it is sent as asked"))
                .for_provider(cx.provider),
        );
    }
}

/// What the board's submit would send that no page of its endpoint shows, one line each
/// (`quality "4k" on /v1/videos/text2video (kling-v3): …`), for the paid-send dialogs.
/// None when the board goes by Kling's v2 design (the legacy endpoints' notes are not
/// about it; the `unverified` rule says the same).
pub fn unverified_notes(board: &Board, provider: Provider, profiles: &Profiles) -> Vec<String> {
    let row = row_or_default(MODELS, &board.model);
    if sent_by_v2(row, board.mode, provider, profiles.kling.route).is_some() {
        return Vec::new();
    }
    notes(board, provider, row.route(board.mode))
        .into_iter()
        .map(|(_, note)| note)
        .collect()
}

/// Every provider: a gateway forwards `mode` to the same Kling endpoint (stock new-api's
/// Kling adaptor copies it into the body it sends to text2video/image2video), so what
/// Kling's page leaves out is just as unverified behind it.
fn notes(board: &Board, provider: Provider, route: &Route) -> Vec<(FieldPath, String)> {
    let via = if sends_klings_body(provider) {
        String::new()
    } else {
        format!("{provider} forwards it to ")
    };
    let endpoint: &Endpoint = route.endpoint;
    let shot_type = board.multi_shot.then_some(board.shot_type);
    endpoint
        .unverified_for(&board.quality, shot_type)
        .into_iter()
        .map(|u| {
            let (path, asked) = match u.setting {
                Setting::Quality(q) => (FieldPath::Quality, format!("quality {q:?}")),
                Setting::ShotType(t) => {
                    (FieldPath::ShotType, format!("shot_type {:?}", t.as_str()))
                }
            };
            let note = format!(
                "{asked} on {via}{} ({}): {}",
                endpoint.path, route.model_name, u.why
            );
            (path, note)
        })
        .collect()
}
