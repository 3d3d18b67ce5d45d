//! `shotdeck submit BOARD [--provider P] [--yes] [--dry-run] [--max-cost USD] [--wait]
//! [--timeout SECS]`: every paid submit is asked for (or `--yes`), priced and capped first.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::follow::EXIT_NOT_SENT;
use super::follow::{self, Outcome};
use super::submit_n;
use super::validate::{load_and_validate, print_findings, route_refuses};
use super::{BoardArg, EXIT_UNREADABLE, ProviderArg};
use crate::app::provider_settings;
use crate::core::cost::{Estimate, estimate};
use crate::core::gateway_profile::Profiles;
use crate::core::model::is_url;
use crate::core::{Board, Provider, is_submittable, printable, printable_path};
use crate::engine::EngineHandle;
use crate::engine::events::{JobCmd, JobEvent, JobView, Refusal, SubmitOptions, SubmitRequest};
use crate::files::board_file;
use crate::files::image_probe::real_target;
use crate::providers::Client;

#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub board: BoardArg,
    #[command(flatten)]
    pub provider: ProviderArg,
    /// Stay until the video is downloaded: progress on stderr, file paths on stdout.
    /// Exit codes: 0 done, 1 not sent or refused at create (nothing spent), 2 not sent
    /// (no --yes, declined, unreadable board or config.toml's money keys), 3 still running at --timeout, 4 failed after
    /// the provider accepted it (may be charged), 5 needs attention, 130 interrupted.
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Send without asking. A submit costs money: from a script (stdin not a terminal) it
    /// is refused without --yes (exit 2, nothing sent).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the request and the estimate and send nothing (exit 0).
    #[arg(long, conflicts_with_all = ["yes", "wait", "timeout"])]
    pub dry_run: bool,
    /// Refuse before sending when the estimate is above this many US dollars (or unknown);
    /// with --takes, the total of every take.
    #[arg(long, value_name = "USD", value_parser = parse_usd)]
    pub max_cost: Option<f64>,
    /// Record and send N takes (variants) of the board at once, 1 to 8, each its own task
    /// with its own external_task_id: one confirmation for the total, and the budget and
    /// --max-cost hold all N together (all are recorded, or none).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::engine::events::MAX_TAKES)))]
    pub takes: u32,
}

fn parse_usd(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .trim_start_matches('$')
        .parse()
        .map_err(|_| format!("{s:?} is not an amount in US dollars (e.g. 2.50)"))?;
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("{s:?} must be zero or more US dollars"))
    }
}

pub(super) fn run(args: SubmitArgs) -> ExitCode {
    let config = super::load_config();
    let provider = args.provider.resolve(&config);
    let path = match std::path::absolute(&args.board.board) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}: {e}", printable_path(&args.board.board));
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let (board, findings) = match load_and_validate(&path, provider, &config.profiles) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    print_findings(&mut std::io::stderr(), &findings);
    if !is_submittable(&findings) {
        eprintln!(
            "{} is not submittable; nothing was sent",
            printable_path(&path)
        );
        // A board the route cannot carry whole exits like a usage error: 2, nothing sent.
        if route_refuses(&findings, provider) {
            return ExitCode::from(EXIT_UNREADABLE);
        }
        return ExitCode::from(EXIT_NOT_SENT);
    }
    // The board as it will be sent: the engine puts the same continuation on it.
    let sent = match super::sequence::board_as_sent(&path, &board, provider, &config.profiles) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let est = estimate(&board, provider, &config.prices);
    let uploads = local_uploads(&board, &board_file::board_dir(&path));
    if args.dry_run {
        return dry_run(&sent, provider, est.as_ref(), &uploads, &config, args.takes);
    }
    if let Some(why) = config.money_refusal() {
        eprintln!("{}; nothing was sent", printable(&why));
        return ExitCode::from(EXIT_UNREADABLE);
    }
    // Missing keys or base URL are reported before a job is recorded.
    if let Err(e) = Client::from_env(provider, &provider_settings(&config)) {
        eprintln!("cannot submit to {provider}: {e}");
        return ExitCode::from(EXIT_NOT_SENT);
    }
    let what = cost_line(provider, &board, est.as_ref(), &uploads, &config.profiles);
    eprintln!("{what}");
    if let Some(total) = submit_n::total_line(est.as_ref(), args.takes) {
        eprintln!("{total}");
    }
    let carries = config.profiles.caps(provider).carries(&board);
    eprintln!("{provider} carries: {carries}");
    if let Some(route) = crate::core::compose::route_line(&board, provider, &config.profiles) {
        eprintln!("{route}");
    }
    if let Some(max) = args.max_cost {
        match &est {
            Some(e)
                if !crate::core::budget::fits_under(submit_n::total_usd(e, args.takes), max) =>
            {
                eprintln!(
                    "the estimate ${:.2} is above --max-cost ${max:.2}; nothing was sent",
                    submit_n::total_usd(e, args.takes)
                );
                return ExitCode::from(EXIT_NOT_SENT);
            }
            Some(_) => {}
            None => {
                eprintln!(
                    "no price is known for this model and quality, so --max-cost cannot be \
                     checked; nothing was sent (set one under [prices] in config.toml)"
                );
                return ExitCode::from(EXIT_NOT_SENT);
            }
        }
    }
    if let Err(code) = confirm_paid(
        args.yes,
        "a submit costs money: from a script, pass --yes to send it (or --dry-run to see the \
         request); nothing was sent",
    ) {
        return code;
    }
    let options = SubmitOptions {
        max_usd: args.max_cost,
        takes: args.takes,
        ..SubmitOptions::default()
    };
    let request = SubmitRequest::new(&path, board, provider, options);
    let timeout = args.timeout.map(Duration::from_secs);
    follow::block_on(submit_and_follow(request, args.wait, timeout))
}

