//! `shotdeck new BOARD [--from VIDEO.json]`.

use super::out::outln;
use std::path::Path;
use std::process::ExitCode;

use super::BoardArg;
use crate::core::model::Board;
use crate::core::printable;
use crate::engine::sidecar;
use crate::files::board_file;

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

pub fn run(args: NewArgs) -> ExitCode {
    let path = &args.board.board;
    if path.exists() && !args.force {
        eprintln!(
            "{} already exists (use --force to overwrite it)",
            path.display()
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
    match board_file::save(path, &board) {
        Ok(()) => {
            outln!("wrote {} ({what})", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// The board recorded in a video's sidecar, rebased for `to`, and what it is.
fn board_from_sidecar(sidecar: &Path, to: &Path) -> Result<(Board, String), ExitCode> {
    let text = std::fs::read_to_string(sidecar).map_err(|e| {
        eprintln!("cannot read {}: {e}", sidecar.display());
        ExitCode::from(super::EXIT_UNREADABLE)
    })?;
    let Some(found) = sidecar::read(&text) else {
        eprintln!(
            "{} is not a shotdeck sidecar (the .json written beside a downloaded video)",
            sidecar.display()
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
