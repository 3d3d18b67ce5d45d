//! `shotdeck compose BOARD [--provider kling|gateway|newapi|kling-relay]`: the request a
//! submit would send, and what the route carries of the board. A board the route cannot
//! carry whole exits 2 (as a submit would: nothing is sent).

use super::out::outln;
use std::process::ExitCode;

use super::validate::{load_and_validate, print_findings, route_refuses};
use super::{BoardArg, EXIT_UNREADABLE, ProviderArg};
use crate::core::compose::{PlaceholderImages, UNASSIGNED_TASK_ID};
use crate::core::cost::estimate;
use crate::core::{compose_with, is_submittable};
use crate::files::board_file;
use crate::files::image_probe::FileImages;

#[derive(Debug, clap::Args)]
pub struct ComposeArgs {
    #[command(flatten)]
    pub board: BoardArg,
    #[command(flatten)]
    pub provider: ProviderArg,
    /// Embed local images as Base64, exactly as a submit sends them (default: a placeholder
    /// naming each file, to keep the output readable).
    #[arg(long)]
    pub embed_images: bool,
    /// The idempotency key to place in `external_task_id` (a submit assigns a fresh one).
    #[arg(long, default_value = UNASSIGNED_TASK_ID)]
    pub external_task_id: String,
}

pub(super) fn run(args: ComposeArgs) -> ExitCode {
    let config = super::load_config();
    let provider = args.provider.resolve(&config);
    let path = &args.board.board;
    let (board, findings) = match load_and_validate(path, provider, &config.profiles) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    if !is_submittable(&findings) {
        eprintln!("{} is not submittable:", crate::core::printable_path(path));
        print_findings(&mut std::io::stderr(), &findings);
        if route_refuses(&findings, provider) {
            return ExitCode::from(EXIT_UNREADABLE);
        }
        return ExitCode::from(1);
    }
    let files = FileImages {
        board_dir: board_file::board_dir(path),
    };
    let images: &dyn crate::core::ImageSource = if args.embed_images {
        &files
    } else {
        &PlaceholderImages
    };
    let request = compose_with(
        &board,
        provider,
        &config.profiles,
        images,
        &args.external_task_id,
    );
    match request {
        Ok(req) => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&req).expect("requests serialize")
            );
            let carries = config.profiles.caps(provider).carries(&board);
            eprintln!("{provider} carries: {carries}");
            if let Some(route) =
                crate::core::compose::route_line(&board, provider, &config.profiles)
            {
                eprintln!("{route}");
            }
            if let Some(est) = estimate(&board, provider, &config.prices) {
                eprintln!("{provider}: {}", est.summary());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
