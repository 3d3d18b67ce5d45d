//! Recording a job: budget, take number and the one-retry rule in one transaction.
//!
//! Lock order (every writer the same, so no deadlock): the account row, then the board
//! row. With the account row locked no other insert on the account can slip in between
//! the sum and the insert, so two machines submitting at once cannot both fit under the
//! last dollar of the day. "Today" starts at midnight in the account's time zone (the
//! team's), computed by the server. The retry rule is the partial unique index
//! `jobs_one_retry`, so it holds whoever races.

use shotdeck_core::budget::{Budget, OverBudget, SpentSoFar};
use shotdeck_core::jobs::JobPhase;

use super::{Lit, PgError, PgStore};

/// What account `$1` has counted since midnight in its time zone (the server's clock).
const SPENT_TODAY: &str = "SELECT coalesce(sum(l.counted_usd), 0) FROM ledger l, accounts a \
     WHERE a.id = $1 AND l.account_id = $1 \
       AND l.created_at >= (date_trunc('day', now() AT TIME ZONE a.tz) AT TIME ZONE a.tz)";

/// A board as every machine names it: the project's root id and the path inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardKey {
    pub project_root: String,
    pub rel_path: String,
}

pub use crate::Submitter;

/// A job as submitted, before it has a row.
#[derive(Debug, Clone)]
pub struct PgNewJob {
    pub board: BoardKey,
    pub board_title: String,
    pub board_json: String,
    pub account: String,
    pub provider: String,
    pub model: Option<String>,
    /// Carries `external_task_id` and any embedded images; never credentials.
    pub request_json: String,
    pub external_task_id: String,
    pub seconds: f64,
    pub slot_weight: i32,
    pub estimated_usd: Option<f64>,
    pub retry_of: Option<i64>,
    pub submitted_by: Submitter,
}

/// The new row's id and its take number on its board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inserted {
    pub id: i64,
    pub take: i32,
}

