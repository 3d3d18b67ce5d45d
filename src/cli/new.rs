//! `shotdeck new BOARD [--from VIDEO.json]`.

use super::out::outln;
use std::path::Path;
use std::process::ExitCode;

use super::BoardArg;
use crate::core::model::Board;
use crate::core::{printable, printable_path};
use crate::engine::sidecar;
use crate::files::{board_file, safe_read};

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    #[command(flatten)]
    pub board: BoardArg,
    /// Overwrite BOARD if it exists.
    #[arg(long)]
    pub force: bool,
    /// Write the board that made a video, from the sidecar beside it (`job-7.json`).
    #[arg(long, value_name = "VIDEO.json")]
    pub from: Option<std::path::PathBuf>,
}

pub(super) fn run(args: NewArgs) -> ExitCode {
    let path = &args.board.board;
    if path.exists() && !args.force {
        eprintln!(
            "{} already exists (use --force to overwrite it)",
            printable_path(path)
        );
        return ExitCode::from(1);
    }
    let (board, what) = match &args.from {
        Some(sidecar) => match board_from_sidecar(sidecar, path) {
            Ok(found) => found,
            Err(code) => return code,
        },
        None => {
            let mut board = Board::starter();
            board.quality = super::load_config().default_quality;
            (board, "3 shots, 12 s".to_string())
        }
    };
    // A board this shotdeck would refuse to open (a sidecar's newer schema, a board too
    // large) is refused before anything is written.
    let text = match board_file::check_before_writing(path, &board) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("nothing was written: {e}");
            return ExitCode::from(super::EXIT_UNREADABLE);
        }
    };
    match board_file::write_atomic(path, text.as_bytes()) {
        Ok(()) => {
            outln!("wrote {} ({what})", printable_path(path));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot save {}: {e}", printable_path(path));
            ExitCode::from(1)
        }
    }
}

/// The board recorded in a video's sidecar, rebased for `to`, and what it is.
fn board_from_sidecar(sidecar: &Path, to: &Path) -> Result<(Board, String), ExitCode> {
    // A FIFO or `/dev/zero` named as the sidecar is refused, never read.
    let text = safe_read::read_string(sidecar, safe_read::MAX_SIDECAR_BYTES).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(super::EXIT_UNREADABLE)
    })?;
    let Some(found) = sidecar::read(&text) else {
        eprintln!(
            "{} is not a shotdeck sidecar (the .json written beside a downloaded video)",
            printable_path(sidecar)
        );
        return Err(ExitCode::from(super::EXIT_UNREADABLE));
    };
    let what = format!(
        "the board of job {} that made {}",
        found.job_id, found.video.file
    );
    Ok((
        sidecar::board_for(&found, to),
        printable(&what).into_owned(),
    ))
}