/// Local image files the submit will read and upload (as Base64), with their sizes.
pub(super) fn local_uploads(board: &Board, dir: &Path) -> Vec<(String, Option<u64>)> {
    board
        .image_refs()
        .into_iter()
        .filter(|(_, r)| !is_url(r))
        .map(|(_, r)| {
            let size = std::fs::metadata(dir.join(r)).ok().map(|m| m.len());
            // Escaped (a file name is foreign text), and the real file named when a
            // symlink leads elsewhere: that file is what is uploaded.
            let name = match real_target(dir, r) {
                Some(t) => format!("{} → {}", printable(r), printable_path(&t)),
                None => printable(r).into_owned(),
            };
            (name, size)
        })
        .collect()
}

/// What the user is asked to pay for, in one line: provider, length, quality, the estimate,
/// the files that will leave the machine and anything "unverified" it asks for.
pub(super) fn cost_line(
    provider: Provider,
    board: &Board,
    est: Option<&Estimate>,
    uploads: &[(String, Option<u64>)],
    profiles: &Profiles,
) -> String {
    let cost = match est {
        Some(e) => e.summary(),
        None => format!(
            "{} s, {} (no price configured for this model and quality)",
            board.total_duration(),
            board.quality
        ),
    };
    let files = if uploads.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = uploads
            .iter()
            .map(|(p, size)| match size {
                Some(b) => format!("{p} ({})", human_bytes(*b)),
                None => p.clone(),
            })
            .collect();
        format!("; uploads {}", list.join(", "))
    };
    // Said where the user decides to pay, not only among the warnings above it.
    let unverified: String = crate::core::rules::unverified_notes(board, provider, profiles)
        .into_iter()
        .map(|note| format!("; unverified: {note}"))
        .collect();
    format!("{provider}: {cost}{files}{unverified}")
}

fn human_bytes(b: u64) -> String {
    match b {
        0..1_000 => format!("{b} B"),
        1_000..1_000_000 => format!("{:.1} kB", b as f64 / 1e3),
        _ => format!("{:.1} MB", b as f64 / 1e6),
    }
}

/// The user's yes for a paid create: `--yes`, or asked on the terminal. `Err` (exit 2,
/// nothing sent) when declined, or from a script without `--yes` (`script_hint` says why).
pub(super) fn confirm_paid(yes: bool, script_hint: &str) -> Result<(), ExitCode> {
    if yes {
        return Ok(());
    }
    match ask_to_pay() {
        Answer::Yes => Ok(()),
        Answer::No => {
            eprintln!("not sent");
            Err(ExitCode::from(EXIT_UNREADABLE))
        }
        Answer::NotATerminal => {
            eprintln!("{script_hint}");
            Err(ExitCode::from(EXIT_UNREADABLE))
        }
    }
}

enum Answer {
    Yes,
    No,
    NotATerminal,
}

/// Asks on the terminal (stderr for the question, stdin for the answer). Anything but
/// y/yes is a no.
fn ask_to_pay() -> Answer {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Answer::NotATerminal;
    }
    eprint!("send it? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(_) if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Answer::Yes,
        _ => Answer::No,
    }
}

