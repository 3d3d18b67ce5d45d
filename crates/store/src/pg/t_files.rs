//! A job's videos on PostgreSQL, per machine: each host records, downloads and reads its
//! own rows (`job_files` is keyed by host), under the lease of the engine working on it.

use super::PgStore;
use super::t_writes::lock_job;
use super::view::view;
use crate::{FileProgress, FileTarget, StoreError};
use shotdeck_core::jobs::{JobId, JobView};

impl PgStore {
    /// Runs `write` on job `id`'s files under `owner`'s lease, marking the job changed.
    pub(super) async fn file_write(
        &self,
        id: JobId,
        owner: &str,
        now: i64,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Option<JobView>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let (_, holder) = lock_job(&tx, id).await?;
        if holder.as_deref() != Some(owner) {
            return Ok(None);
        }
        tx.execute(sql, params).await?;
        tx.execute(
            "UPDATE jobs SET updated_ms = $2 WHERE id = $1",
            &[&id, &now],
        )
        .await?;
        let view = view(&*tx, &self.submitter.host, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub(super) async fn set_files_t(
        &self,
        id: JobId,
        owner: &str,
        files: Vec<FileTarget>,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let urls: Vec<String> = files.iter().map(|f| f.url.clone()).collect();
        let paths: Vec<String> = files
            .iter()
            .map(|f| f.path.to_string_lossy().into_owned())
            .collect();
        let dirs: Vec<String> = files
            .iter()
            .map(|f| {
                f.path
                    .parent()
                    .map(|d| d.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        // Rows that exist keep their progress: a restarted engine resumes them.
        let sql = "INSERT INTO job_files (job_id, host, idx, url, path, dir) \
             SELECT $1, $2, (f.n - 1)::int4, f.url, f.path, f.dir \
             FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS f(url, path, dir, n) \
             ON CONFLICT (job_id, host, idx) DO NOTHING";
        let host = self.submitter.host.clone();
        self.file_write(id, owner, now, sql, &[&id, &host, &urls, &paths, &dirs])
            .await
    }
}

/// The file progress and media length updates, on this machine's rows.
pub(super) const FILE_PROGRESS: &str = "UPDATE job_files SET bytes_done = $4, bytes_total = $5, \
     complete = $6 WHERE job_id = $1 AND host = $2 AND idx = $3";
pub(super) const FILE_SECONDS: &str =
    "UPDATE job_files SET media_seconds = $4 WHERE job_id = $1 AND host = $2 AND idx = $3";

pub(super) fn progress_params(p: FileProgress) -> (i64, Option<i64>, bool) {
    (
        p.bytes_done as i64,
        p.bytes_total.map(|n| n as i64),
        p.complete,
    )
}
