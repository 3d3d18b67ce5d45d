//! Rows into what front ends see: [`JobView`]s (with this machine's files), records and
//! histories, and PostgreSQL's errors as the trait's [`StoreError`].

use std::collections::HashMap;
use std::path::PathBuf;

use tokio_postgres::{GenericClient, Row};

use super::{PgError, parse_phase};
use crate::{BackendError, StoreError};
use shotdeck_core::jobs::{JobError, JobFile, JobId, JobRecord, JobView, PhaseEvent};

/// The columns [`from_row`] reads, in order (`j` is `jobs`).
pub(super) const VIEW_COLUMNS: &str = "j.id, j.board_path, j.board_title, j.provider, \
     j.external_task_id, j.task_id, j.phase, j.status_msg, j.error_code, j.error_message, \
     j.error_retryable, j.seconds, j.estimated_usd, j.created_ms, j.updated_ms, j.finished_ms, \
     j.units_charged, j.take, j.keeper, \
     (SELECT r.take FROM jobs r WHERE r.id = j.retry_of), \
     j.submitted_by_user || '@' || j.submitted_by_host, \
     (SELECT b.project_root FROM boards b WHERE b.id = j.board_id), \
     (SELECT b.rel_path FROM boards b WHERE b.id = j.board_id)";

/// How many columns [`VIEW_COLUMNS`] are (a query's next column is at this index).
pub(super) const VIEW_WIDTH: usize = 23;

/// Phases an engine works on by itself (not finished, not waiting for the user).
pub(super) const ENGINE_WORK: NotIn = NotIn(
    crate::phase::PhaseSet(crate::phase::FINISHED),
    crate::phase::PhaseSet(crate::phase::WAITING_FOR_USER),
);

/// `j.phase NOT IN (...) AND j.phase NOT IN (...)`, printed inline in a query.
pub(super) struct NotIn(crate::phase::PhaseSet, crate::phase::PhaseSet);

impl std::fmt::Display for NotIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "j.phase NOT IN {} AND j.phase NOT IN {}", self.0, self.1)
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        match e {
            PgError::NewerSchema { found, known } => StoreError::NewerSchema { found, known },
            PgError::Transition(t) => StoreError::Transition(t),
            PgError::Corrupt { id, field, value } => StoreError::Corrupt {
                id,
                field,
                reason: format!("{value:?}"),
            },
            other => {
                // A serialization failure or deadlock clears when tried again.
                let busy = matches!(&other, PgError::Db(db) if db.code().is_some_and(|c|
                    matches!(c.code(), "40001" | "40P01" | "55P03")));
                StoreError::Backend(BackendError::new(other, busy))
            }
        }
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        PgError::Db(e).into()
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        PgError::from(e).into()
    }
}

fn phase_of(id: JobId, word: &str) -> Result<shotdeck_core::jobs::JobPhase, StoreError> {
    Ok(parse_phase(id, word)?)
}

fn from_row(r: &Row, files: Vec<JobFile>) -> Result<JobView, StoreError> {
    let id: JobId = r.get(0);
    let provider: String = r.get(3);
    let error = r.get::<_, Option<String>>(9).map(|message| JobError {
        code: r.get(8),
        message,
        retryable: r.get::<_, Option<bool>>(10).unwrap_or(false),
    });
    Ok(JobView {
        id,
        board_path: PathBuf::from(r.get::<_, String>(1)),
        board_key: shotdeck_core::BoardKey {
            project: r.get::<_, Option<String>>(21).unwrap_or_default(),
            path: r.get::<_, Option<String>>(22).unwrap_or_default(),
        },
        board_title: r.get(2),
        provider: provider.parse().map_err(|reason| StoreError::Corrupt {
            id,
            field: "provider",
            reason,
        })?,
        external_task_id: r.get(4),
        task_id: r.get(5),
        phase: phase_of(id, r.get(6))?,
        status_msg: r.get(7),
        error,
        files,
        seconds: r.get(11),
        estimated_usd: r.get(12),
        units_charged: r.get(16),
        created_at: r.get(13),
        updated_at: r.get(14),
        finished_at: r.get(15),
        take: r.get::<_, i32>(17).max(0) as u32,
        keeper: r.get(18),
        retry_of_take: r.get::<_, Option<i32>>(19).map(|t| t.max(0) as u32),
        submitted_by: r.get(20),
    })
}

