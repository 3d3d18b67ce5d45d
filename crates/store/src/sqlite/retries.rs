//! What a retry needs from the store: which jobs already retried a job (so one failure is
//! never paid for twice by accident), and reopening a failed job to poll its task again.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};
use crate::phase::{self, parse_phase};
use shotdeck_core::jobs::machine::reopen;
use shotdeck_core::jobs::{JobId, JobPhase, JobView};

impl Store {
    /// The jobs recorded as retries of `id`, oldest first, with their phases.
    pub fn retries_of(&self, id: JobId) -> Result<Vec<(JobId, JobPhase)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, phase FROM jobs WHERE retry_of = ?1 ORDER BY id")?;
        let rows = stmt
            .query_map(params![id], |r| {
                Ok((r.get::<_, JobId>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(child, phase)| Ok((child, parse_phase(child, &phase)?)))
            .collect()
    }

    /// Moves a failed job that the provider accepted (it has a task id) back to
    /// `submitted`, so its worker polls the task again: the one way out of `failed`
    /// (`machine::reopen`), and only on the user's word. `owner` must hold the lease.
    /// `Ok(None)`: not such a job, or not `owner`'s.
    pub(crate) fn reopen_to_poll(
        &mut self,
        id: JobId,
        owner: &str,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, Option<String>, bool)> = tx
            .query_row(
                "SELECT phase, lease_owner, task_id IS NOT NULL FROM jobs WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((word, holder, has_task)) = row else {
            return Ok(None);
        };
        let from = parse_phase(id, &word)?;
        if holder.as_deref() != Some(owner) || !has_task || from != JobPhase::Failed {
            return Ok(None);
        }
        let to = reopen(from)?;
        tx.execute(
            "UPDATE jobs SET phase = ?2, updated_at = ?3, finished_at = NULL, \
             error_code = NULL, error_message = NULL, error_retryable = NULL, stalled = 0 \
             WHERE id = ?1",
            params![id, phase::text(to), now],
        )?;
        tx.execute(
            "INSERT INTO job_events (job_id, at, phase, note) VALUES (?1, ?2, ?3, ?4)",
            params![
                id,
                now,
                phase::text(to),
                "reopened by the user: polling the task again"
            ],
        )?;
        tx.commit()?;
        self.view(id)
    }
}
