//! The command line: clap definitions and dispatch to the headless commands.

mod account;
mod compose;
mod doctor;
mod download;
mod elements;
mod follow;
mod init;
mod jobs;
mod jobs_list;
mod jobs_send;
mod json_out;
mod leave_now;
mod man_sections;
mod new;
mod out;
mod refusals;
mod reporter;
mod sequence;
mod shell;
mod spend;
mod spend_by;
mod stored;
mod submit;
mod submit_n;
mod validate;
mod wait;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::runtime::{self, Flavor};
pub use crate::app::{EXIT_UNREADABLE, load_config};
use crate::core::provider::Provider;

pub use shell::{mistyped_subcommand, parse};
pub use submit::submit_request;

#[derive(Debug, Parser)]
#[command(
    name = "shotdeck",
    version,
    about = "Keyboard-driven storyboard editor for Kling v3 multi-shot video generation",
    long_about = None,
    args_conflicts_with_subcommands = true,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The storyboard JSON to open in the editor (created on first save if it does not exist).
    pub board: Option<PathBuf>,
    /// Run against the embedded simulated backend (no account, no cost).
    #[arg(long)]
    pub demo: bool,
    /// With --demo: seconds a simulated task takes before its video is ready.
    #[arg(long, value_name = "SECS", default_value_t = crate::app::demo::DEMO_TASK_SECONDS, requires = "demo")]
    pub sim_task_seconds: f64,
    /// Open the board for writing even while another shotdeck has it open (that one's
    /// lock is taken over; its later saves may overwrite yours).
    #[arg(long)]
    pub force_write: bool,
    #[command(flatten)]
    pub provider: ProviderArg,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starter multi-shot board (3 shots, 12 s) to BOARD.
    New(new::NewArgs),
    /// Make DIR (default: here) a project: `.shotdeck/project.toml` with a new id, so a
    /// shared job store counts its boards' takes as one on every machine.
    Init(init::InitArgs),
    /// Check a board against every rule; exit 0 when submittable, 1 on errors, 2 when unreadable.
    Validate(validate::ValidateArgs),
    /// Print the exact request (`{method, path, body}`) a submit would send.
    Compose(compose::ComposeArgs),
    /// Validate, record and send BOARD; print the job and task ids (with --wait, the files).
    Submit(submit::SubmitArgs),
    /// List stored jobs, show one (`jobs show ID`), reattach to one (`jobs wait ID`), send
    /// one never sent (`jobs send ID`) or stop waiting for one (`jobs cancel ID`).
    Jobs(jobs::JobsArgs),
    /// The spend ledger: each job's estimate and charge (or sums `--by` user, board,
    /// project, account or day), totals, today's spend vs [budget].
    Spend(spend::SpendArgs),
    /// The Kling account a shared store sends to (`account set` changes its limit, day
    /// budget or time zone).
    Account(account::AccountArgs),
    /// Download a job's videos again, resuming partial files.
    Download(download::DownloadArgs),
    /// The account's element library on the official API: `list` (default), `create NAME
    /// IMAGE...` (2–4 images, checked like references; free), `show TASK_ID`.
    Elements(elements::ElementsArgs),
    /// Check keys, clock, region, access and balance with one cheap call; exit 0 when a
    /// submit would be accepted.
    Doctor(doctor::DoctorArgs),
    /// A sequence's boards in order (PROJECT's sequence.toml), each one's keeper, the
    /// running time.
    Sequence(sequence::SequenceArgs),
    /// Join a sequence's keepers in order into one MP4 (no re-encoding when the streams
    /// match) and write its shot list beside it (CSV and CMX3600 EDL).
    Cut(sequence::CutArgs),
    /// Run the simulated Kling backend (both wire forms) on 127.0.0.1 until Ctrl-C.
    SimServer(crate::sim::SimServerArgs),
    /// Print a completion script: `shotdeck completions bash > /etc/bash_completion.d/shotdeck`
    /// (also zsh, fish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff): `shotdeck man > shotdeck.1`.
    Man,
}

/// `--provider`, shared by the commands that talk about one.
#[derive(Debug, Clone, clap::Args)]
pub struct ProviderArg {
    /// kling (official API), gateway (the seed's ModelStream form, Bearer key), newapi (stock
    /// new-api: single-shot boards only) or kling-relay (Kling's own body under the gateway's
    /// /kling prefix). Default: config.toml's `provider`.
    #[arg(long, value_parser = parse_provider)]
    pub provider: Option<Provider>,
}

fn parse_provider(s: &str) -> Result<Provider, String> {
    s.parse()
}

impl ProviderArg {
    pub fn resolve(&self, config: &crate::files::config::Config) -> Provider {
        self.provider.unwrap_or(config.provider)
    }
}

/// A board path argument.
#[derive(Debug, Clone, clap::Args)]
pub struct BoardArg {
    /// The storyboard JSON file.
    pub board: PathBuf,
}

pub fn run(cli: Cli) -> ExitCode {
    // Commands that talk to a provider or serve requests log to the file; the quick local
    // ones (new, validate, compose) have nothing worth logging. The editor sets up its own.
    let _log = match &cli.command {
        Some(
            Command::Submit(_)
            | Command::Jobs(_)
            | Command::Download(_)
            | Command::Doctor(_)
            | Command::Elements(_)
            | Command::SimServer(_),
        ) => crate::files::logging::init_logging(),
        _ => None,
    };
    // Every command says what is wrong with config.toml (the editor says it inside).
    if cli.command.is_some() {
        for warning in load_config().warnings() {
            eprintln!("warning: {}", crate::core::printable(&warning));
        }
    }
    let code = match cli.command {
        Some(Command::New(args)) => new::run(args),
        Some(Command::Init(args)) => init::run(args),
        Some(Command::Validate(args)) => validate::run(args),
        Some(Command::Compose(args)) => compose::run(args),
        Some(Command::Submit(args)) => submit::run(args),
        Some(Command::Jobs(args)) => jobs::run(args),
        Some(Command::Download(args)) => download::run(args),
        Some(Command::Doctor(args)) => doctor::run(args),
        Some(Command::Elements(args)) => elements::run(args),
        Some(Command::Spend(args)) => spend::run(args),
        Some(Command::Sequence(args)) => sequence::show(args),
        Some(Command::Cut(args)) => sequence::cut_command(args),
        Some(Command::Account(args)) => account::run(args),
        Some(Command::SimServer(args)) => block_on(crate::sim::run_server(args)),
        Some(Command::Completions(args)) => shell::completions(args),
        Some(Command::Man) => shell::man(),
        None if cli.board.is_some() || cli.demo => {
            crate::app::launch::launch(crate::app::launch::LaunchArgs {
                board: cli.board,
                demo: cli.demo,
                provider: cli.provider.provider,
                sim_task_seconds: cli.sim_task_seconds,
                force_write: cli.force_write,
            })
        }
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            ExitCode::from(EXIT_UNREADABLE)
        }
    };
    // Output that could not be written (other than to a reader that left) is a failure.
    if out::failed() {
        ExitCode::FAILURE
    } else {
        code
    }
}

/// Runs an async command that ends in an error or nothing (the simulator server, until
/// Ctrl-C); headless commands that need no runtime stay sync.
fn block_on(fut: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    runtime::block_on(Flavor::MultiThread, async {
        match fut.await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        }
    })
}
