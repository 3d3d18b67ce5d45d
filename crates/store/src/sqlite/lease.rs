//! Leases: which engine instance works on a job right now.
//!
//! An engine takes a job's lease with one conditional UPDATE before it submits, polls or
//! downloads, renews all its leases while it runs, and releases them on shutdown. A lease is
//! taken from another owner only once it has expired, which is how a crashed process's jobs
//! come back to life without two live processes ever polling the same task. SQLite
//! serialises the UPDATEs, so exactly one of two racing engines gets the row.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use shotdeck_core::jobs::JobId;

impl Store {
    /// Takes (or renews) the lease on `id` for `owner` until `until`. Succeeds when the job
    /// is unleased, already `owner`'s, or its lease expired before `now`.
    pub fn take_lease(
        &self,
        id: JobId,
        owner: &str,
        until: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE jobs SET lease_owner = ?2, lease_until = ?3 WHERE id = ?1 \
             AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until < ?4)",
            params![id, owner, until, now],
        )?;
        Ok(n == 1)
    }

    /// Extends every lease `owner` holds. Does not touch `updated_at`: a renewal is not a
    /// change other processes need to show.
    pub fn renew_leases(&self, owner: &str, until: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE jobs SET lease_until = ?2 WHERE lease_owner = ?1",
            params![owner, until],
        )?)
    }

    /// Which of `ids` `owner` no longer holds: another engine took the job over (its lease
    /// had lapsed) or the user cancelled it from another process.
    pub fn not_held(&self, owner: &str, ids: &[JobId]) -> Result<Vec<JobId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT lease_owner FROM jobs WHERE id = ?1")?;
        let mut lost = Vec::new();
        for &id in ids {
            let holder: Option<String> = stmt
                .query_row(params![id], |r| r.get(0))
                .optional()?
                .flatten();
            if holder.as_deref() != Some(owner) {
                lost.push(id);
            }
        }
        Ok(lost)
    }

    pub fn release_lease(&self, id: JobId, owner: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE jobs SET lease_owner = NULL, lease_until = NULL \
             WHERE id = ?1 AND lease_owner = ?2",
            params![id, owner],
        )?;
        Ok(n == 1)
    }

    /// Lets go of everything `owner` holds (engine shutdown).
    pub fn release_leases(&self, owner: &str) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?1",
            params![owner],
        )?)
    }
}
