//! Wiring only: parse the command line and hand off.

use clap::Parser;

fn main() -> std::process::ExitCode {
    shotdeck::cli::run(shotdeck::cli::Cli::parse())
}
