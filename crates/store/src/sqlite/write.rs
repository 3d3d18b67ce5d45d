//! Writes: new jobs, lease-guarded changes with their history, and file progress.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{JobChange, NewJob, Store, StoreError};
use crate::phase::{self, parse_phase};
use crate::{FileProgress, FileTarget};
use shotdeck_core::compose::effective_model;
use shotdeck_core::jobs::machine::transition;
use shotdeck_core::jobs::{JobId, JobPhase, JobView};

impl Store {
    /// Records a job in `queued`, leased to `owner` until `lease_until` so no other engine
    /// picks it up before the submitter's own worker starts. Nothing has been sent yet.
    pub fn insert_job(
        &mut self,
        job: &NewJob,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<JobId, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_row(&tx, job, owner, lease_until, now)?;
        tx.commit()?;
        Ok(id)
    }

    /// Applies `change` if `owner` still holds the job's lease. `Ok(None)` means the lease
    /// was lost (another engine took over after it expired): the caller must stop working
    /// on the job. A phase change the state machine forbids is an error and writes nothing.
    pub fn apply(
        &mut self,
        id: JobId,
        owner: &str,
        change: &JobChange,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = tx
            .query_row(
                "SELECT phase, lease_owner, finished_at FROM jobs WHERE id = ?1",
                params![id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                    ))
                },
            )
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        let (phase_text, lease_owner, finished_at) = current;
        if lease_owner.as_deref() != Some(owner) {
            return Ok(None);
        }
        let from = parse_phase(id, &phase_text)?;
        let to = match change.phase {
            Some(p) => transition(from, p)?,
            None => from,
        };
        let finished_at = match (from == to, to.is_active()) {
            (false, false) => Some(now),
            (false, true) => None,
            (true, _) => finished_at,
        };
        let error = change.error.as_ref();
        tx.execute(
            "UPDATE jobs SET phase = ?2, updated_at = ?3, finished_at = ?4, \
             task_id = COALESCE(?5, task_id), \
             status_msg = CASE WHEN ?6 THEN ?7 ELSE status_msg END, \
             error_code = CASE WHEN ?8 THEN ?9 ELSE error_code END, \
             error_message = CASE WHEN ?8 THEN ?10 ELSE error_message END, \
             error_retryable = CASE WHEN ?8 THEN ?11 ELSE error_retryable END, \
             units_charged = COALESCE(?12, units_charged), \
             stalled = COALESCE(?13, stalled) \
             WHERE id = ?1",
            params![
                id,
                phase::text(to),
                now,
                finished_at,
                change.task_id,
                change.status_msg.is_some(),
                change.status_msg.clone().flatten(),
                error.is_some(),
                error.and_then(|e| e.as_ref()).and_then(|e| e.code.clone()),
                error.and_then(|e| e.as_ref()).map(|e| e.message.clone()),
                error.and_then(|e| e.as_ref()).map(|e| e.retryable),
                change.units_charged,
                change.stalled,
            ],
        )?;
        if from != to || change.note.is_some() {
            tx.execute(
                "INSERT INTO job_events (job_id, at, phase, note) VALUES (?1, ?2, ?3, ?4)",
                params![id, now, phase::text(to), change.note],
            )?;
        }
        tx.commit()?;
        self.view(id)
    }

    /// Records the videos a finished task produced. Rows that already exist keep their
    /// progress, so a restarted engine resumes rather than restarts them. `None` when the
    /// lease was lost.
    pub fn set_files(
        &mut self,
        id: JobId,
        owner: &str,
        files: &[FileTarget],
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !holds_lease(&tx, id, owner)? {
            return Ok(None);
        }
        for (idx, f) in files.iter().enumerate() {
            tx.execute(
                "INSERT OR IGNORE INTO job_files (job_id, idx, url, path) VALUES (?1, ?2, ?3, ?4)",
                params![id, idx as i64, f.url, f.path.to_string_lossy()],
            )?;
        }
        tx.execute(
            "UPDATE jobs SET updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        tx.commit()?;
        self.view(id)
    }

    /// Stores one file's progress; `None` when the lease was lost.
    pub fn file_progress(
        &mut self,
        id: JobId,
        owner: &str,
        idx: usize,
        progress: FileProgress,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        self.update_file(id, owner, now, |tx| {
            tx.execute(
                "UPDATE job_files SET bytes_done = ?3, bytes_total = ?4, complete = ?5 \
                 WHERE job_id = ?1 AND idx = ?2",
                params![
                    id,
                    idx as i64,
                    progress.bytes_done as i64,
                    progress.bytes_total.map(|n| n as i64),
                    progress.complete,
                ],
            )
        })
    }

    /// Runs one update of a job's file row under the job's lease and marks the job
    /// changed; `None` when the lease was lost (nothing is written then).
    fn update_file(
        &mut self,
        id: JobId,
        owner: &str,
        now: i64,
        update: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<usize>,
    ) -> Result<Option<JobView>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !holds_lease(&tx, id, owner)? {
            return Ok(None);
        }
        update(&tx)?;
        tx.execute(
            "UPDATE jobs SET updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        tx.commit()?;
        self.view(id)
    }
}

