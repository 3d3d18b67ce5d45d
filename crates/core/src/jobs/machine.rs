//! Pure job state transitions: which phase may follow which, and what a provider's task
//! state means for the job. No I/O; the store refuses any write these rules reject.

use serde::{Deserialize, Serialize};

use super::JobPhase;

/// A provider's task state, as every adapter reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Submitted,
    Processing,
    Succeeded,
    Failed,
}

impl TaskState {
    pub fn is_terminal(self) -> bool {
        matches!(self, TaskState::Succeeded | TaskState::Failed)
    }
}

/// The phase a job enters when the provider reports `state`.
pub fn phase_for(state: TaskState) -> JobPhase {
    match state {
        TaskState::Submitted => JobPhase::Submitted,
        TaskState::Processing => JobPhase::Processing,
        TaskState::Succeeded => JobPhase::Downloading,
        TaskState::Failed => JobPhase::Failed,
    }
}

/// A write that would move a job backwards or out of a finished state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("job cannot go from {} to {}", from.as_str(), to.as_str())]
pub struct InvalidTransition {
    pub from: JobPhase,
    pub to: JobPhase,
}

/// The phase after a move from `from` towards `to`.
///
/// Staying put is always allowed. A provider that reports `submitted` again after
/// `processing` (list caches lag) keeps the job in `processing` rather than moving it back.
/// `done → downloading` is the one way out of a finished state: a redownload.
pub fn transition(from: JobPhase, to: JobPhase) -> Result<JobPhase, InvalidTransition> {
    use JobPhase::*;
    let ok = match (from, to) {
        (a, b) if a == b => return Ok(a),
        (Processing, Submitted) => return Ok(Processing),
        (Queued, Submitting) => true,
        (Queued | Submitting, Submitted | Processing | Downloading) => true,
        (Submitted, Processing | Downloading) => true,
        (Processing, Downloading) => true,
        (Downloading, Done) => true,
        (Done, Downloading) => true,
        // Only a create in doubt waits for the user; `jobs attach` sets the task id and
        // polling resumes, `jobs lost` fails the job.
        (Submitting, NeedsAttention) => true,
        (NeedsAttention, Submitted | Processing | Downloading) => true,
        // A submit that stopped before sending waits for the user, who may send it: it is
        // queued again under the sender's lease, and its worker sends it.
        (Queued, NotSent) | (NotSent, Queued) => true,
        (from, Failed) => from.is_active(),
        _ => false,
    };
    if ok {
        Ok(to)
    } else {
        Err(InvalidTransition { from, to })
    }
}

/// The phase after the user reopens a finished job to poll its task again: only `failed`
/// reopens, to `submitted`. Not a move [`transition`] allows: a provider's late
/// `submitted` must never revive a failed (say cancelled) job; only the user's word does,
/// and the store checks that the job has a task to poll.
pub fn reopen(from: JobPhase) -> Result<JobPhase, InvalidTransition> {
    match from {
        JobPhase::Failed => Ok(JobPhase::Submitted),
        _ => Err(InvalidTransition {
            from,
            to: JobPhase::Submitted,
        }),
    }
}

/// The phase after the provider refused a create because the account is over its
/// concurrency (Kling's 1303): nothing was created, so the job goes back to the queue and
/// gives its account slot back. Only a `submitting` job moves, and only this way: not a
/// move [`transition`] allows, since after any other answer (a lost one included) a task
/// may exist and the job must never be sent as new.
pub fn requeue_refused_create(from: JobPhase) -> Result<JobPhase, InvalidTransition> {
    match from {
        JobPhase::Submitting => Ok(JobPhase::Queued),
        _ => Err(InvalidTransition {
            from,
            to: JobPhase::Queued,
        }),
    }
}

