//! The job store: one SQLite file shared by every shotdeck process of the user.
//!
//! WAL mode lets readers (`shotdeck jobs`) run while an engine writes, and `busy_timeout`
//! makes concurrent writers wait instead of failing. Ownership of a job's work is a lease
//! (`lease.rs`); every worker write is conditional on still holding it, so a process that
//! lost its lease cannot overwrite the newer owner's state.
//!
//! `Store` is synchronous and `Send` but not `Sync`: the engine drives it from one thread
//! (`engine::db`), and the CLI's read-only commands use it directly.

mod attention;
mod blobs;
mod cancel;
pub mod db;
mod lease;
mod ledger;
mod migrations;
mod page;
#[cfg(feature = "postgres")]
pub mod pg;
mod read;
mod retries;
mod takes;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::jobs::machine::InvalidTransition;
use shotdeck_core::jobs::{JobError, JobId, JobPhase};
pub use shotdeck_core::jobs::{JobRecord, PhaseEvent};
use shotdeck_core::model::Board;
use shotdeck_core::provider::Provider;

pub use attention::{Resolution, ResolveError};
pub use blobs::{lower_hex, sha256_hex};
pub use cancel::CancelError;
pub use ledger::LedgerEntry;
pub use migrations::latest as schema_version;
pub use shotdeck_core::jobs::{CANCELLED_CODE, CANCELLED_IN_DOUBT_CODE, LOST_CODE};
pub use takes::KeeperError;
pub use write::{FileProgress, FileTarget};

/// The store's file name inside `files::paths::data_dir()`.
pub const STORE_FILE: &str = "jobs.sqlite3";

/// How long a write waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("job store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("job store {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
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

/// Wall-clock Unix milliseconds: comparable across processes on one machine.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The local zone's offset now, as SQLite's `localtime` reads it (`TZ`, else
/// `/etc/localtime`): the same clock the spend ledger's "today" uses, without a time zone
/// crate. Read once at start; 0 (UTC) if SQLite cannot say.
pub fn local_utc_offset_ms() -> i64 {
    let offset = || -> rusqlite::Result<i64> {
        rusqlite::Connection::open_in_memory()?.query_row(
            "SELECT (strftime('%s', 'now', 'localtime') - strftime('%s', 'now')) * 1000",
            [],
            |r| r.get(0),
        )
    };
    offset().unwrap_or(0)
}

/// A job as submitted, before it has a row.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub board_path: PathBuf,
    pub board: Board,
    pub provider: Provider,
    /// Carries `external_task_id` and any embedded images; never credentials.
    pub request: ComposedRequest,
    pub external_task_id: String,
    pub estimated_usd: Option<f64>,
    /// The job this one retries, if any.
    pub retry_of: Option<JobId>,
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

pub struct Store {
    conn: Connection,
}

impl StoreError {
    /// Another process holds the store's write lock (a long write, a `sqlite3` shell in a
    /// transaction): it opens once that ends, so opening again later is worth it.
    pub fn is_busy(&self) -> bool {
        let (StoreError::Sqlite(e) | StoreError::Open { source: e, .. }) = self else {
            return false;
        };
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        // Errors at opening (a locked, corrupt or unwritable file) name the file.
        let named = |e: StoreError| match e {
            StoreError::Sqlite(source) => StoreError::Open {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        };
        let conn = Connection::open(path).map_err(|e| named(e.into()))?;
        Self::setup(conn).map_err(named)
    }

    /// A private in-memory store, for tests of code that needs one.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL needs a real file; an in-memory database answers "memory" and that is fine.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        // In WAL mode NORMAL loses at most the last commits on power loss, never consistency;
        // progress rows are written several times a second and need not each be fsynced.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrations::migrate(&mut conn)?;
        Ok(Store { conn })
    }
}

fn parse_phase(id: JobId, s: &str) -> Result<JobPhase, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        StoreError::Corrupt {
            id,
            field: "phase",
            reason: format!("unknown phase {s:?}"),
        }
    })
}

fn parse_provider(id: JobId, s: &str) -> Result<Provider, StoreError> {
    s.parse().map_err(|reason| StoreError::Corrupt {
        id,
        field: "provider",
        reason,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(
    id: JobId,
    field: &'static str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        id,
        field,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod ledger_tests;
#[cfg(test)]
mod tests;