impl PgStore {
    /// Inserts `job` as `queued` if `budget` (and the account's `day_budget_usd`) allow it;
    /// `Ok(Err(_))` says which limit refused it, and nothing is written.
    pub async fn insert_within_budget(
        &self,
        job: &PgNewJob,
        budget: &Budget,
    ) -> Result<Result<Inserted, OverBudget>, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let account = tx
            .query_opt(
                "SELECT day_budget_usd FROM accounts WHERE id = $1 FOR UPDATE",
                &[&job.account],
            )
            .await?
            .ok_or_else(|| PgError::NoAccount(job.account.clone()))?;
        let account_day: Option<f64> = account.get(0);
        // The board row exists before it is locked (a no-op when it does).
        tx.execute(
            "INSERT INTO boards (project_root, rel_path) VALUES ($1, $2) \
             ON CONFLICT (project_root, rel_path) DO NOTHING",
            &[&job.board.project_root, &job.board.rel_path],
        )
        .await?;
        let board_id: i64 = tx
            .query_one(
                "SELECT id FROM boards WHERE project_root = $1 AND rel_path = $2 FOR UPDATE",
                &[&job.board.project_root, &job.board.rel_path],
            )
            .await?
            .get(0);
        let per_day = match (budget.per_day, account_day) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let budget = Budget { per_day, ..*budget };
        if budget.is_set() {
            let spent = tx
                .query_one(
                    &format!(
                        "SELECT ({SPENT_TODAY}), (SELECT coalesce(sum(l.counted_usd), 0) \
                         FROM ledger l WHERE l.project_root = $2 AND l.rel_path = $3)"
                    ),
                    &[&job.account, &job.board.project_root, &job.board.rel_path],
                )
                .await?;
            let spent = SpentSoFar {
                today_usd: spent.get(0),
                board_usd: spent.get(1),
            };
            if let Err(over) = budget.check(job.estimated_usd, spent) {
                return Ok(Err(over));
            }
        }
        let take: i32 = tx
            .query_one(
                "UPDATE boards SET next_take = next_take + 1 WHERE id = $1 \
                 RETURNING next_take - 1",
                &[&board_id],
            )
            .await?
            .get(0);
        let inserted = tx
            .query_one(
                "INSERT INTO jobs (board_id, take, account_id, provider, model, board_title,
                     board_json, request_json, external_task_id, phase, seconds, slot_weight,
                     estimated_usd, retry_of, submitted_by_user, submitted_by_host)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 RETURNING id",
                &[
                    &board_id,
                    &take,
                    &job.account,
                    &job.provider,
                    &job.model,
                    &job.board_title,
                    &job.board_json,
                    &job.request_json,
                    &job.external_task_id,
                    &JobPhase::Queued.as_str(),
                    &job.seconds,
                    &job.slot_weight,
                    &job.estimated_usd,
                    &job.retry_of,
                    &job.submitted_by.user,
                    &job.submitted_by.host,
                ],
            )
            .await;
        let id: i64 = match inserted {
            Ok(row) => row.get(0),
            Err(e) => {
                let e = PgError::from(e);
                return Err(match (e.constraint(), job.retry_of) {
                    (Some(("23505", "jobs_one_retry")), Some(of)) => PgError::AlreadyRetried { of },
                    _ => e,
                });
            }
        };
        tx.execute(
            &format!(
                "INSERT INTO job_events (job_id, phase, note) VALUES ($1, {}, $2)",
                Lit(JobPhase::Queued)
            ),
            &[
                &id,
                &format!(
                    "submitted by {}@{}",
                    job.submitted_by.user, job.submitted_by.host
                ),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(Inserted { id, take }))
    }

    /// What the account has counted since midnight in its time zone (the ledger's rule).
    pub async fn spent_today(&self, account: &str) -> Result<f64, PgError> {
        let client = self.pool.get().await?;
        let row = client.query_one(SPENT_TODAY, &[&account]).await?;
        Ok(row.get(0))
    }

    /// Asks for a job's files on `host` in `dir` (the machine and folder of whoever wants
    /// them, not the lease holder's): one row per video, filled in as they download.
    pub async fn want_files(
        &self,
        job: i64,
        host: &str,
        dir: &str,
        videos: i32,
    ) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO job_files (job_id, host, dir, idx) \
                 SELECT $1::int8, $2::text, $3::text, i FROM generate_series(0, $4::int4 - 1) i \
                 ON CONFLICT (job_id, host, idx) DO UPDATE SET dir = excluded.dir",
                &[&job, &host, &dir, &videos],
            )
            .await?;
        Ok(())
    }

    /// Download progress of one file on one host: a plain write that never notifies
    /// listeners (only phase changes do).
    pub async fn file_progress(
        &self,
        job: i64,
        host: &str,
        idx: i32,
        bytes_done: i64,
        bytes_total: Option<i64>,
    ) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                "UPDATE job_files SET bytes_done = $4::int8, bytes_total = $5::int8, \
                 complete = coalesce($4::int8 >= $5::int8, false) \
                 WHERE job_id = $1 AND host = $2 AND idx = $3",
                &[&job, &host, &idx, &bytes_done, &bytes_total],
            )
            .await?;
        Ok(n == 1)
    }
}

/// The id of `key`'s board row, created if need be and locked (`FOR UPDATE`: takes, the
/// keeper and the budget of one board take turns). The first submit of a board from inside
/// a project takes over the row this store kept for the same file by its absolute path
/// (`legacy_path`, project `''`), so its takes continue — unless the project's row exists
/// already (another machine came first), where the two histories stay apart.
pub(super) async fn board_row(
    tx: &tokio_postgres::Transaction<'_>,
    key: &shotdeck_core::BoardKey,
    legacy_path: &str,
) -> Result<i64, tokio_postgres::Error> {
    if key.is_shared() {
        tx.execute(
            "UPDATE boards SET project_root = $1, rel_path = $2 \
             WHERE project_root = '' AND rel_path = $3 \
             AND NOT EXISTS (SELECT 1 FROM boards WHERE project_root = $1 AND rel_path = $2)",
            &[&key.project, &key.path, &legacy_path],
        )
        .await?;
    }
    tx.execute(
        "INSERT INTO boards (project_root, rel_path) VALUES ($1, $2) \
         ON CONFLICT (project_root, rel_path) DO NOTHING",
        &[&key.project, &key.path],
    )
    .await?;
    Ok(tx
        .query_one(
            "SELECT id FROM boards WHERE project_root = $1 AND rel_path = $2 FOR UPDATE",
            &[&key.project, &key.path],
        )
        .await?
        .get(0))
}