/// True once the provider holds the task (its id is known and polling applies).
pub fn is_remote(phase: JobPhase) -> bool {
    matches!(phase, JobPhase::Submitted | JobPhase::Processing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobPhase::*;

    const ALL: [JobPhase; 9] = [
        Queued,
        Submitting,
        Submitted,
        Processing,
        Downloading,
        Done,
        Failed,
        NeedsAttention,
        NotSent,
    ];

    #[test]
    fn the_happy_path_is_allowed_in_order() {
        let path = [Queued, Submitting, Submitted, Processing, Downloading, Done];
        for pair in path.windows(2) {
            assert_eq!(transition(pair[0], pair[1]), Ok(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn a_task_that_finishes_before_the_first_poll_skips_phases() {
        assert_eq!(transition(Submitting, Downloading), Ok(Downloading));
        assert_eq!(transition(Submitted, Downloading), Ok(Downloading));
        assert_eq!(transition(Queued, Processing), Ok(Processing));
    }

    #[test]
    fn finished_jobs_stay_finished_except_for_a_redownload() {
        for to in ALL {
            let from_failed = transition(Failed, to);
            assert_eq!(from_failed.is_ok(), to == Failed, "failed → {to:?}");
            let from_done = transition(Done, to);
            assert_eq!(
                from_done.is_ok(),
                to == Done || to == Downloading,
                "done → {to:?}"
            );
        }
    }

    #[test]
    fn only_a_failed_job_reopens_and_only_to_submitted() {
        for from in ALL {
            let reopened = reopen(from);
            match from {
                Failed => assert_eq!(reopened, Ok(Submitted)),
                _ => assert_eq!(
                    reopened,
                    Err(InvalidTransition {
                        from,
                        to: Submitted
                    }),
                    "{from:?}"
                ),
            }
        }
        // The automatic moves still never leave `failed`.
        assert!(transition(Failed, Submitted).is_err());
    }

    #[test]
    fn every_active_phase_can_fail() {
        for from in ALL.into_iter().filter(|p| p.is_active()) {
            assert_eq!(transition(from, Failed), Ok(Failed));
        }
    }

    #[test]
    fn a_lagging_submitted_report_does_not_move_processing_back() {
        assert_eq!(transition(Processing, Submitted), Ok(Processing));
        assert!(transition(Downloading, Processing).is_err());
        assert!(transition(Submitted, Submitting).is_err());
        assert!(transition(Submitting, Queued).is_err());
    }

    #[test]
    fn only_a_create_in_doubt_waits_for_the_user_and_only_the_user_moves_it_on() {
        for from in ALL {
            let ok = transition(from, NeedsAttention).is_ok();
            assert_eq!(ok, matches!(from, Submitting | NeedsAttention), "{from:?}");
        }
        assert_eq!(transition(NeedsAttention, Submitted), Ok(Submitted));
        assert_eq!(transition(NeedsAttention, Failed), Ok(Failed));
        assert!(transition(NeedsAttention, Submitting).is_err());
        assert!(transition(NeedsAttention, Queued).is_err());
        assert!(!is_remote(NeedsAttention));
    }

    #[test]
    fn an_unsent_job_only_goes_back_to_queued_or_fails() {
        for to in ALL {
            let ok = transition(NotSent, to).is_ok();
            assert_eq!(
                ok,
                matches!(to, NotSent | Queued | Failed),
                "not_sent → {to:?}"
            );
            let into = transition(to, NotSent).is_ok();
            assert_eq!(into, matches!(to, NotSent | Queued), "{to:?} → not_sent");
        }
        assert!(NotSent.is_active() && !is_remote(NotSent));
    }

    #[test]
    fn remote_states_map_to_phases() {
        assert_eq!(phase_for(TaskState::Submitted), Submitted);
        assert_eq!(phase_for(TaskState::Processing), Processing);
        assert_eq!(phase_for(TaskState::Succeeded), Downloading);
        assert_eq!(phase_for(TaskState::Failed), Failed);
        assert!(is_remote(Submitted) && is_remote(Processing));
        assert!(!is_remote(Submitting) && !is_remote(Downloading));
    }

    #[test]
    fn only_a_submitting_job_is_requeued_after_a_refused_create() {
        for from in ALL {
            let requeued = requeue_refused_create(from);
            if from == Submitting {
                assert_eq!(requeued, Ok(Queued));
            } else {
                assert_eq!(
                    requeued,
                    Err(InvalidTransition { from, to: Queued }),
                    "{from:?}"
                );
            }
        }
        // The general moves still never go back to the queue.
        assert!(transition(Submitting, Queued).is_err());
    }

    #[test]
    fn the_error_names_both_phases() {
        let e = transition(Failed, Processing).unwrap_err();
        assert_eq!(e.to_string(), "job cannot go from failed to processing");
    }
}
