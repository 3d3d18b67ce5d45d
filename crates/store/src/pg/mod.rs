//! The job store on PostgreSQL: one queue, one account limit, one budget and one history
//! shared by every machine of a team (issue 21). SQLite stays the embedded default.
//!
//! Correctness across machines comes from the database, never from a machine's clock:
//! leases are timed by `now()` on the server against an engine heartbeat row, every worker
//! write is fenced by the lease's epoch (`lease.rs`), the account's concurrency gate
//! serializes on the account row (`gate.rs`), budgets, take numbers and the one-retry rule
//! are checked in the insert's transaction or by constraints (`insert.rs`), and terminals
//! follow phase changes by `LISTEN/NOTIFY` (`listen.rs`).
//!
//! Each store lives in one schema (`shotdeck` by default): tests give each its own, and the
//! NOTIFY channel is named after it, so stores on one server never hear each other.

mod connect;
mod feed;
mod gate;
mod insert;
mod lease;
mod listen;
mod migrations;
mod store_impl;
mod t_account;
mod t_files;
mod t_gate;
mod t_insert;
mod t_leases;
mod t_money;
mod t_reads;
mod t_user;
mod t_writes;
mod view;

use deadpool_postgres::Pool;
use shotdeck_core::jobs::JobPhase;

pub(crate) use crate::phase::Lit;
use crate::phase::PhaseSet;

pub use crate::OverLimit;
pub use connect::{DEFAULT_ACCOUNT, DEFAULT_SCHEMA, PgOptions};
pub use gate::SlotOutcome;
pub use insert::{BoardKey, Inserted, PgNewJob, Submitter};
pub use lease::{Claimed, Lease};
pub use listen::{JobChanged, Listener, SlotNote};
pub use migrations::latest as schema_version;

/// The phases in which a job holds one of its account's slots: Kling counts a task from
/// its create until it ends; `submitting` is counted from before the create is sent.
pub(crate) const IN_FLIGHT: PhaseSet = PhaseSet(&[
    JobPhase::Submitting,
    JobPhase::Submitted,
    JobPhase::Processing,
]);

/// The finished phases: nothing more happens to such a job by itself.
pub(crate) const FINISHED: PhaseSet = PhaseSet(crate::phase::FINISHED);

/// The phases an engine works on (claims, adopts).
pub(crate) const WORKABLE: PhaseSet = PhaseSet(&[
    JobPhase::Queued,
    JobPhase::Submitting,
    JobPhase::Submitted,
    JobPhase::Processing,
    JobPhase::Downloading,
]);

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// tokio-postgres errors never carry the connection string or its password.
    #[error("job store (PostgreSQL): {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("job store (PostgreSQL): {0}")]
    Pool(String),
    /// `url` is redacted.
    #[error("job store {url}: {reason}")]
    Config { url: String, reason: String },
    #[error(
        "job store schema version {found} is newer than this shotdeck knows ({known}); upgrade shotdeck"
    )]
    NewerSchema { found: u32, known: u32 },
    /// The partial unique index on `retry_of`: a job is retried once, whoever races.
    #[error("job {of} was already retried")]
    AlreadyRetried { of: i64 },
    #[error(transparent)]
    Transition(#[from] shotdeck_core::jobs::machine::InvalidTransition),
    #[error("no account {0:?} in the job store")]
    NoAccount(String),
    #[error("job store: job {id} has an unreadable {field}: {value:?}")]
    Corrupt {
        id: i64,
        field: &'static str,
        value: String,
    },
}

impl From<deadpool_postgres::PoolError> for PgError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => PgError::Db(e),
            other => PgError::Pool(other.to_string()),
        }
    }
}

impl PgError {
    /// The SQLSTATE and constraint of a database error, if it is one.
    fn constraint(&self) -> Option<(&str, &str)> {
        let PgError::Db(e) = self else { return None };
        let db = e.as_db_error()?;
        Some((db.code().code(), db.constraint()?))
    }
}

/// A connection pool on one schema of one PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    schema: String,
    /// The account and submitter the trait's inserts record (see `PgOptions`).
    account: String,
    submitter: Submitter,
    target: std::sync::Arc<connect::Target>,
    /// The change feed, started by the first `watch` and shared by every clone.
    feed: std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<feed::PgFeed>>>,
    /// Names this store's writes in their notifications, so its own feed skips them.
    writer: std::sync::Arc<str>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.target.url)
            .field("schema", &self.schema)
            .finish()
    }
}

impl PgStore {
    /// Who records jobs through this store.
    pub fn submitter(&self) -> &Submitter {
        &self.submitter
    }

    /// The account this store's jobs go to.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The schema this store's tables live in.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The channel `NOTIFY` uses for this schema's job phase changes (see `listen.rs`).
    pub fn channel(&self) -> String {
        format!("{}.jobs", self.schema)
    }

    /// Registers (or refreshes) an account: its concurrency, daily budget and time zone.
    pub async fn upsert_account(
        &self,
        id: &str,
        max_in_flight: i32,
        day_budget_usd: Option<f64>,
        tz: &str,
    ) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO accounts (id, max_in_flight, day_budget_usd, tz) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE \
                 SET max_in_flight = $2, day_budget_usd = $3, tz = $4",
                &[&id, &max_in_flight, &day_budget_usd, &tz],
            )
            .await?;
        Ok(())
    }

    /// A job's phase as the database has it now.
    pub async fn phase(&self, job: i64) -> Result<Option<JobPhase>, PgError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt("SELECT phase FROM jobs WHERE id = $1", &[&job])
            .await?;
        row.map(|r| parse_phase(job, r.get(0))).transpose()
    }

    /// The job's phase history, oldest first: `(phase, note)`.
    pub async fn history(&self, job: i64) -> Result<Vec<(String, Option<String>)>, PgError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT phase, note FROM job_events WHERE job_id = $1 ORDER BY id",
                &[&job],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

fn parse_phase(id: i64, s: &str) -> Result<JobPhase, PgError> {
    crate::phase::parse_phase(id, s).map_err(|_| PgError::Corrupt {
        id,
        field: "phase",
        value: s.to_string(),
    })
}

/// The store's `search_path` options quote the schema; it must be a plain identifier.
fn valid_schema(schema: &str) -> bool {
    let mut chars = schema.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && schema.len() <= 48
}
