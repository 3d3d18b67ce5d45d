//! The user's "stop waiting for this job": it fails with code [`CANCELLED_CODE`], whoever was
//! working on it. Neither provider API can cancel a task, so the error says honestly what
//! may still be charged.

use rusqlite::params;

use super::{Store, StoreError};
use crate::CancelError;
use shotdeck_core::jobs::{JobId, JobView};

/// How long the store holds the job while it writes the cancellation.
const CANCEL_LEASE_MS: i64 = 30_000;

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
        let change = crate::rules::cancel_change(&view);
        Ok(self
            .apply(id, owner, &change, now)?
            .ok_or(StoreError::NotFound(id))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JobChange;
    use crate::sqlite::tests::{B, new_job};
    use shotdeck_core::jobs::{CANCELLED_CODE, JobPhase};

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
