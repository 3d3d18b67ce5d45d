//! What the store's transactions take and answer besides jobs: files, ledger rows, and the
//! ways the user's word (attach, lost, cancel, keeper) can be refused.

use std::path::PathBuf;

use crate::StoreError;
use shotdeck_core::jobs::{JobId, JobPhase};
use shotdeck_core::provider::Provider;

/// One video to fetch: where from and where to.
#[derive(Debug, Clone, PartialEq)]
pub struct FileTarget {
    pub url: String,
    pub path: PathBuf,
}

/// A file's download state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FileProgress {
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    pub complete: bool,
}

/// One job as the ledger shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LedgerEntry {
    pub id: JobId,
    /// Unix milliseconds.
    pub created_at: i64,
    pub board_path: PathBuf,
    pub provider: Provider,
    pub model: Option<String>,
    pub phase: JobPhase,
    pub seconds: f64,
    pub estimated_usd: Option<f64>,
    pub units_charged: Option<String>,
    /// The charged units in USD, when the model's unit price is configured (an estimate).
    pub charged_usd: Option<f64>,
    /// What the job adds to the totals: charged if known, else the estimate; 0 for a job
    /// on which nothing can have been spent.
    pub counted_usd: f64,
    /// Failed without a task id but counted: its create may have reached the provider.
    pub in_doubt: bool,
    /// Who submitted it (the user name); `None` where the store does not record it (one
    /// machine's SQLite store: its jobs are the local user's).
    pub user: Option<String>,
    /// The board's project as the store knows it; `None` when it knows none.
    pub project: Option<String>,
    /// The account it went to; `None` on a store without accounts (the configured one).
    pub account: Option<String>,
    /// The day it was created, `YYYY-MM-DD` in the store's zone (the team's time zone on a
    /// shared store, local time on one machine), as "today" is counted.
    pub day: String,
}

/// What the user found on the gateway's dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The gateway's task id: the job moves to `submitted` and is polled.
    Attach(String),
    /// No task to be found: the job fails.
    Lost,
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("job {id} is {}, not waiting for attention: only a job in needs_attention can be attached or marked lost", phase.as_str())]
    NotWaiting { id: JobId, phase: JobPhase },
    #[error("job {0} is being worked on by another shotdeck process")]
    Busy(JobId),
    #[error("job {id} is {}: a task id can be attached again only to a job whose id was entered by the user and that has not begun downloading", phase.as_str())]
    NotReattachable { id: JobId, phase: JobPhase },
    #[error("{0}; nothing was changed")]
    BadTaskId(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("job {id} is already {}: there is nothing to cancel", phase.as_str())]
    Finished { id: JobId, phase: JobPhase },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum KeeperError {
    /// Only a finished video can be kept: a failed or unfinished take has nothing to keep.
    #[error("job {id} is {}: only a done take (one with its video) can be the keeper", phase.as_str())]
    NotDone { id: JobId, phase: JobPhase },
    #[error(transparent)]
    Store(#[from] StoreError),
}
