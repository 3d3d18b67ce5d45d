//! The retries this editor sent and whether a job may be retried at all: the app asks these
//! before a retry's confirmation opens and the Jobs pane before it offers `r`.

use std::collections::HashMap;

use shotdeck_core::jobs::{JobId, JobPhase, JobView, SubmitTicket};

/// What became of a retry sent from this editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retried {
    /// Sent; the engine has not answered yet. `ticket` names it when it was a submit of the
    /// board (a stored-request retry has none).
    Sent { ticket: Option<SubmitTicket> },
    /// The engine recorded it as this job.
    As(JobId),
}

/// The retries this editor sent, by the job they retry: a second `r` on the same job is
/// answered here instead of sending again.
#[derive(Debug, Default)]
pub struct RetryBook {
    by_job: HashMap<JobId, Retried>,
}

impl RetryBook {
    pub fn sent(&mut self, job: JobId, ticket: Option<SubmitTicket>) {
        self.by_job.insert(job, Retried::Sent { ticket });
    }

    /// Why `job` cannot be retried again from here, if it cannot.
    pub fn already(&self, job: JobId) -> Option<String> {
        Some(match self.by_job.get(&job)? {
            Retried::As(new) => format!("job #{job} was already retried as job #{new}"),
            Retried::Sent { .. } => {
                format!("job #{job}'s retry was already sent; waiting for the engine")
            }
        })
    }

    /// The engine recorded the submit named by `ticket` as job `new`.
    pub fn answered(&mut self, ticket: SubmitTicket, new: JobId) {
        for state in self.by_job.values_mut() {
            if *state
                == (Retried::Sent {
                    ticket: Some(ticket),
                })
            {
                *state = Retried::As(new);
            }
        }
    }

    /// The engine refused a command: a refused retry may be asked for again. A refusal
    /// without a ticket cannot be told apart, so it frees every stored-request retry still
    /// waiting (the engine itself refuses a real second retry).
    pub fn refused(&mut self, ticket: Option<SubmitTicket>) {
        self.by_job
            .retain(|_, state| *state != Retried::Sent { ticket });
    }
}

/// Whether `r` applies: a failed job, one never sent (`not_sent`: `r` offers to send it),
/// or an active one the engine stopped on after the provider accepted it.
pub fn can_retry(j: &JobView) -> bool {
    let stopped = j.phase.is_active()
        && j.phase != JobPhase::Downloading
        && j.task_id.is_some()
        && j.error.as_ref().is_some_and(|e| !e.retryable);
    matches!(j.phase, JobPhase::Failed | JobPhase::NotSent) || stopped
}
