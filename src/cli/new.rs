//! `shotdeck new BOARD`.

use super::out::outln;
use std::process::ExitCode;

use super::BoardArg;
use crate::core::model::Board;
use crate::files::board_file;

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    #[command(flatten)]
    pub board: BoardArg,
    /// Overwrite BOARD if it exists.
    #[arg(long)]
    pub force: bool,
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
    let mut board = Board::starter();
    board.quality = super::load_config().default_quality;
    match board_file::save(path, &board) {
        Ok(()) => {
            outln!("wrote {} (3 shots, 12 s)", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
