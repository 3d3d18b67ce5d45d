//! The trait's writes on PostgreSQL: recording a job within the budget, and a worker's
//! lease-fenced changes. Each is one transaction that locks the job's row first, so a
//! stale owner's write and the new owner's never interleave.

use tokio_postgres::Transaction;

use super::{FINISHED, Lit, PgStore};

const QUEUED: Lit = Lit(JobPhase::Queued);
use super::insert::board_row;
use super::t_leases::DB_NOW_MS;
use super::view::{must_view, view};
use crate::{JobChange, NewJob, StoreError};
use shotdeck_core::budget::{Budget, OverBudget, UnitPrices};
use shotdeck_core::compose::effective_model;
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

    /// Records `job` (see [`crate::JobStore::insert_within_budget`]).
    pub(super) async fn insert_job(
        &self,
        job: NewJob,
        budget: Budget,
        prices: UnitPrices,
        owner: String,
        lease: std::time::Duration,
        now: i64,
    ) -> Result<Result<JobView, OverBudget>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let board_path = job.board_path.to_string_lossy().into_owned();
        // Lock order, as every insert and the gate: the account row, then the board row.
        let day_budget: Option<f64> = tx
            .query_one(
                "SELECT day_budget_usd FROM accounts WHERE id = $1 FOR UPDATE",
                &[&self.account],
            )
            .await?
            .get(0);
        if let Some(of) = job.retry_of
            && let Some(child) = self.retry_child(&tx, of).await?
        {
            return Err(StoreError::AlreadyRetried { of, child });
        }
        let key = job.key();
        let board_id = board_row(&tx, &key, &board_path).await?;
        let per_day = match (budget.per_day, day_budget) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let budget = Budget { per_day, ..budget };
        if budget.is_set() {
            let spent = self
                .spent_before(&*tx, &board_path, now, &prices, None)
                .await?;
            if let Err(over) = budget.check(job.estimated_usd, spent) {
                return Ok(Err(over));
            }
        }
        let take: i32 = tx
            .query_one(
                "UPDATE boards SET next_take = next_take + 1 WHERE id = $1 RETURNING next_take - 1",
                &[&board_id],
            )
            .await?
            .get(0);
        let board_json = serde_json::to_string(&job.board).map_err(|e| corrupt("board", e))?;
        let request_json =
            serde_json::to_string(&job.request).map_err(|e| corrupt("request", e))?;
        let inserted = tx
            .query_one(
                &format!(
                    "INSERT INTO jobs (board_id, take, account_id, provider, model, board_title,
                     board_json, request_json, external_task_id, phase, seconds,
                     estimated_usd, retry_of, submitted_by_user, submitted_by_host,
                     board_path, create_path, lease_owner, lease_epoch, lease_until_ms,
                     created_ms, updated_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {QUEUED}, $10, $11, $12, $13,
                     $14, $15, $16, $17, 1, {DB_NOW_MS} + $18, $19, $19)
                 RETURNING id"
                ),
                &[
                    &board_id,
                    &take,
                    &self.account,
                    &job.provider.as_str(),
                    &effective_model(&job.board, job.provider),
                    &job.board.title,
                    &board_json,
                    &request_json,
                    &job.external_task_id,
                    &job.board.total_duration(),
                    &job.estimated_usd,
                    &job.retry_of,
                    &self.submitter.user,
                    &self.submitter.host,
                    &board_path,
                    &job.request.path,
                    &owner,
                    &super::t_leases::millis(lease),
                    &now,
                ],
            )
            .await;
        let id: JobId = match inserted {
            Ok(row) => row.get(0),
            // Two machines retrying one job at once: the partial unique index decides.
            Err(e) if is_one_retry_violation(&e) => {
                drop(tx);
                let of = job.retry_of.unwrap_or_default();
                let child = client
                    .query_opt(
                        "SELECT id FROM jobs WHERE retry_of = $1 ORDER BY id LIMIT 1",
                        &[&of],
                    )
                    .await?
                    .map(|r| r.get(0))
                    .unwrap_or_default();
                return Err(StoreError::AlreadyRetried { of, child });
            }
            Err(e) => return Err(e.into()),
        };
        let note = job.retry_of.map(|of| format!("retry of job {of}"));
        event(&tx, id, JobPhase::Queued, note.as_deref(), now).await?;
        let view = must_view(&*tx, &self.submitter.host, id).await?;
        tx.commit().await?;
        Ok(Ok(view))
    }

    async fn retry_child(
        &self,
        tx: &Transaction<'_>,
        of: JobId,
    ) -> Result<Option<JobId>, StoreError> {
        Ok(tx
            .query_opt(
                "SELECT id FROM jobs WHERE retry_of = $1 ORDER BY id LIMIT 1",
                &[&of],
            )
            .await?
            .map(|r| r.get(0)))
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

fn is_one_retry_violation(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|db| db.code().code() == "23505" && db.constraint() == Some("jobs_one_retry"))
}

fn corrupt(field: &'static str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        id: 0,
        field,
        reason: e.to_string(),
    }
}
