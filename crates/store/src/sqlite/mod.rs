//! The SQLite backend: one file shared by every shotdeck process of the user.
//!
//! WAL mode lets readers (`shotdeck jobs`) run while an engine writes, and `busy_timeout`
//! makes concurrent writers wait instead of failing. Ownership of a job's work is a lease
//! (`lease.rs`); every worker write is conditional on still holding it, so a process that
//! lost its lease cannot overwrite the newer owner's state.
//!
//! `Store` is synchronous and `Send` but not `Sync`: [`SqliteStore`] drives it from one
//! thread (`db.rs`) and implements [`crate::JobStore`] on top of it.

mod attention;
mod backend;
mod blobs;
mod cancel;
mod db;
mod lease;
mod ledger;
mod migrations;
mod orphans;
mod page;

mod read;
mod retries;
mod takes;
mod transactions;
mod write;

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::{BackendError, JobChange, ListFilter, NewJob, StoreError};
use shotdeck_core::jobs::JobId;
pub(crate) use shotdeck_core::jobs::{JobRecord, PhaseEvent};
use shotdeck_core::provider::Provider;

use crate::phase::parse_phase;
pub use backend::SqliteStore;
pub use migrations::latest as schema_version;

/// The store's file name inside `files::paths::data_dir()`.
pub const STORE_FILE: &str = "jobs.sqlite3";

/// How long a write waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        let busy = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        StoreError::Backend(BackendError::new(e, busy))
    }
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

pub struct Store {
    conn: Connection,
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
            StoreError::Backend(source) => StoreError::Open {
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
pub(crate) mod tests;
