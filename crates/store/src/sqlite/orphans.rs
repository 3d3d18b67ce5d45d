//! Results nobody fetched: jobs whose task succeeded and whose videos no file row holds
//! complete. On one machine the engine adopts such a job at start anyway (every job is
//! this machine's); the same query serves a shared store's sweep and the `jobs` warning.

use rusqlite::params;

use super::{Store, StoreError};
use crate::phase;
use shotdeck_core::jobs::{JobId, JobPhase};

/// `j` is in `downloading` (its task succeeded) and no machine has a complete file of it.
fn orphan() -> String {
    format!(
        "j.phase = {} AND NOT EXISTS \
         (SELECT 1 FROM job_files f WHERE f.job_id = j.id AND f.complete = 1)",
        phase::literal(JobPhase::Downloading)
    )
}

impl Store {
    /// One statement: the oldest unleased (or lapsed) orphans asked for by `before`, leased
    /// to `owner` until `until`. SQLite runs it alone, so two engines never share one.
    pub fn claim_orphans(
        &self,
        before: i64,
        limit: usize,
        owner: &str,
        until: i64,
        now: i64,
    ) -> Result<Vec<JobId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "UPDATE jobs SET lease_owner = ?3, lease_until = ?4 WHERE id IN \
             (SELECT j.id FROM jobs j WHERE {} AND j.stalled = 0 AND j.created_at <= ?1 \
              AND (j.lease_owner IS NULL OR j.lease_until < ?5) \
              ORDER BY j.created_at, j.id LIMIT ?2) \
             RETURNING id",
            orphan()
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut ids = stmt
            .query_map(params![before, limit, owner, until, now], |r| r.get(0))?
            .collect::<Result<Vec<JobId>, _>>()?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Orphans asked for between `from` and `to`, oldest first (see `JobStore::unfetched`).
    pub fn unfetched(&self, from: i64, to: i64, limit: usize) -> Result<Vec<JobId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT j.id FROM jobs j WHERE {} AND j.created_at BETWEEN ?1 AND ?2 \
             ORDER BY j.created_at, j.id LIMIT ?3",
            orphan()
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let ids = stmt
            .query_map(params![from, to, limit], |r| r.get(0))?
            .collect::<Result<Vec<JobId>, _>>()?;
        Ok(ids)
    }
}
