//! The official provider's two request designs: a board goes only by a design its model
//! has, and what the v2 design cannot say of the board is refused or flagged before any
//! send (see [`crate::kling_v2`]).

use super::Ctx;
use crate::field_path::FieldPath;
use crate::findings::Finding;
use crate::kling_v2::{self, Design};
use crate::provider::Provider;

pub(super) fn kling_route(cx: &Ctx, out: &mut Vec<Finding>) {
    if cx.provider != Provider::Kling {
        return;
    }
    match kling_v2::choose(cx.row, cx.board.mode, cx.caps.kling_route) {
        Err(why) => out.push(
            Finding::error(FieldPath::Model, why)
                .for_provider(Provider::Kling)
                .refused_by_route(),
        ),
        Ok(Design::Legacy) => {}
        Ok(Design::V2) => {
            let Some(v2) = kling_v2::v2_model(cx.row) else {
                return;
            };
            for (is_error, path, message) in kling_v2::limits_of_board(cx.board, v2) {
                let finding = if is_error {
                    Finding::error(path, message).refused_by_route()
                } else {
                    Finding::warning(path, message)
                };
                out.push(finding.for_provider(Provider::Kling));
            }
        }
    }
}
