//! The trait's writes on PostgreSQL: recording a job within the budget, and a worker's
//! lease-fenced changes. Each is one transaction that locks the job's row first, so a
//! stale owner's write and the new owner's never interleave.

use tokio_postgres::Transaction;

use super::{FINISHED, PgStore};

use super::view::view;
use crate::{JobChange, StoreError};
use shotdeck_core::jobs::machine::{reopen, transition};
use shotdeck_core::jobs::{JobId, JobPhase, JobView};

/// Locks job `id`'s row: `Some(owner)` is the lease holder; `Err(NotFound)` without a job.
pub(super) async fn lock_job(
    tx: &Transaction<'_>,
    id: JobId,
) -> Result<(JobPhase, Option<String>), StoreError> {
    let row = tx
        .query_opt(
            "SELECT phase, lease_owner FROM jobs WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .ok_or(StoreError::NotFound(id))?;
    Ok((super::parse_phase(id, row.get(0))?, row.get(1)))
}

/// A history row for job `id`.
pub(super) async fn event(
    tx: &Transaction<'_>,
    id: JobId,
    phase: JobPhase,
    note: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO job_events (job_id, phase, note, at_ms) VALUES ($1, $2, $3, $4)",
        &[&id, &phase.as_str(), &note, &now],
    )
    .await?;
    Ok(())
}

impl PgStore {
    /// Applies `change` inside `tx` if `owner` holds the lease (`None` otherwise), the phase
    /// through the state machine, with a history row when the phase moves or a note is given.
    pub(super) async fn apply_in(
        &self,
        tx: &Transaction<'_>,
        id: JobId,
        owner: &str,
        change: &JobChange,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let (from, holder) = lock_job(tx, id).await?;
        if holder.as_deref() != Some(owner) {
            return Ok(None);
        }
        let to = match change.phase {
            Some(p) => transition(from, p)?,
            None => from,
        };
        // Finished now: stamped; active again: cleared; unchanged: kept.
        let finished = match (from == to, to.is_active()) {
            (false, false) => Some(now),
            _ => None,
        };
        let keep_finished = from == to;
        let error = change.error.as_ref();
        let err = error.and_then(|e| e.as_ref());
        tx.execute(
            &format!(
                "UPDATE jobs SET phase = $2, updated_ms = $3,
                 finished_ms = CASE WHEN $4 THEN finished_ms ELSE $5 END,
                 task_id = coalesce($6, task_id),
                 status_msg = CASE WHEN $7 THEN $8 ELSE status_msg END,
                 error_code = CASE WHEN $9 THEN $10 ELSE error_code END,
                 error_message = CASE WHEN $9 THEN $11 ELSE error_message END,
                 error_retryable = CASE WHEN $9 THEN $12 ELSE error_retryable END,
                 units_charged = coalesce($13, units_charged),
                 stalled = coalesce($14, stalled),
                 finished_at = CASE WHEN $2 IN {FINISHED} THEN now() ELSE NULL END
             WHERE id = $1"
            ),
            &[
                &id,
                &to.as_str(),
                &now,
                &keep_finished,
                &finished,
                &change.task_id,
                &change.status_msg.is_some(),
                &change.status_msg.clone().flatten(),
                &error.is_some(),
                &err.and_then(|e| e.code.clone()),
                &err.map(|e| e.message.clone()),
                &err.map(|e| e.retryable),
                &change.units_charged,
                &change.stalled,
            ],
        )
        .await?;
        if from != to || change.note.is_some() {
            event(tx, id, to, change.note.as_deref(), now).await?;
        }
        view(tx, &self.submitter.host, id).await
    }

    /// A create's answer after the lease was lost (see the trait).
    pub(super) async fn late_task(
        &self,
        id: JobId,
        task_id: &str,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT phase, task_id FROM jobs WHERE id = $1 FOR UPDATE",
                &[&id],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        if row.get::<_, Option<String>>(1).is_some() {
            return Ok(None);
        }
        let from = super::parse_phase(id, row.get(0))?;
        let to = match from {
            JobPhase::Submitting | JobPhase::NeedsAttention => {
                transition(from, JobPhase::Submitted)?
            }
            _ => from,
        };
        // The error said the create was in doubt; the answer settles it.
        let settles = from == JobPhase::NeedsAttention;
        tx.execute(
            "UPDATE jobs SET task_id = $2, updated_ms = $3, stalled = false, phase = $4, \
             error_code = CASE WHEN $5 THEN NULL ELSE error_code END, \
             error_message = CASE WHEN $5 THEN NULL ELSE error_message END WHERE id = $1",
            &[&id, &task_id, &now, &to.as_str(), &settles],
        )
        .await?;
        let note = format!(
            "task {task_id} recorded from a create answered after the job's lease was lost"
        );
        event(&tx, id, to, Some(&note), now).await?;
        let view = view(&*tx, &self.submitter.host, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A failed job the provider accepted, back to `submitted` on the user's word
    /// (`machine::reopen`), inside the caller's transaction under `owner`'s lease.
    pub(super) async fn reopen_in(
        &self,
        tx: &Transaction<'_>,
        id: JobId,
        owner: &str,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let row = tx
            .query_one(
                "SELECT phase, lease_owner, task_id IS NOT NULL FROM jobs WHERE id = $1",
                &[&id],
            )
            .await?;
        let from = super::parse_phase(id, row.get(0))?;
        if row.get::<_, Option<String>>(1).as_deref() != Some(owner)
            || !row.get::<_, bool>(2)
            || from != JobPhase::Failed
        {
            return Ok(None);
        }
        let to = reopen(from)?;
        tx.execute(
            "UPDATE jobs SET phase = $2, updated_ms = $3, finished_ms = NULL, finished_at = NULL, \
             error_code = NULL, error_message = NULL, error_retryable = NULL, stalled = false \
             WHERE id = $1",
            &[&id, &to.as_str(), &now],
        )
        .await?;
        let note = "reopened by the user: polling the task again";
        event(tx, id, to, Some(note), now).await?;
        view(tx, &self.submitter.host, id).await
    }
}
