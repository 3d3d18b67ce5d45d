//! A submit of a board that continues from the previous board's keeper: the continuation
//! the sequence asked for (`sequence::continuation`) put on the board as sent. The last
//! frame is decoded here, into the project's `.shotdeck/frames/`, on the intake's blocking
//! thread; the board file on disk is never edited.

use std::path::Path;

use shotdeck_core::jobs::{Refusal, SubmitRequest};
use shotdeck_core::sequence::{Continuation, ContinueHow, SEQUENCE_FILE, board_name};
use shotdeck_files::board_file;

/// Puts `continuation` on the request's board (see `Continuation::apply`), writing the last
/// frame first when that is the way (kept when already newer than its video). A frame that
/// cannot be had refuses the submit: nothing is sent as if it did not continue.
pub fn apply(
    req: &mut SubmitRequest,
    continuation: Continuation,
    ffmpeg: Option<&Path>,
) -> Result<(), Refusal> {
    if let ContinueHow::LastFrame { frame, video } = &continuation.how {
        let identity = board_file::identity(&req.board_path);
        let png = board_file::board_dir(&identity).join(frame);
        if !is_fresh(&png, video) {
            let made = crate::frames::last_frame_png(video, &png, ffmpeg);
            match made {
                Ok(made) => tracing::info!(
                    png = %made.png.display(), width = made.width, height = made.height,
                    decoder = ?made.decoder, "wrote the previous keeper's last frame"
                ),
                Err(why) => {
                    let name = identity.to_string_lossy().into_owned();
                    return Err(Refusal::Continues {
                        board: board_name(&name).to_string(),
                        from: format!(
                            "continues from {} take {}",
                            continuation.board, continuation.take
                        ),
                        file: SEQUENCE_FILE.to_string(),
                        why: format!("its last frame could not be had: {why}"),
                    });
                }
            }
        }
    }
    continuation.apply(&mut req.board);
    Ok(())
}

/// The frame is there and written after its video was.
fn is_fresh(png: &Path, video: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(png), modified(video)), (Some(f), Some(v)) if f >= v)
}
