//! Why a command was refused. Every refusal a front end can be told is one variant here, and
//! its wording is this file's `Display`: the engine, the editor's stand-in for a missing
//! engine and the CLI build variants, the editor and the CLI branch on them (exit codes, a
//! retry that may be asked for again), and nobody matches on the text.

use std::fmt;

use super::{JobId, JobPhase};
use crate::budget::OverBudget;
use crate::compose::ComposeError;
use crate::findings::{Finding, Severity};

/// Why nothing was done for a command (and, for a paid one, nothing sent).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// config.toml's money keys did not read cleanly: `why` is the config's own account
    /// (`Config::money_refusal`), naming the key, file, line and column.
    MoneyConfig { why: String },
    /// `[budget]` refuses the job (`job`: a recorded job being sent, not a new submit).
    OverBudget {
        job: Option<JobId>,
        over: OverBudget,
    },
    /// The estimate is over the ceiling the user confirmed (`--max-cost`, the dialog).
    OverCeiling { estimate_usd: f64, max_usd: f64 },
    /// A submit asked for more takes than one submit may record (`super::MAX_TAKES`).
    TooManyTakes { asked: u32 },
    /// The board is not submittable; every finding is kept, warnings included.
    Findings(Vec<Finding>),
    /// The board's sequence says it continues from the previous board's keeper, and neither
    /// way of carrying that can be built (see `sequence::continuation`): sent without it,
    /// the video would silently not continue. `board`: its name (`02-market`); `from`: what
    /// it continues from (`continues from 01-arrival take 2`, or that the previous board
    /// has no keeper); `file`: the sequence's file that says so; `why`: why neither way.
    Continues {
        board: String,
        from: String,
        file: String,
        why: String,
    },
    /// The request could not be composed (an image that would not embed).
    Compose(ComposeError),
    /// The request's `external_task_id` is not the job's, so a lost answer could never be
    /// reconciled.
    Unkeyed { external_task_id: String },
    /// A retry's stored request carries no `external_task_id` to replace.
    NoKeyToReplace { id: JobId },
    /// A retry's stored request continues from a keeper by its result URL, and that URL is
    /// `days` old, past the 30 days Kling keeps it: sent again it would reference a deleted
    /// video. `from`: `01-arrival take 2`. The board as it is now plans the continuation
    /// again (the last frame, when the URL is gone).
    ExpiredReference { id: JobId, from: String, days: i64 },
    /// `id` already has a retry (`retry`, now in `retry_phase`): a second would pay twice.
    AlreadyRetried {
        id: JobId,
        retry: JobId,
        retry_phase: JobPhase,
    },
    /// The command does not apply to a job in `phase`.
    WrongPhase {
        id: JobId,
        phase: JobPhase,
        action: Action,
    },
    /// A poll of a job the provider never accepted.
    NoTaskId { id: JobId },
    /// No job `id` in the store.
    NotFound { id: JobId, action: Action },
    /// Another live shotdeck process holds the job's lease.
    LeaseHeld { id: JobId },
    /// The lease went to another process while the command ran.
    LeaseLost { id: JobId },
    /// The job store (or a blocking task) failed while doing `step`.
    Failed { step: Step, error: String },
    /// The job was recorded but could not be read back.
    Vanished,
    /// No engine runs (no job store, a demo without its backend): `why`.
    NoEngine { why: String, submit: bool },
    /// Another process has the job store locked; the session tries again. `submit`: the
    /// refused command was a submit; `None` of a command: the notice that it is waiting.
    StoreBusy { why: String, asked: Option<Asked> },
    /// The engine ended before answering.
    EngineStopped { before: Option<Asked> },
}

/// What the user asked for, as far as a refusal's wording needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Retry,
    /// Redownload, repoll or send: a job taken back to work.
    Resume,
    Redownload,
    Repoll,
    Send,
    Keep,
    Cancel,
    Read,
}

/// Which kind of command a store-wide refusal answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Submit,
    Send,
    Other,
}

/// What failed, for [`Refusal::Failed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    CheckRetries(JobId),
    Prepare,
    Record,
    Resume(JobId),
    Retry(JobId),
    Cancel(JobId),
    Mark(JobId),
    Read(JobId),
    ReadPair(JobId, JobId),
    Compare(JobId, JobId),
}

