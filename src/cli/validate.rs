//! `shotdeck validate BOARD [--json]`.

use super::out::outln;
use std::path::Path;
use std::process::ExitCode;

use super::{BoardArg, EXIT_UNREADABLE, ProviderArg};
use crate::core::gateway_profile::Profiles;
use crate::core::{Board, FieldPath, Finding, Provider, is_submittable};
use crate::files::{board_file, image_probe};

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub board: BoardArg,
    #[command(flatten)]
    pub provider: ProviderArg,
    /// Print the findings as a JSON array of {severity, path, message}.
    #[arg(long)]
    pub json: bool,
}

/// Loads a board and runs every rule for `provider`, with image facts from disk.
pub(super) fn load_and_validate(
    path: &Path,
    provider: Provider,
    profiles: &Profiles,
) -> Result<(Board, Vec<Finding>), board_file::BoardFileError> {
    let board = board_file::load(path)?;
    let dir = board_file::board_dir(path);
    let findings = image_probe::validate_on_disk(&board, &dir, provider, profiles);
    Ok((board, findings))
}

/// True when a finding says the route cannot carry the board (the `route` rule): such a
/// board is refused like an unconfirmed paid send, exit 2, nothing sent.
pub(super) fn route_refuses(findings: &[Finding], provider: Provider) -> bool {
    findings.iter().any(|f| {
        f.severity == crate::core::Severity::Error
            && f.provider == Some(provider)
            && matches!(
                f.path,
                FieldPath::Shots
                    | FieldPath::ShotType
                    | FieldPath::References
                    | FieldPath::LastFrame
            )
            && f.route_refusal
    })
}

/// One line per finding: `error <path>: <message>` or `warning <path>: <message>`.
pub(super) fn print_findings(out: &mut dyn std::io::Write, findings: &[Finding]) {
    for f in findings {
        // Messages quote file names and prompts: escaped, never acted on.
        let _ = writeln!(out, "{}", crate::core::printable(&f.to_string()));
    }
}

pub(super) fn run(args: ValidateArgs) -> ExitCode {
    let config = super::load_config();
    let provider = args.provider.resolve(&config);
    let findings = match load_and_validate(&args.board.board, provider, &config.profiles) {
        Ok((_, findings)) => findings,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&findings).expect("findings serialize")
        );
    } else {
        print_findings(&mut std::io::stdout(), &findings);
    }
    if is_submittable(&findings) {
        let path = crate::core::printable_path(&args.board.board);
        eprintln!("{path}: submittable for {provider}");
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