impl Store {
    /// Records a complete video's length from its MP4 header; `None` when the lease was lost.
    pub fn file_media_seconds(
        &mut self,
        id: JobId,
        owner: &str,
        idx: usize,
        seconds: f64,
        now: i64,
    ) -> Result<Option<JobView>, StoreError> {
        self.update_file(id, owner, now, |tx| {
            tx.execute(
                "UPDATE job_files SET media_seconds = ?3 WHERE job_id = ?1 AND idx = ?2",
                params![id, idx as i64, seconds],
            )
        })
    }

    /// Remembers when the lease holder last polled the job. Not a change anyone needs to
    /// see, so `updated_at` stays.
    pub fn note_poll(&self, id: JobId, owner: &str, at: i64) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE jobs SET last_polled_at = ?3 WHERE id = ?1 AND lease_owner = ?2",
            params![id, owner, at],
        )?;
        Ok(n == 1)
    }
}

/// The new job's row and its first history entry, inside the caller's transaction.
pub(super) fn insert_row(
    tx: &rusqlite::Transaction,
    job: &NewJob,
    owner: &str,
    lease_until: i64,
    now: i64,
) -> Result<JobId, StoreError> {
    let board_json = serde_json::to_string(&job.board).expect("a Board always serializes");
    if let Some(of) = job.retry_of {
        let child: Option<JobId> = tx
            .query_row(
                "SELECT id FROM jobs WHERE retry_of = ?1 ORDER BY id LIMIT 1",
                params![of],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(child) = child {
            return Err(StoreError::AlreadyRetried { of, child });
        }
    }
    let key = job.key();
    adopt_legacy(tx, job, &key)?;
    let (request_json, request_blobs) = super::blobs::store_request(tx, &job.request)?;
    // The take is numbered inside the caller's write transaction (taken with IMMEDIATE, so
    // no other writer can come between the max and the insert): two processes submitting
    // one board at once get consecutive takes, never the same one.
    tx.execute(
        "INSERT INTO jobs (board_path, board_title, board_json, provider, request_json, \
         create_path, external_task_id, phase, seconds, estimated_usd, retry_of, \
         created_at, updated_at, lease_owner, lease_until, model, request_blobs, \
         project_id, board_rel, take) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, ?15, ?16, \
         ?17, ?18, \
         (SELECT COALESCE(max(take), 0) + 1 FROM jobs WHERE project_id = ?17 AND board_rel = ?18))",
        params![
            job.board_path.to_string_lossy(),
            job.board.title,
            board_json,
            job.provider.as_str(),
            request_json,
            job.request.path,
            job.external_task_id,
            phase::text(JobPhase::Queued),
            job.board.total_duration(),
            job.estimated_usd,
            job.retry_of,
            now,
            owner,
            lease_until,
            effective_model(&job.board, job.provider),
            request_blobs,
            key.project,
            key.path,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let note = job.retry_of.map(|of| format!("retry of job {of}"));
    tx.execute(
        "INSERT INTO job_events (job_id, at, phase, note) VALUES (?1, ?2, ?3, ?4)",
        params![id, now, phase::text(JobPhase::Queued), note],
    )?;
    Ok(id)
}

/// The first submit of a board from inside a project takes over the jobs this store
/// recorded for the same file before it was in one (named by its absolute path), so its
/// takes continue and its keeper stays. Only while the project's name has no jobs yet:
/// otherwise the two histories' take numbers would collide, and the older one keeps its
/// old name (still listed by the file's path).
fn adopt_legacy(
    tx: &rusqlite::Transaction,
    job: &NewJob,
    key: &shotdeck_core::BoardKey,
) -> Result<(), StoreError> {
    if !key.is_shared() {
        return Ok(());
    }
    tx.execute(
        "UPDATE jobs SET project_id = ?1, board_rel = ?2 \
         WHERE project_id = '' AND board_rel = ?3 \
         AND NOT EXISTS (SELECT 1 FROM jobs WHERE project_id = ?1 AND board_rel = ?2)",
        params![key.project, key.path, job.board_path.to_string_lossy()],
    )?;
    Ok(())
}

fn holds_lease(tx: &rusqlite::Transaction, id: JobId, owner: &str) -> Result<bool, StoreError> {
    let owner_now: Option<Option<String>> = tx
        .query_row(
            "SELECT lease_owner FROM jobs WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?;
    match owner_now {
        None => Err(StoreError::NotFound(id)),
        Some(o) => Ok(o.as_deref() == Some(owner)),
    }
}
