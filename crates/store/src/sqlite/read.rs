//! Queries: job views for lists and events, full records for `jobs show` and Retry.

use std::path::PathBuf;

use rusqlite::{OptionalExtension, Row, params};

use super::{JobRecord, ListFilter, PhaseEvent, Store, StoreError, parse_json, parse_provider};
use crate::phase::{self, parse_phase};
use crate::{ChangeCursor, Changes};
use shotdeck_core::BoardKey;
use shotdeck_core::jobs::{JobError, JobFile, JobId, JobView};

/// The columns a [`JobView`] is built from, in `RawView::from_row` order.
pub(super) const VIEW_COLUMNS: &str = "id, board_path, board_title, provider, external_task_id, task_id, \
     phase, status_msg, error_code, error_message, error_retryable, seconds, estimated_usd, \
     created_at, updated_at, finished_at, units_charged, take, keeper, \
     (SELECT retried.take FROM jobs AS retried WHERE retried.id = jobs.retry_of), \
     project_id, board_rel";

/// A row before its text columns are checked.
struct RawView {
    id: JobId,
    board_path: String,
    board_title: String,
    provider: String,
    external_task_id: String,
    task_id: Option<String>,
    phase: String,
    status_msg: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    error_retryable: Option<bool>,
    seconds: f64,
    estimated_usd: Option<f64>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
    units_charged: Option<String>,
    take: u32,
    keeper: bool,
    retry_of_take: Option<u32>,
    project_id: String,
    board_rel: String,
}

impl RawView {
    fn from_row(r: &Row) -> rusqlite::Result<RawView> {
        Ok(RawView {
            id: r.get(0)?,
            board_path: r.get(1)?,
            board_title: r.get(2)?,
            provider: r.get(3)?,
            external_task_id: r.get(4)?,
            task_id: r.get(5)?,
            phase: r.get(6)?,
            status_msg: r.get(7)?,
            error_code: r.get(8)?,
            error_message: r.get(9)?,
            error_retryable: r.get(10)?,
            seconds: r.get(11)?,
            estimated_usd: r.get(12)?,
            created_at: r.get(13)?,
            updated_at: r.get(14)?,
            finished_at: r.get(15)?,
            units_charged: r.get(16)?,
            take: r.get(17)?,
            keeper: r.get(18)?,
            retry_of_take: r.get(19)?,
            project_id: r.get(20)?,
            board_rel: r.get(21)?,
        })
    }

    fn into_view(self, files: Vec<JobFile>) -> Result<JobView, StoreError> {
        let error = self.error_message.map(|message| JobError {
            code: self.error_code,
            message,
            retryable: self.error_retryable.unwrap_or(false),
        });
        Ok(JobView {
            id: self.id,
            board_path: PathBuf::from(self.board_path),
            board_key: BoardKey {
                project: self.project_id,
                path: self.board_rel,
            },
            board_title: self.board_title,
            provider: parse_provider(self.id, &self.provider)?,
            external_task_id: self.external_task_id,
            task_id: self.task_id,
            phase: parse_phase(self.id, &self.phase)?,
            status_msg: self.status_msg,
            error,
            files,
            seconds: self.seconds,
            estimated_usd: self.estimated_usd,
            units_charged: self.units_charged,
            created_at: self.created_at,
            updated_at: self.updated_at,
            finished_at: self.finished_at,
            take: self.take,
            keeper: self.keeper,
            retry_of_take: self.retry_of_take,
            submitted_by: None,
        })
    }
}

