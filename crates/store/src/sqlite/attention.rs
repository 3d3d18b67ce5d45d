//! The user's answer to a job in `needs_attention`: the task id from the gateway's
//! dashboard (polling resumes) or "lost" (the job fails; it may have been charged). A task
//! id the user attached may be attached again (a typo) until a download began.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};
use crate::phase::{self, parse_phase};
use crate::{Resolution, ResolveError};
use shotdeck_core::jobs::machine::transition;
use shotdeck_core::jobs::{JobId, JobPhase, JobView};
use shotdeck_core::task_id::check_task_id;

/// How long the store holds the job while it writes the answer.
const RESOLVE_LEASE_MS: i64 = 30_000;

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
        if let Resolution::Attach(task) = resolution {
            check_task_id(task.trim()).map_err(ResolveError::BadTaskId)?;
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
        let reattach = matches!(resolution, Resolution::Attach(_))
            && matches!(view.phase, JobPhase::Submitted | JobPhase::Processing);
        if reattach && !self.waited_for_attention(id)? {
            return Err(ResolveError::NotReattachable {
                id,
                phase: view.phase,
            });
        }
        if view.phase != JobPhase::NeedsAttention && !reattach {
            return Err(ResolveError::NotWaiting {
                id,
                phase: view.phase,
            });
        }
        let change = crate::rules::resolution_change(resolution, reattach);
        self.apply(id, owner, &change, now)?
            .ok_or(ResolveError::Busy(id))
    }

    /// A create's answer that came back after this engine lost the job's lease (its
    /// process was suspended past it, say): the task exists and may be charged, so its id
    /// is recorded whoever holds the job now, as long as the job has none. A job still
    /// waiting on that answer (`submitting`, `needs_attention`) moves to `submitted` for
    /// its holder to poll; a finished one (marked lost, cancelled) keeps its phase and
    /// gains the task id. `None` when the job already had a task id (or is gone).
    pub fn record_late_task(
        &mut self,
        id: JobId,
        task_id: &str,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT phase, task_id FROM jobs WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((word, None)) = row else {
            return Ok(None);
        };
        let from = parse_phase(id, &word)?;
        let to = match from {
            JobPhase::Submitting | JobPhase::NeedsAttention => {
                transition(from, JobPhase::Submitted)?
            }
            _ => from,
        };
        // The error said the create was in doubt; the answer settles it.
        let settles_error = from == JobPhase::NeedsAttention;
        tx.execute(
            "UPDATE jobs SET task_id = ?2, updated_at = ?3, stalled = 0, phase = ?4, \
             error_code = CASE WHEN ?5 THEN NULL ELSE error_code END, \
             error_message = CASE WHEN ?5 THEN NULL ELSE error_message END \
             WHERE id = ?1",
            params![id, task_id, now, phase::text(to), settles_error],
        )?;
        tx.execute(
            "INSERT INTO job_events (job_id, at, phase, note) VALUES (?1, ?2, ?3, ?4)",
            params![
                id,
                now,
                phase::text(to),
                format!(
                    "task {task_id} recorded from a create answered after the job's lease was lost"
                )
            ],
        )?;
        tx.commit()?;
        self.view(id)
    }

    /// Whether job `id` ever waited in `needs_attention`: its task id then came from the
    /// user, not the provider, and may be corrected.
    fn waited_for_attention(&self, id: JobId) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM job_events WHERE job_id = ?1 AND phase = ?2)",
            params![id, phase::text(JobPhase::NeedsAttention)],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JobChange;
    use crate::sqlite::tests::{B, new_job};

    fn waiting(s: &mut Store, ext: &str) -> JobId {
        let id = s.insert_job(&new_job(ext), B, i64::MAX, 0).unwrap();
        for phase in [JobPhase::Submitting, JobPhase::NeedsAttention] {
            s.apply(id, B, &JobChange::phase(phase), 1).unwrap();
        }
        s.release_lease(id, B).unwrap();
        id
    }

    #[test]
    fn a_mistyped_task_id_can_be_corrected_until_a_download_begins() {
        let mut s = Store::open_in_memory().unwrap();
        let id = waiting(&mut s, "shotdeck-a1");
        for bad in ["..", ".", "task 9", ""] {
            let refused = s.resolve_attention(id, &Resolution::Attach(bad.into()), "cli", 2);
            assert!(
                matches!(refused, Err(ResolveError::BadTaskId(_))),
                "{bad:?}: {refused:?}"
            );
        }
        let typo = Resolution::Attach("task_O9".into());
        s.resolve_attention(id, &typo, "cli", 3).unwrap();
        let fixed = Resolution::Attach("task_09".into());
        let v = s.resolve_attention(id, &fixed, "cli", 4).unwrap();
        assert_eq!(v.task_id.as_deref(), Some("task_09"));
        assert_eq!(v.phase, JobPhase::Submitted);
        s.take_lease(id, B, i64::MAX, 5).unwrap();
        s.apply(id, B, &JobChange::phase(JobPhase::Downloading), 5)
            .unwrap();
        s.release_lease(id, B).unwrap();
        let late = s.resolve_attention(id, &fixed, "cli", 6);
        assert!(
            matches!(late, Err(ResolveError::NotWaiting { .. })),
            "{late:?}"
        );
    }

    #[test]
    fn a_late_create_answer_is_recorded_once_whoever_holds_the_job() {
        let mut s = Store::open_in_memory().unwrap();
        let id = waiting(&mut s, "shotdeck-a3");
        let v = s.record_late_task(id, "t-late", 5).unwrap().unwrap();
        assert_eq!(v.task_id.as_deref(), Some("t-late"));
        assert_eq!(v.phase, JobPhase::Submitted);
        assert!(v.error.is_none());
        assert!(s.record_late_task(id, "t-other", 6).unwrap().is_none());
        let cancelled = waiting(&mut s, "shotdeck-a4");
        s.cancel(cancelled, "cli", 7).unwrap();
        let v = s.record_late_task(cancelled, "t-4", 8).unwrap().unwrap();
        assert_eq!(
            (v.phase, v.task_id.as_deref()),
            (JobPhase::Failed, Some("t-4"))
        );
    }

    #[test]
    fn a_task_id_the_provider_gave_is_not_replaced() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s
            .insert_job(&new_job("shotdeck-a2"), B, i64::MAX, 0)
            .unwrap();
        let accepted = JobChange {
            task_id: Some("t-1".into()),
            ..JobChange::phase(JobPhase::Submitted)
        };
        s.apply(id, B, &accepted, 1).unwrap();
        s.release_lease(id, B).unwrap();
        let refused = s.resolve_attention(id, &Resolution::Attach("t-2".into()), "cli", 2);
        assert!(
            matches!(refused, Err(ResolveError::NotReattachable { .. })),
            "{refused:?}"
        );
    }
}
