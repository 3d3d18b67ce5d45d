//! What a retry needs from the store: which jobs already retried a job (so one failure is
//! never paid for twice by accident), and reopening a failed job to poll its task again.

use rusqlite::params;

use super::{Store, StoreError, parse_phase};
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
    /// `submitted`, so its worker polls the task again; the only way out of `failed`, and
    /// only on the user's word. `owner` must hold the lease. `Ok(None)`: not such a job.
    pub fn reopen_to_poll(
        &mut self,
        id: JobId,
        owner: &str,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE jobs SET phase = 'submitted', updated_at = ?3, finished_at = NULL, \
             error_code = NULL, error_message = NULL, error_retryable = NULL, stalled = 0 \
             WHERE id = ?1 AND lease_owner = ?2 AND phase = 'failed' AND task_id IS NOT NULL",
            params![id, owner, now],
        )?;
        if n == 0 {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO job_events (job_id, at, phase, note) VALUES (?1, ?2, ?3, ?4)",
            params![
                id,
                now,
                JobPhase::Submitted.as_str(),
                "reopened by the user: polling the task again"
            ],
        )?;
        tx.commit()?;
        Ok(self.view(id)?.filter(|v| v.phase == JobPhase::Submitted))
    }
}