const NOTHING_SENT: &str = "; nothing was sent";

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MoneyConfig { why } => write!(f, "{why}{NOTHING_SENT}"),
            Refusal::OverBudget { job: None, over } => write!(f, "{over}{NOTHING_SENT}"),
            Refusal::OverBudget {
                job: Some(id),
                over,
            } => {
                write!(f, "job {id}: {over}{NOTHING_SENT}")
            }
            Refusal::OverCeiling {
                estimate_usd,
                max_usd,
            } => write!(
                f,
                "the estimate (${estimate_usd:.2}) is over the confirmed ceiling of \
                 ${max_usd:.2}{NOTHING_SENT}"
            ),
            Refusal::TooManyTakes { asked } => write!(
                f,
                "{asked} takes asked for; one submit records at most {}{NOTHING_SENT}",
                super::MAX_TAKES
            ),
            Refusal::Findings(findings) => {
                write!(
                    f,
                    "the board has errors: {}{NOTHING_SENT}",
                    errors_of(findings)
                )
            }
            Refusal::Continues {
                board,
                from,
                file,
                why,
            } => write!(
                f,
                "{board} {from} ({file}): {why}; remove its continue_from to send the board \
                 as it is{NOTHING_SENT}"
            ),
            Refusal::Compose(e) => write!(f, "{e}{NOTHING_SENT}"),
            Refusal::Unkeyed { external_task_id } => write!(
                f,
                "the request's external_task_id must be the job's ({external_task_id:?}){NOTHING_SENT}"
            ),
            Refusal::NoKeyToReplace { id } => write!(
                f,
                "cannot retry job {id}: the stored request carries no external_task_id (at the \
                 top level or in metadata), so a resend could not be told apart from the \
                 first{NOTHING_SENT}"
            ),
            Refusal::ExpiredReference { id, from, days } => write!(
                f,
                "cannot retry job {id} with its stored request: it continues from {from} by its \
                 video URL, {days} days old, and Kling deletes results after 30 days; retry with \
                 the board as it is now, which plans the continuation again{NOTHING_SENT}"
            ),
            Refusal::AlreadyRetried {
                id,
                retry,
                retry_phase: JobPhase::Failed,
            } => write!(
                f,
                "job {id} was already retried as job {retry}, which failed too; retry job \
                 {retry} instead. Nothing was sent"
            ),
            Refusal::AlreadyRetried {
                id,
                retry,
                retry_phase,
            } => write!(
                f,
                "job {id} was already retried as job {retry} ({}){NOTHING_SENT}",
                retry_phase.as_str()
            ),
            Refusal::WrongPhase { id, phase, action } => wrong_phase(f, *id, *phase, *action),
            Refusal::NoTaskId { id } => write!(
                f,
                "job {id} has no task id: the provider never accepted it, so there is nothing \
                 to poll (retry it instead)"
            ),
            Refusal::NotFound { id, action } => match action {
                Action::Retry => write!(f, "no job {id} to retry"),
                Action::Read | Action::Keep | Action::Cancel => {
                    write!(f, "job #{id} is not in the store")
                }
                Action::Resume | Action::Redownload | Action::Repoll | Action::Send => {
                    write!(f, "no job {id}")
                }
            },
            Refusal::LeaseHeld { id } => {
                write!(f, "job {id} is being worked on by another shotdeck process")
            }
            Refusal::LeaseLost { id } => write!(f, "job {id} was taken over by another process"),
            Refusal::Failed { step, error } => failed(f, *step, error),
            Refusal::Vanished => f.write_str("the new job vanished from the store"),
            Refusal::NoEngine { why, submit: true } => write!(f, "{why}{NOTHING_SENT}"),
            Refusal::NoEngine { why, submit: false } => f.write_str(why),
            Refusal::StoreBusy { why, asked } => {
                write!(f, "job store busy, retrying… ({why})")?;
                match asked {
                    None => f.write_str("; the job list follows once it opens"),
                    Some(Asked::Submit | Asked::Send) => f.write_str(NOTHING_SENT),
                    Some(Asked::Other) => Ok(()),
                }
            }
            Refusal::EngineStopped { before } => {
                f.write_str("the job engine stopped")?;
                match before {
                    Some(Asked::Submit) => f.write_str(" before recording the job"),
                    Some(Asked::Send) => f.write_str(" before sending"),
                    Some(Asked::Other) | None => Ok(()),
                }
            }
        }
    }
}

fn wrong_phase(
    f: &mut fmt::Formatter<'_>,
    id: JobId,
    phase: JobPhase,
    action: Action,
) -> fmt::Result {
    let phase_name = phase.as_str();
    match action {
        Action::Retry => write!(
            f,
            "job {id} is still {phase_name}; retry it once it has finished"
        ),
        Action::Redownload => write!(
            f,
            "job {id} {}, so it has nothing to download (retry it instead)",
            if phase == JobPhase::Failed {
                "failed".to_string()
            } else {
                format!("is {phase_name}")
            }
        ),
        Action::Repoll => write!(
            f,
            "job {id}'s task has finished ({phase_name}); download its videos again instead"
        ),
        Action::Send => write!(
            f,
            "job {id} is {phase_name}: only a job that was never sent can be sent (a finished \
             job is sent again with retry){NOTHING_SENT}"
        ),
        Action::Keep => write!(
            f,
            "job #{id} is {phase_name}: only a done take can be the keeper"
        ),
        Action::Cancel => write!(
            f,
            "job {id} is already {phase_name}: there is nothing to cancel"
        ),
        Action::Resume | Action::Read => write!(f, "job {id} is {phase_name}"),
    }
}

fn failed(f: &mut fmt::Formatter<'_>, step: Step, e: &str) -> fmt::Result {
    match step {
        Step::CheckRetries(id) => write!(
            f,
            "cannot check job {id}'s earlier retries, nothing was sent: {e}"
        ),
        Step::Prepare => write!(f, "preparing the submit failed, nothing was sent: {e}"),
        Step::Record => write!(f, "could not record the job, nothing was sent: {e}"),
        Step::Resume(id) => write!(f, "cannot resume job {id}: {e}"),
        Step::Retry(id) => write!(f, "cannot retry job {id}: {e}"),
        Step::Cancel(id) => write!(f, "cannot cancel job {id}: {e}"),
        Step::Mark(id) => write!(f, "cannot mark job #{id}: {e}"),
        Step::Read(id) => write!(f, "reading job #{id} failed: {e}"),
        Step::ReadPair(a, b) => write!(f, "reading jobs #{a} and #{b} failed: {e}"),
        Step::Compare(a, b) => write!(f, "comparing jobs #{a} and #{b} failed: {e}"),
    }
}

fn errors_of(findings: &[Finding]) -> String {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl std::error::Error for Refusal {}

#[cfg(test)]
#[path = "refusal_tests.rs"]
mod tests;
