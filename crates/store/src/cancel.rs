//! The user's "stop waiting for this job": it fails with code [`CANCELLED_CODE`], whoever was
//! working on it. Neither provider API can cancel a task, so the error says honestly what
//! may still be charged.

use rusqlite::params;

use super::{JobChange, Store, StoreError};
use shotdeck_core::jobs::{
    CANCELLED_CODE, CANCELLED_IN_DOUBT_CODE, JobError, JobId, JobPhase, JobView,
};

/// How long the store holds the job while it writes the cancellation.
const CANCEL_LEASE_MS: i64 = 30_000;

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("job {id} is already {}: there is nothing to cancel", phase.as_str())]
    Finished { id: JobId, phase: JobPhase },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Fails the unfinished job `id` with [`CANCELLED_CODE`]. The lease is taken even from a
    /// live engine (the user's word wins): its worker's next write finds the lease gone and
    /// stops, so nothing more is sent, polled or downloaded for the job. The phase is read
    /// only once the lease is ours, so the message matches what had really happened.
    pub fn cancel(&mut self, id: JobId, owner: &str, now: i64) -> Result<JobView, CancelError> {
        let taken = self
            .conn
            .execute(
                "UPDATE jobs SET lease_owner = ?2, lease_until = ?3 WHERE id = ?1",
                params![id, owner, now + CANCEL_LEASE_MS],
            )
            .map_err(StoreError::from)?;
        if taken == 0 {
            return Err(StoreError::NotFound(id).into());
        }
        let result = self.write_cancel(id, owner, now);
        self.release_lease(id, owner)?;
        result
    }

    fn write_cancel(&mut self, id: JobId, owner: &str, now: i64) -> Result<JobView, CancelError> {
        let view = self.view(id)?.ok_or(StoreError::NotFound(id))?;
        if !view.phase.is_active() {
            return Err(CancelError::Finished {
                id,
                phase: view.phase,
            });
        }
        let in_doubt = view.task_id.is_none()
            && matches!(view.phase, JobPhase::Submitting | JobPhase::NeedsAttention);
        let code = if in_doubt {
            CANCELLED_IN_DOUBT_CODE
        } else {
            CANCELLED_CODE
        };
        let error = JobError {
            code: Some(code.into()),
            message: what_cancel_means(&view),
            retryable: false,
        };
        let change = JobChange::phase(JobPhase::Failed)
            .with_error(Some(error))
            .with_note(format!(
                "cancelled by the user while {}",
                view.phase.as_str()
            ));
        Ok(self
            .apply(id, owner, &change, now)?
            .ok_or(StoreError::NotFound(id))?)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{B, new_job};

    #[test]
    fn a_cancel_takes_the_job_from_its_engine_and_says_what_may_be_charged() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .insert_job(&new_job("shotdeck-c1"), B, i64::MAX, 0)
            .unwrap();
        let accepted = JobChange {
            task_id: Some("t-9".into()),
            ..JobChange::phase(JobPhase::Processing)
        };
        s.apply(id, B, &accepted, 1).unwrap();
        let v = s.cancel(id, "cli-1", 2).unwrap();
        assert_eq!(v.phase, JobPhase::Failed);
        let e = v.error.unwrap();
        assert_eq!(e.code.as_deref(), Some(CANCELLED_CODE));
        assert!(
            e.message.contains("t-9") && e.message.contains("may"),
            "{}",
            e.message
        );
        // The engine that held the job cannot write to it any more.
        let late = JobChange::phase(JobPhase::Downloading);
        assert!(matches!(s.apply(id, B, &late, 3), Ok(None)));
        assert!(matches!(
            s.cancel(id, "cli-1", 4),
            Err(CancelError::Finished { .. })
        ));
    }

    #[test]
    fn an_unsent_job_is_cancelled_without_a_charge() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.insert_job(&new_job("shotdeck-c2"), B, 0, 0).unwrap();
        let v = s.cancel(id, "cli-1", 2).unwrap();
        assert!(v.error.unwrap().message.contains("nothing was created"));
        assert!(matches!(
            s.cancel(99, "cli-1", 2),
            Err(CancelError::Store(StoreError::NotFound(99)))
        ));
    }
}
