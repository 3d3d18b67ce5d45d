//! Recording a submit's jobs on PostgreSQL: the budget sums, the take numbers and the
//! one-retry rule in one transaction, for one job or N takes of a board (all or none).

use tokio_postgres::Transaction;

use super::insert::board_row;
use super::t_leases::DB_NOW_MS;
use super::view::must_view;
use super::{Lit, PgStore};
use crate::{NewJob, StoreError};
use shotdeck_core::budget::{Budget, OverBudget, UnitPrices};
use shotdeck_core::compose::effective_model;
use shotdeck_core::jobs::{JobId, JobPhase, JobView};

const QUEUED: Lit = Lit(JobPhase::Queued);

/// Why one row could not be written: the one-retry index (answered once the transaction
/// is gone), or anything else.
enum RowError {
    OneRetry(JobId),
    Store(StoreError),
}

impl<E: Into<StoreError>> From<E> for RowError {
    fn from(e: E) -> Self {
        RowError::Store(e.into())
    }
}

impl PgStore {
    /// Records the takes in `jobs` (see [`crate::JobStore::insert_takes_within_budget`]).
    pub(super) async fn insert_jobs(
        &self,
        jobs: Vec<NewJob>,
        budget: Budget,
        prices: UnitPrices,
        owner: String,
        lease: std::time::Duration,
        now: i64,
    ) -> Result<Result<Vec<JobView>, OverBudget>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Lock order, as every insert and the gate: the account row, then the board row.
        let day_budget: Option<f64> = tx
            .query_one(
                "SELECT day_budget_usd FROM accounts WHERE id = $1 FOR UPDATE",
                &[&self.account],
            )
            .await?
            .get(0);
        for of in jobs.iter().filter_map(|j| j.retry_of) {
            if let Some(child) = self.retry_child(&tx, of).await? {
                return Err(StoreError::AlreadyRetried { of, child });
            }
        }
        let Some(first) = jobs.first() else {
            return Ok(Ok(Vec::new()));
        };
        let board_path = first.board_path.to_string_lossy().into_owned();
        let board_id = board_row(&tx, &first.key(), &board_path).await?;
        let per_day = match (budget.per_day, day_budget) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let budget = Budget { per_day, ..budget };
        if budget.is_set() {
            let spent = self
                .spent_before(&*tx, &board_path, now, &prices, None)
                .await?;
            let estimates: Vec<Option<f64>> = jobs.iter().map(|j| j.estimated_usd).collect();
            if let Err(over) = budget.check_all(&estimates, spent) {
                return Ok(Err(over));
            }
        }
        let mut views = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let id = match self
                .insert_row(&tx, board_id, job, &owner, lease, now)
                .await
            {
                Ok(id) => id,
                // Two machines retrying one job at once: the partial unique index decides.
                Err(RowError::OneRetry(of)) => {
                    drop(tx);
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
                Err(RowError::Store(e)) => return Err(e),
            };
            views.push(must_view(&*tx, &self.submitter.host, id).await?);
        }
        tx.commit().await?;
        Ok(Ok(views))
    }

    /// One job's row, numbered as its board's next take, and its first history entry.
    async fn insert_row(
        &self,
        tx: &Transaction<'_>,
        board_id: i64,
        job: &NewJob,
        owner: &str,
        lease: std::time::Duration,
        now: i64,
    ) -> Result<JobId, RowError> {
        let board_path = job.board_path.to_string_lossy().into_owned();
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
            Err(e) if is_one_retry_violation(&e) => {
                return Err(RowError::OneRetry(job.retry_of.unwrap_or_default()));
            }
            Err(e) => return Err(e.into()),
        };
        let note = job.retry_of.map(|of| format!("retry of job {of}"));
        super::t_writes::event(tx, id, JobPhase::Queued, note.as_deref(), now).await?;
        Ok(id)
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