/// The views `sql` selects (it selects [`VIEW_COLUMNS`] from `jobs j`), each with the files
/// on `host`: a video is where the machine that downloaded it put it.
pub(super) async fn views<C: GenericClient + Sync>(
    c: &C,
    host: &str,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<JobView>, StoreError> {
    let rows = c.query(sql, params).await?;
    views_of_rows(c, host, &rows).await
}

/// The views in `rows` (each starts with [`VIEW_COLUMNS`]; more columns may follow).
pub(super) async fn views_of_rows<C: GenericClient + Sync>(
    c: &C,
    host: &str,
    rows: &[Row],
) -> Result<Vec<JobView>, StoreError> {
    let ids: Vec<JobId> = rows.iter().map(|r| r.get(0)).collect();
    let mut files = files_of(c, host, &ids).await?;
    rows.iter()
        .map(|r| from_row(r, files.remove(&r.get::<_, JobId>(0)).unwrap_or_default()))
        .collect()
}

/// One job's view, if there is such a job.
pub(super) async fn view<C: GenericClient + Sync>(
    c: &C,
    host: &str,
    id: JobId,
) -> Result<Option<JobView>, StoreError> {
    let sql = format!("SELECT {VIEW_COLUMNS} FROM jobs j WHERE j.id = $1");
    Ok(views(c, host, &sql, &[&id]).await?.pop())
}

/// Like [`view`], for a job the caller knows exists.
pub(super) async fn must_view<C: GenericClient + Sync>(
    c: &C,
    host: &str,
    id: JobId,
) -> Result<JobView, StoreError> {
    view(c, host, id).await?.ok_or(StoreError::NotFound(id))
}

async fn files_of<C: GenericClient + Sync>(
    c: &C,
    host: &str,
    ids: &[JobId],
) -> Result<HashMap<JobId, Vec<JobFile>>, StoreError> {
    let mut by_job: HashMap<JobId, Vec<JobFile>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_job);
    }
    let rows = c
        .query(
            "SELECT job_id, coalesce(url, ''), coalesce(path, ''), bytes_done, bytes_total, \
             complete, media_seconds FROM job_files \
             WHERE job_id = ANY($1) AND host = $2 ORDER BY job_id, idx",
            &[&ids, &host],
        )
        .await?;
    for r in rows {
        by_job.entry(r.get(0)).or_default().push(JobFile {
            url: r.get(1),
            path: PathBuf::from(r.get::<_, String>(2)),
            bytes_done: r.get::<_, i64>(3).max(0) as u64,
            bytes_total: r.get::<_, Option<i64>>(4).map(|n| n.max(0) as u64),
            complete: r.get(5),
            media_seconds: r.get(6),
        });
    }
    Ok(by_job)
}

pub(super) async fn history<C: GenericClient + Sync>(
    c: &C,
    id: JobId,
) -> Result<Vec<PhaseEvent>, StoreError> {
    let rows = c
        .query(
            "SELECT at_ms, phase, note FROM job_events WHERE job_id = $1 ORDER BY id",
            &[&id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PhaseEvent {
                at: r.get(0),
                phase: phase_of(id, r.get(1))?,
                note: r.get(2),
            })
        })
        .collect()
}

pub(super) async fn record<C: GenericClient + Sync>(
    c: &C,
    host: &str,
    id: JobId,
) -> Result<Option<JobRecord>, StoreError> {
    let Some(view) = view(c, host, id).await? else {
        return Ok(None);
    };
    let r = c
        .query_one(
            "SELECT board_json, request_json, create_path, retry_of, stalled, lease_owner, \
             lease_until_ms, last_polled_ms FROM jobs WHERE id = $1",
            &[&id],
        )
        .await?;
    fn json<T: serde::de::DeserializeOwned>(
        id: JobId,
        field: &'static str,
        text: String,
    ) -> Result<T, StoreError> {
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            id,
            field,
            reason: e.to_string(),
        })
    }
    Ok(Some(JobRecord {
        view,
        board: json(id, "board_json", r.get(0))?,
        request: json(id, "request_json", r.get(1))?,
        create_path: r.get(2),
        retry_of: r.get(3),
        stalled: r.get(4),
        lease_owner: r.get(5),
        lease_until: r.get(6),
        last_polled_at: r.get(7),
        history: history(c, id).await?,
    }))
}

#[cfg(test)]
mod width {
    /// A column added to [`super::VIEW_COLUMNS`] moves the cursor column a read appends:
    /// the width is counted here from the list itself (top-level commas).
    #[test]
    fn view_width_counts_the_columns() {
        let mut depth = 0i32;
        let mut columns = 1;
        for c in super::VIEW_COLUMNS.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => columns += 1,
                _ => {}
            }
        }
        assert_eq!(columns, super::VIEW_WIDTH);
    }
}
