//! `shotdeck submit BOARD [--provider kling|gateway] [--wait] [--timeout SECS]`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::follow::{self, Outcome};
use super::validate::{load_and_validate, print_findings};
use super::{BoardArg, EXIT_UNREADABLE, ProviderArg};
use crate::core::cost::estimate;
use crate::core::{Board, Provider, is_submittable};
use crate::engine::events::{
    JobCmd, JobEvent, JobView, SubmitOptions, SubmitRequest, SubmitTicket,
};
use crate::engine::{EngineHandle, provider_settings};
use crate::providers::Client;

#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub board: BoardArg,
    #[command(flatten)]
    pub provider: ProviderArg,
    /// Stay until the video is downloaded: progress on stderr, file paths on stdout.
    /// Exits 1 if the job fails, 3 on --timeout (the job carries on; reattach with
    /// `shotdeck jobs wait ID`).
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
}

pub fn run(args: SubmitArgs) -> ExitCode {
    let config = super::load_config();
    let provider = args.provider.resolve(&config);
    let path = match std::path::absolute(&args.board.board) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}: {e}", args.board.board.display());
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let (board, findings) = match load_and_validate(&path, provider) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    print_findings(&mut std::io::stderr(), &findings);
    if !is_submittable(&findings) {
        eprintln!("{} is not submittable; nothing was sent", path.display());
        return ExitCode::from(1);
    }
    // Missing keys or base URL are reported before a job is recorded.
    if let Err(e) = Client::from_env(provider, &provider_settings(&config)) {
        eprintln!("cannot submit to {provider}: {e}");
        return ExitCode::from(1);
    }
    if let Some(est) = estimate(&board, provider, &config.prices) {
        eprintln!("{provider}: {}", est.summary());
    }
    let request = submit_request(&path, board, provider);
    let timeout = args.timeout.map(Duration::from_secs);
    follow::block_on(submit_and_follow(request, args.wait, timeout))
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
    let ticket = request.ticket;
    let _ = engine.cmd_tx.send(JobCmd::Submit(request));
    let recorded = match recorded_job(&mut engine, ticket).await {
        Ok(v) => v,
        Err(reason) => {
            eprintln!("{reason}");
            follow::stop_engine(engine).await;
            return ExitCode::from(1);
        }
    };
    let id = recorded.id;
    eprintln!(
        "job {id} recorded (external id {})",
        recorded.external_task_id
    );
    let code = if wait {
        let outcome = follow::follow(&mut engine, id, Some(recorded), timeout).await;
        follow::finish(id, outcome, timeout)
    } else {
        until_accepted(&mut engine, id, recorded, timeout).await
    };
    follow::stop_engine(engine).await;
    code
}

/// The job the engine recorded for the submit named by `ticket`, or why it refused.
async fn recorded_job(engine: &mut EngineHandle, ticket: SubmitTicket) -> Result<JobView, String> {
    loop {
        match engine.event_rx.recv().await {
            Some(JobEvent::Submitted { ticket: t, job }) if t == ticket => return Ok(job),
            Some(JobEvent::Rejected {
                reason,
                ticket: Some(t),
            }) if t == ticket => return Err(reason),
            Some(_) => {}
            None => return Err("the job engine stopped before recording the job".into()),
        }
    }
}

/// Without `--wait`: stay until the provider has the task (or refused it), print the ids,
/// and leave the rest to `shotdeck jobs wait` or the TUI.
async fn until_accepted(
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
                    Outcome::Rejected("the job engine stopped".into()),
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
