//! `shotdeck jobs send ID [--yes] [--wait] [--timeout SECS]`: sends a job a submit recorded
//! but never sent (asked like a submit), and `shotdeck jobs cancel ID`: stops waiting for a
//! job, saying what the provider may still charge.

use std::process::ExitCode;
use std::time::Duration;

use super::follow::{self, EXIT_NOT_SENT};
use super::submit::{confirm_paid, cost_line, local_uploads, until_accepted};
use crate::core::cost::estimate;
use crate::core::printable;
use crate::engine::EngineHandle;
use crate::engine::events::{Asked, JobCmd, JobEvent, JobId, JobPhase, JobView, Refusal};
use crate::engine::store::{JobRecord, now_ms};
use crate::files::board_file;

#[derive(Debug, clap::Args)]
pub struct SendArgs {
    pub id: JobId,
    /// Send without asking. Sending costs money: from a script (stdin not a terminal) it
    /// is refused without --yes (exit 2, nothing sent).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Stay until the video is downloaded (exit codes as for `submit --wait`).
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
}

pub(super) fn send(args: SendArgs) -> ExitCode {
    let id = args.id;
    let read = super::stored::Stored::open()
        .and_then(|s| s.block(s.store().record(id)).map_err(|e| e.to_string()));
    let rec = match read {
        Ok(Some(rec)) => rec,
        Ok(None) => {
            eprintln!("no job {id}");
            return ExitCode::from(EXIT_NOT_SENT);
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_NOT_SENT);
        }
    };
    if let Err(why) = sendable(&rec) {
        eprintln!("{why}; nothing was sent");
        return ExitCode::from(EXIT_NOT_SENT);
    }
    let config = super::load_config();
    if let Some(why) = config.money_refusal() {
        eprintln!("{}; nothing was sent", printable(&why));
        return ExitCode::from(super::EXIT_UNREADABLE);
    }
    let provider = rec.view.provider;
    let est = estimate(&rec.board, provider, &config.prices);
    let uploads = local_uploads(&rec.board, &board_file::board_dir(&rec.view.board_path));
    eprintln!(
        "job {id} ({}): {}",
        printable(&rec.view.board_title),
        cost_line(
            provider,
            &rec.board,
            est.as_ref(),
            &uploads,
            &config.profiles
        )
    );
    let hint = format!(
        "sending job {id} costs money: from a script, pass --yes to send it; nothing was sent"
    );
    if let Err(code) = confirm_paid(args.yes, &hint) {
        return code;
    }
    let timeout = args.timeout.map(Duration::from_secs);
    follow::block_on(send_and_follow(id, args.wait, timeout))
}

/// Why `rec` cannot be sent, if it cannot: only a job nothing was sent for, and no live
/// submitter is about to send.
fn sendable(rec: &JobRecord) -> Result<(), String> {
    let id = rec.view.id;
    match rec.view.phase {
        JobPhase::NotSent => Ok(()),
        JobPhase::Queued if rec.lease_until.is_none_or(|until| until < now_ms()) => Ok(()),
        JobPhase::Queued => Err(format!(
            "job {id} is being sent by the shotdeck process that recorded it"
        )),
        phase => Err(format!(
            "job {id} is {}: only a job that was never sent can be sent (a finished job is \
             sent again with retry)",
            phase.as_str()
        )),
    }
}

async fn send_and_follow(id: JobId, wait: bool, timeout: Option<Duration>) -> ExitCode {
    let mut engine = match follow::start_engine([id]).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_NOT_SENT);
        }
    };
    let _ = engine.cmd_tx.send(JobCmd::Send(id)).await;
    let code = match sent(&mut engine, id).await {
        Err(reason) => {
            eprintln!("job {id}: {}", printable(&reason.to_string()));
            super::refusals::exit_code(&reason)
        }
        Ok(view) if wait => {
            let outcome = follow::follow(&mut engine, id, Some(view), timeout).await;
            follow::finish(id, outcome, timeout)
        }
        Ok(view) => until_accepted(&mut engine, id, view, timeout).await,
    };
    follow::stop_engine(engine).await;
    code
}

/// The job once the engine took it out of `not_sent`, or why it refused.
async fn sent(engine: &mut EngineHandle, id: JobId) -> Result<JobView, Refusal> {
    loop {
        match engine.event_rx.recv().await {
            Some(JobEvent::Updated(v)) if v.id == id && v.phase != JobPhase::NotSent => {
                return Ok(v);
            }
            Some(JobEvent::Rejected { reason, .. }) => return Err(reason),
            Some(_) => {}
            None => {
                return Err(Refusal::EngineStopped {
                    before: Some(Asked::Send),
                });
            }
        }
    }
}

pub(super) fn cancel(id: JobId) -> ExitCode {
    let owner = format!("cli-{}", std::process::id());
    let cancelled = super::stored::Stored::open().and_then(|s| {
        s.block(s.store().cancel(id, &owner, now_ms()))
            .map_err(|e| e.to_string())
    });
    match cancelled {
        Ok(v) => {
            let what = v.error.map(|e| e.message).unwrap_or_default();
            eprintln!("job {id}: {}", printable(&what));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", printable(&e));
            ExitCode::from(1)
        }
    }
}