impl Store {
    /// Jobs matching `filter`, newest first.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<JobView>, StoreError> {
        let board = filter
            .board_path
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        let limit = filter.limit.map(|n| n as i64).unwrap_or(-1);
        self.views(
            &format!(
                "SELECT {VIEW_COLUMNS} FROM jobs WHERE (?1 IS NULL OR board_path = ?1) \
                 ORDER BY id DESC LIMIT ?2"
            ),
            params![board, limit],
        )
    }

    pub fn view(&self, id: JobId) -> Result<Option<JobView>, StoreError> {
        Ok(self
            .views(
                &format!("SELECT {VIEW_COLUMNS} FROM jobs WHERE id = ?1"),
                params![id],
            )?
            .pop())
    }

    /// Where the changes stand now (the newest `change_seq`).
    pub fn change_cursor(&self) -> Result<ChangeCursor, StoreError> {
        let seq: i64 =
            self.conn
                .query_row("SELECT coalesce(max(change_seq), 0) FROM jobs", [], |r| {
                    r.get(0)
                })?;
        Ok(ChangeCursor(seq))
    }

    /// Jobs changed after `cursor` (another process's writes included), up to the newest
    /// change now: one writer at a time stamps `change_seq` in commit order, so a change
    /// committed after this read is numbered past the cursor it answers.
    pub fn changed_since(&self, cursor: ChangeCursor) -> Result<Changes, StoreError> {
        let next = self.change_cursor()?.max(cursor);
        let jobs = self.views(
            &format!(
                "SELECT {VIEW_COLUMNS} FROM jobs WHERE change_seq > ?1 AND change_seq <= ?2 \
                 ORDER BY id"
            ),
            params![cursor.0, next.0],
        )?;
        Ok(Changes { jobs, next })
    }

    /// Active jobs no live engine holds: never leased, released, or whose lease expired
    /// (its owner crashed). Stalled jobs only when asked (on engine start). A job that needs
    /// the user's attention is never adopted: only `jobs attach` or `jobs lost` moves it; nor
    /// is one never sent (`jobs send` sends it). A `queued` job is returned: the adopter
    /// marks it `not_sent` instead of sending it.
    pub fn adoptable(&self, now: i64, include_stalled: bool) -> Result<Vec<JobId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id FROM jobs WHERE {} AND (stalled = 0 OR ?2) \
             AND (lease_owner IS NULL OR lease_until < ?1) ORDER BY id",
            *phase::ENGINE_WORK
        ))?;
        let ids = stmt
            .query_map(params![now, include_stalled], |r| r.get(0))?
            .collect::<Result<Vec<JobId>, _>>()?;
        Ok(ids)
    }

    /// Active jobs some engine should be working on (not stalled), leased or not.
    pub fn in_flight(&self) -> Result<Vec<JobId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id FROM jobs WHERE {} AND stalled = 0 ORDER BY id",
            *phase::ENGINE_WORK
        ))?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<JobId>, _>>()?;
        Ok(ids)
    }

    pub fn record(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        let Some(view) = self.view(id)? else {
            return Ok(None);
        };
        let row = self
            .conn
            .query_row(
                "SELECT board_json, request_json, create_path, retry_of, \
                 stalled, lease_owner, lease_until, last_polled_at, request_blobs \
                 FROM jobs WHERE id = ?1",
                params![id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<JobId>>(3)?,
                        r.get::<_, bool>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                        r.get::<_, Option<String>>(8)?,
                    ))
                },
            )
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        let (board, request, create_path, retry_of, stalled, owner, until, polled, blobs) = row;
        let request = super::blobs::load_request(&self.conn, id, &request, blobs.as_deref())?;
        Ok(Some(JobRecord {
            view,
            board: parse_json(id, "board_json", &board)?,
            request: serde_json::from_value(request).map_err(|e| StoreError::Corrupt {
                id,
                field: "request_json",
                reason: e.to_string(),
            })?,
            create_path,
            retry_of,
            stalled,
            lease_owner: owner,
            lease_until: until,
            last_polled_at: polled,
            history: self.history(id)?,
        }))
    }

    pub fn history(&self, id: JobId) -> Result<Vec<PhaseEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, phase, note FROM job_events WHERE job_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(at, phase, note)| {
                Ok(PhaseEvent {
                    at,
                    phase: parse_phase(id, &phase)?,
                    note,
                })
            })
            .collect()
    }

    pub fn files(&self, id: JobId) -> Result<Vec<JobFile>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, path, bytes_done, bytes_total, complete, media_seconds FROM job_files \
             WHERE job_id = ?1 ORDER BY idx",
        )?;
        let files = stmt
            .query_map(params![id], |r| {
                Ok(JobFile {
                    url: r.get(0)?,
                    path: PathBuf::from(r.get::<_, String>(1)?),
                    bytes_done: r.get::<_, i64>(2)?.max(0) as u64,
                    bytes_total: r.get::<_, Option<i64>>(3)?.map(|n| n.max(0) as u64),
                    complete: r.get(4)?,
                    media_seconds: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(files)
    }

    pub(super) fn views(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<JobView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let raws = stmt
            .query_map(params, RawView::from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        raws.into_iter()
            .map(|raw| {
                let files = self.files(raw.id)?;
                raw.into_view(files)
            })
            .collect()
    }
}
