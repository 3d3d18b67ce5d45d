//! The job store: every job, its history, files and leases, behind [`JobStore`].
//!
//! The trait is cut at the business transaction, not at the row: each method is one thing
//! the engine or the CLI does (record a submit within the budget, adopt a job, apply a phase
//! change under a lease, cancel, mark a keeper, read a page), so a backend can make each one
//! atomic. The engine holds an `Arc<dyn JobStore>` and depends on this crate without its
//! backends (`default-features = false`).
//!
//! With the `sqlite` feature (on by default) [`SqliteStore`] implements it: one SQLite file
//! shared by every shotdeck process of the user, served to async code from one thread. Job
//! phases change only through `shotdeck_core::jobs::machine`.

mod account;
mod feed;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod filter_text;
mod hash;
mod job_store;
mod outcomes;
#[cfg(feature = "postgres")]
pub mod pg;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod phase;
mod reads;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod rules;
mod slot;
#[cfg(feature = "sqlite")]
mod sqlite;
mod submitter;

/// What every backend must do, as test bodies (see the module docs).
#[cfg(any(test, feature = "testing"))]
pub mod contract;
/// A store wrapper that counts and can hold calls (partitions, round trips per job).
#[cfg(feature = "testing")]
pub mod tap;

use std::path::PathBuf;

use shotdeck_core::BoardKey;
use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::jobs::machine::InvalidTransition;
pub use shotdeck_core::jobs::{CANCELLED_CODE, CANCELLED_IN_DOUBT_CODE, LOST_CODE};
use shotdeck_core::jobs::{JobError, JobId, JobPhase};
pub use shotdeck_core::jobs::{JobRecord, PhaseEvent};
use shotdeck_core::model::Board;
use shotdeck_core::provider::Provider;

pub use account::{
    AccountChange, AccountError, AccountView, DAY_BUDGET_LIMIT_USD, MAX_IN_FLIGHT_LIMIT, local_user,
};
pub use feed::{ChangeFeed, SlotFreed, SlotFrees};
pub use hash::{lower_hex, sha256_hex};
pub use job_store::{
    Adopted, ChangeCursor, Changes, JobPage, JobStore, LeaseTerms, PageQuery, Refusal, Restart,
    StoreFuture,
};
pub use outcomes::{
    CancelError, FileProgress, FileTarget, KeeperError, LedgerEntry, Resolution, ResolveError,
};
pub use slot::{OverLimit, Requeue, Slot, SlotWait};
#[cfg(feature = "sqlite")]
pub use sqlite::{STORE_FILE, SqliteStore, Store, local_utc_offset_ms, schema_version};
pub use submitter::Submitter;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("job store: {0}")]
    Backend(BackendError),
    #[error("job store {}: {source}", path.display())]
    Open { path: PathBuf, source: BackendError },
    #[error("job store: cannot create {}: {source}", path.display())]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "job store schema version {found} is newer than this shotdeck knows ({known}); upgrade shotdeck"
    )]
    NewerSchema { found: u32, known: u32 },
    #[error("job store: job {id} has an unreadable {field}: {reason}")]
    Corrupt {
        id: JobId,
        field: &'static str,
        reason: String,
    },
    #[error("no job {0}")]
    NotFound(JobId),
    /// A job is retried once: checked again inside the insert's write transaction, so two
    /// processes retrying one job at the same instant cannot both create a paid task.
    #[error("job {of} was already retried as job {child}")]
    AlreadyRetried { of: JobId, child: JobId },
    #[error(transparent)]
    Transition(#[from] InvalidTransition),
    #[error("job store: the database thread has stopped")]
    Closed,
}

/// A backend's own error (SQLite's, say), with whether trying again later may succeed:
/// the engine and CLI never name a backend's error types.
#[derive(Debug)]
pub struct BackendError {
    source: Box<dyn std::error::Error + Send + Sync>,
    busy: bool,
}

impl BackendError {
    /// `busy`: another process holds the store's write lock; it frees once that ends.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>, busy: bool) -> Self {
        BackendError {
            source: source.into(),
            busy,
        }
    }
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.source.fmt(f)
    }
}

impl std::error::Error for BackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

impl StoreError {
    /// Another process holds the store's write lock (a long write, a `sqlite3` shell in a
    /// transaction): it opens once that ends, so opening again later is worth it.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Backend(e) | StoreError::Open { source: e, .. } if e.busy)
    }
}

/// Wall-clock Unix milliseconds: comparable across processes on one machine.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A job as submitted, before it has a row.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The board on this machine (absolute, canonical).
    pub board_path: PathBuf,
    /// The board as every machine names it (`shotdeck_files::project`); `None`: by
    /// `board_path` alone, as before projects existed.
    pub board_key: Option<BoardKey>,
    pub board: Board,
    pub provider: Provider,
    /// Carries `external_task_id` and any embedded images; never credentials.
    pub request: ComposedRequest,
    pub external_task_id: String,
    pub estimated_usd: Option<f64>,
    /// The job this one retries, if any.
    pub retry_of: Option<JobId>,
}

impl NewJob {
    /// The key the store counts the job's board by.
    pub fn key(&self) -> BoardKey {
        self.board_key
            .clone()
            .unwrap_or_else(|| BoardKey::local(&self.board_path))
    }
}

/// A partial update of one job, written atomically with a history row when the phase
/// changes (or a note is given). `None` leaves a column alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobChange {
    pub phase: Option<JobPhase>,
    pub task_id: Option<String>,
    pub status_msg: Option<Option<String>>,
    pub error: Option<Option<JobError>>,
    pub units_charged: Option<String>,
    pub stalled: Option<bool>,
    /// Written to the history with the (new or current) phase.
    pub note: Option<String>,
}

impl JobChange {
    pub fn phase(phase: JobPhase) -> Self {
        JobChange {
            phase: Some(phase),
            ..JobChange::default()
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn with_error(mut self, error: Option<JobError>) -> Self {
        self.error = Some(error);
        self
    }
}

/// Which jobs a listing returns, newest first.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub board_path: Option<PathBuf>,
    pub limit: Option<usize>,
}
