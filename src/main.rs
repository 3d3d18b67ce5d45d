//! Wiring only: parse the command line and hand off.

fn main() -> std::process::ExitCode {
    match shotdeck::cli::parse(std::env::args_os()) {
        Ok(cli) => shotdeck::cli::run(cli),
        Err(code) => code,
    }
}
