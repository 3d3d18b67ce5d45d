//! The user's answer to a job in `needs_attention`: the task id from the gateway's
//! dashboard (polling resumes) or "lost" (the job fails; it may have been charged).

use super::{JobChange, Store, StoreError};
use crate::engine::events::{JobError, JobId, JobPhase, JobView};

/// How long the store holds the job while it writes the answer.
const RESOLVE_LEASE_MS: i64 = 30_000;

/// What the user found on the gateway's dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The gateway's task id: the job moves to `submitted` and is polled.
    Attach(String),
    /// No task to be found: the job fails.
    Lost,
}

/// The error code of a job the user marked lost.
pub const LOST_CODE: &str = "lost";

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("job {id} is {}, not waiting for attention: only a job in needs_attention can be attached or marked lost", phase.as_str())]
    NotWaiting { id: JobId, phase: JobPhase },
    #[error("job {0} is being worked on by another shotdeck process")]
    Busy(JobId),
    #[error("the task id is empty")]
    EmptyTaskId,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Writes the user's answer under a short lease of `owner`'s (the state machine checks
    /// the move as for any engine write), then releases the job for an engine to pick up.
    pub fn resolve_attention(
        &mut self,
        id: JobId,
        resolution: &Resolution,
        owner: &str,
        now: i64,
    ) -> Result<JobView, ResolveError> {
        if let Resolution::Attach(task) = resolution
            && task.trim().is_empty()
        {
            return Err(ResolveError::EmptyTaskId);
        }
        if !self.take_lease(id, owner, now + RESOLVE_LEASE_MS, now)? {
            return Err(ResolveError::Busy(id));
        }
        let result = self.write_resolution(id, resolution, owner, now);
        self.release_lease(id, owner)?;
        result
    }

    fn write_resolution(
        &mut self,
        id: JobId,
        resolution: &Resolution,
        owner: &str,
        now: i64,
    ) -> Result<JobView, ResolveError> {
        let view = self.view(id)?.ok_or(StoreError::NotFound(id))?;
        if view.phase != JobPhase::NeedsAttention {
            return Err(ResolveError::NotWaiting {
                id,
                phase: view.phase,
            });
        }
        let change = match resolution {
            Resolution::Attach(task) => JobChange {
                task_id: Some(task.trim().to_string()),
                stalled: Some(false),
                ..JobChange::phase(JobPhase::Submitted)
                    .with_error(None)
                    .with_note("task id entered by the user; polling resumes")
            },
            Resolution::Lost => {
                let error = JobError {
                    code: Some(LOST_CODE.into()),
                    message: "marked lost by the user: the gateway may still have created \
                              and charged the task; nothing was re-sent"
                        .into(),
                    retryable: false,
                };
                JobChange::phase(JobPhase::Failed)
                    .with_error(Some(error))
                    .with_note("marked lost by the user")
            }
        };
        self.apply(id, owner, &change, now)?
            .ok_or(ResolveError::Busy(id))
    }
}
