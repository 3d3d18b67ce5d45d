//! What the user's word means for a job, decided the same way by every backend: a backend
//! reads the job inside its transaction, asks these functions what to write (or why not),
//! and writes it through `apply`, where the state machine checks the move.

use crate::{JobChange, Refusal, Resolution, Restart};
use shotdeck_core::jobs::Action;
use shotdeck_core::jobs::{
    CANCELLED_CODE, CANCELLED_IN_DOUBT_CODE, JobError, JobId, JobPhase, JobView, LOST_CODE,
};

/// What a restart writes on a job whose lease the backend holds.
pub(crate) enum RestartStep {
    /// Apply this change (for `Send`: once the budget passed, in the same transaction).
    Apply(JobChange),
    /// A failed job the provider accepted: reopened to poll its task again
    /// (`machine::reopen`).
    Reopen,
}

/// What `how` writes on `view` (the job `id`), or why the user's command is refused.
pub(crate) fn restart_step(
    id: JobId,
    how: &Restart,
    view: &JobView,
) -> Result<RestartStep, Refusal> {
    let change = match how {
        Restart::Redownload => {
            let change = match view.phase {
                phase @ JobPhase::Failed => {
                    return Err(Refusal::WrongPhase {
                        id,
                        phase,
                        action: Action::Redownload,
                    });
                }
                JobPhase::Done | JobPhase::Downloading => JobChange::phase(JobPhase::Downloading),
                _ => JobChange::default(),
            };
            change.with_error(None).with_note("resumed by the user")
        }
        Restart::Send { .. } => {
            // A queued job's submitter has stopped (its lease was free to take). Either way
            // it is checked as a new job today, whenever recorded.
            let change = match view.phase {
                JobPhase::NotSent => JobChange::phase(JobPhase::Queued),
                JobPhase::Queued => JobChange::default(),
                phase => {
                    return Err(Refusal::WrongPhase {
                        id,
                        phase,
                        action: Action::Send,
                    });
                }
            };
            change.with_error(None).with_note("sent by the user")
        }
        Restart::Repoll => {
            if view.task_id.is_none() {
                return Err(Refusal::NoTaskId { id });
            }
            match view.phase {
                phase @ (JobPhase::Done | JobPhase::Downloading) => {
                    return Err(Refusal::WrongPhase {
                        id,
                        phase,
                        action: Action::Repoll,
                    });
                }
                JobPhase::Failed => return Ok(RestartStep::Reopen),
                _ => JobChange::default()
                    .with_error(None)
                    .with_note("polled again by the user"),
            }
        }
    };
    Ok(RestartStep::Apply(JobChange {
        stalled: Some(false),
        ..change
    }))
}

/// What an engine writes on a `queued` job whose submitter is gone: only the user sends it.
pub(crate) fn park_unsent(id: JobId) -> JobChange {
    JobChange {
        stalled: Some(false),
        ..JobChange::phase(JobPhase::NotSent).with_note(format!(
            "the submit that recorded it stopped before sending; nothing was sent. Send it \
             with `shotdeck jobs send {id}` (or from the editor), or cancel it"
        ))
    }
}

/// What an engine starting writes on a stalled job it adopts.
pub(crate) fn resume_stalled() -> JobChange {
    JobChange {
        stalled: Some(false),
        ..JobChange::default()
            .with_error(None)
            .with_note("resumed at engine start")
    }
}

/// The user's answer to a job waiting for attention (`reattach`: correcting a task id the
/// user entered before).
pub(crate) fn resolution_change(resolution: &Resolution, reattach: bool) -> JobChange {
    match resolution {
        Resolution::Attach(task) => JobChange {
            task_id: Some(task.trim().to_string()),
            stalled: Some(false),
            ..JobChange::phase(JobPhase::Submitted)
                .with_error(None)
                .with_note(if reattach {
                    "task id corrected by the user; polling resumes"
                } else {
                    "task id entered by the user; polling resumes"
                })
        },
        Resolution::Lost => {
            let error = JobError {
                code: Some(LOST_CODE.into()),
                message: "marked lost by the user: the gateway may still have created \
                          and charged the task (the spend ledger counts it at its \
                          estimate); nothing was re-sent"
                    .into(),
                retryable: false,
            };
            JobChange::phase(JobPhase::Failed)
                .with_error(Some(error))
                .with_note("marked lost by the user")
        }
    }
}

/// Fails an unfinished job as cancelled by the user, saying what may still be charged.
pub(crate) fn cancel_change(view: &JobView) -> JobChange {
    let in_doubt = view.task_id.is_none()
        && matches!(view.phase, JobPhase::Submitting | JobPhase::NeedsAttention);
    let code = if in_doubt {
        CANCELLED_IN_DOUBT_CODE
    } else {
        CANCELLED_CODE
    };
    let error = JobError {
        code: Some(code.into()),
        message: what_cancel_means(view),
        retryable: false,
    };
    JobChange::phase(JobPhase::Failed)
        .with_error(Some(error))
        .with_note(format!(
            "cancelled by the user while {}",
            view.phase.as_str()
        ))
}

/// What cancelling `view` leaves behind at the provider, which cannot be asked to stop.
fn what_cancel_means(view: &JobView) -> String {
    let provider = view.provider;
    match (view.phase, view.task_id.as_deref()) {
        (JobPhase::Queued | JobPhase::NotSent, _) => {
            "cancelled by the user before it was sent: nothing was created or charged".into()
        }
        (JobPhase::Downloading, _) => "cancelled by the user: the task had finished (and may \
             have been charged); shotdeck stops downloading its videos"
            .into(),
        (_, Some(task)) => format!(
            "cancelled by the user: {provider}'s API cannot cancel a task, so task {task} may \
             still run and be charged; shotdeck stops polling it"
        ),
        (_, None) => format!(
            "cancelled by the user: the create may have reached {provider}; if it did, the \
             task may still run and be charged, so the spend ledger counts it at its \
             estimate; shotdeck stops looking for it"
        ),
    }
}