/// `--dry-run`: the request as it would be sent (local images as placeholders, their files
/// listed), the estimate, and whether the keys are there. Nothing is recorded or sent.
fn dry_run(
    board: &Board,
    provider: Provider,
    est: Option<&Estimate>,
    uploads: &[(String, Option<u64>)],
    config: &crate::files::config::Config,
    takes: u32,
) -> ExitCode {
    let request = match submit_n::dry_run_requests(board, provider, config, takes) {
        Ok(r) => r,
        Err(code) => return code,
    };
    super::out::write_with(|w| super::json_out::write_pretty(w, &request));
    let carries = config.profiles.caps(provider).carries(board);
    eprintln!("{provider} carries: {carries}");
    if let Some(route) = crate::core::compose::route_line(board, provider, &config.profiles) {
        eprintln!("{route}");
    }
    eprintln!(
        "{}",
        cost_line(provider, board, est, uploads, &config.profiles)
    );
    if let Some(total) = submit_n::total_line(est, takes) {
        eprintln!("{total}");
    }
    if let Err(e) = Client::from_env(provider, &provider_settings(config)) {
        eprintln!("note: a real submit would stop here: {e}");
    }
    eprintln!("dry run: nothing was recorded or sent");
    ExitCode::SUCCESS
}

/// What `shotdeck submit` asks the engine for: the board as loaded from `path`
/// (absolute), exactly as the editor asks for the same board. The engine validates again,
/// mints the idempotency key and embeds the images.
pub fn submit_request(path: &Path, board: Board, provider: Provider) -> SubmitRequest {
    SubmitRequest::new(path, board, provider, SubmitOptions::default())
}

async fn submit_and_follow(
    request: SubmitRequest,
    wait: bool,
    timeout: Option<Duration>,
) -> ExitCode {
    let mut engine = match follow::start_engine([]).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let (ticket, takes) = (request.ticket, request.options.take_count());
    let _ = engine.cmd_tx.send(JobCmd::Submit(request)).await;
    let mut recorded = match submit_n::recorded_jobs(&mut engine, ticket, takes).await {
        Ok(v) => v,
        Err(reason) => {
            eprintln!("{reason}");
            follow::stop_engine(engine).await;
            return super::refusals::exit_code(&reason);
        }
    };
    for job in &recorded {
        eprintln!(
            "job {} recorded as take {} (external id {})",
            job.id, job.take, job.external_task_id
        );
    }
    if recorded.len() > 1 {
        let code = submit_n::follow_takes(&mut engine, recorded, wait, timeout).await;
        follow::stop_engine(engine).await;
        return code;
    }
    let recorded = recorded.remove(0);
    let id = recorded.id;
    let code = if wait {
        let outcome = follow::follow(&mut engine, id, Some(recorded), timeout).await;
        follow::finish(id, outcome, timeout)
    } else {
        until_accepted(&mut engine, id, recorded, timeout).await
    };
    follow::stop_engine(engine).await;
    code
}

/// Without `--wait`: stay until the provider has the task (or refused it), print the ids,
/// and leave the rest to `shotdeck jobs wait` or the TUI.
pub(super) async fn until_accepted(
    engine: &mut EngineHandle,
    id: i64,
    recorded: JobView,
    timeout: Option<Duration>,
) -> ExitCode {
    let mut reporter = follow::Reporter::new(id);
    reporter.show(&recorded);
    let deadline = timeout.and_then(follow::deadline_after);
    loop {
        let next = async {
            match deadline {
                Some(d) => tokio::time::timeout_at(d, engine.event_rx.recv())
                    .await
                    .ok(),
                None => Some(engine.event_rx.recv().await),
            }
        };
        let v = match next.await {
            Some(Some(JobEvent::Updated(v))) if v.id == id => v,
            Some(Some(_)) => continue,
            Some(None) => {
                return follow::finish(
                    id,
                    Outcome::Rejected(Refusal::EngineStopped { before: None }),
                    timeout,
                );
            }
            None => return follow::finish(id, Outcome::TimedOut(None), timeout),
        };
        reporter.show(&v);
        if let Some(outcome @ (Outcome::Failed(_) | Outcome::Stuck(_))) = follow::settle(&v) {
            return follow::finish(id, outcome, timeout);
        }
        if let Some(task) = &v.task_id {
            println!("job {id} task {}", crate::core::printable(task));
            eprintln!("follow it with: shotdeck jobs wait {id}");
            return ExitCode::SUCCESS;
        }
    }
}
