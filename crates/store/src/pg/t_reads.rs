//! The trait's reads on PostgreSQL: pages keyed by id (never an offset), filters as the
//! query's, counts, and what changed since a time.

use std::collections::HashMap;
use std::path::PathBuf;

use super::view::{VIEW_COLUMNS, VIEW_WIDTH, views, views_of_rows};
use super::{FINISHED, PgStore};
use crate::filter_text::{contains_pattern, named_take};
use crate::{ChangeCursor, Changes, JobPage, ListFilter, PageQuery, StoreError};
use shotdeck_core::jobs::{JobCounts, JobId, JobPhase, JobView};

/// A job matches a filter when any of these contains the text (`$3`, a LIKE pattern, any
/// ASCII case as SQLite's LIKE): id, external id, task id, board title and path, phase,
/// provider, the board's model; or when the text names its take (`$4`).
const MATCHES: &str = "(j.id::text ILIKE $3 ESCAPE '\\' \
     OR j.external_task_id ILIKE $3 ESCAPE '\\' OR j.task_id ILIKE $3 ESCAPE '\\' \
     OR j.board_title ILIKE $3 ESCAPE '\\' OR j.board_path ILIKE $3 ESCAPE '\\' \
     OR j.phase ILIKE $3 ESCAPE '\\' OR j.provider ILIKE $3 ESCAPE '\\' \
     OR (j.board_json::json ->> 'model') ILIKE $3 ESCAPE '\\' OR j.take = $4)";

/// The oldest transaction running now (or the next to start, when none is): changes
/// written by it or later are not all visible yet. Assigns no transaction id.
const SNAPSHOT_XMIN: &str = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::int8";

fn board_text(board: &Option<PathBuf>) -> Option<String> {
    board.as_ref().map(|b| b.to_string_lossy().into_owned())
}

impl PgStore {
    async fn select(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<JobView>, StoreError> {
        let client = self.pool.get().await?;
        let c: &tokio_postgres::Client = &client;
        views(c, &self.submitter.host, sql, params).await
    }

    pub(super) async fn view_t(&self, id: JobId) -> Result<Option<JobView>, StoreError> {
        let client = self.pool.get().await?;
        let c: &tokio_postgres::Client = &client;
        super::view::view(c, &self.submitter.host, id).await
    }

    pub(super) async fn views_t(&self, ids: Vec<JobId>) -> Result<Vec<JobView>, StoreError> {
        let sql = format!("SELECT {VIEW_COLUMNS} FROM jobs j WHERE j.id = ANY($1)");
        let mut found: HashMap<JobId, JobView> = self
            .select(&sql, &[&ids])
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect();
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    async fn page_plain(
        &self,
        board: &Option<PathBuf>,
        below: JobId,
        limit: usize,
    ) -> Result<Vec<JobView>, StoreError> {
        let sql = format!(
            "SELECT {VIEW_COLUMNS} FROM jobs j WHERE ($1::text IS NULL OR j.board_path = $1) \
             AND j.id < $2 ORDER BY j.id DESC LIMIT $3"
        );
        self.select(&sql, &[&board_text(board), &below, &(limit as i64)])
            .await
    }

    pub(super) async fn page_t(&self, q: PageQuery) -> Result<JobPage, StoreError> {
        let Some(text) = q.filter.as_deref() else {
            return Ok(JobPage {
                jobs: self.page_plain(&q.board, q.below, q.limit).await?,
                matching: None,
            });
        };
        let board = board_text(&q.board);
        let pattern = contains_pattern(text);
        // A take past i32 names no job.
        let take: Option<i32> = named_take(text).and_then(|t| i32::try_from(t).ok());
        let sql = format!(
            "SELECT {VIEW_COLUMNS} FROM jobs j WHERE ($1::text IS NULL OR j.board_path = $1) \
             AND j.id < $2 AND {MATCHES} ORDER BY j.id DESC LIMIT $5"
        );
        let jobs = self
            .select(
                &sql,
                &[&board, &q.below, &pattern, &take, &(q.limit as i64)],
            )
            .await?;
        // Counted once, with the first page.
        let matching = if q.below == JobId::MAX {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT count(*) FROM jobs j WHERE ($1::text IS NULL OR j.board_path = $1) \
                 AND $2::int8 IS NULL AND {MATCHES}"
            );
            let none: Option<i64> = None;
            let n: i64 = client
                .query_one(&sql, &[&board, &none, &pattern, &take])
                .await?
                .get(0);
            Some(n.max(0) as usize)
        } else {
            None
        };
        Ok(JobPage { jobs, matching })
    }

    pub(super) async fn unfinished_t(&self) -> Result<Vec<JobView>, StoreError> {
        let sql = format!(
            "SELECT {VIEW_COLUMNS} FROM jobs j WHERE j.phase NOT IN {FINISHED} \
             ORDER BY j.id"
        );
        self.select(&sql, &[]).await
    }

    pub(super) async fn first_views_t(&self, limit: usize) -> Result<Vec<JobView>, StoreError> {
        let mut views = self.page_plain(&None, JobId::MAX, limit).await?;
        let oldest_listed = views.last().map_or(JobId::MAX, |v| v.id);
        let older = self.unfinished_t().await?.into_iter().rev();
        views.extend(older.filter(|v| v.id < oldest_listed));
        Ok(views)
    }

    pub(super) async fn counts_t(&self) -> Result<JobCounts, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT board_path, count(*) FROM jobs GROUP BY board_path",
                &[],
            )
            .await?;
        let per_board = rows
            .iter()
            .map(|r| {
                let n: i64 = r.get(1);
                (PathBuf::from(r.get::<_, String>(0)), n.max(0) as usize)
            })
            .collect();
        let newest: i64 = client
            .query_one("SELECT coalesce(max(id), 0)::int8 FROM jobs", &[])
            .await?
            .get(0);
        Ok(JobCounts {
            per_board,
            newest,
            listed_from: 0,
        })
    }

    pub(super) async fn change_cursor_t(&self) -> Result<ChangeCursor, StoreError> {
        let client = self.pool.get().await?;
        let xmin: i64 = client.query_one(SNAPSHOT_XMIN, &[]).await?.get(0);
        Ok(ChangeCursor(xmin))
    }

    /// Rows whose last visible change was written by a transaction at or past `cursor`.
    /// The next cursor is the oldest transaction still running when this read began (its
    /// snapshot's xmin, taken before the rows): every transaction the rows could not show
    /// has an id at or past it, so one that drew a lower id than a change read here but
    /// committed after this read is read next time. Rows of transactions that had already
    /// finished may come again (idempotent); a change is never skipped. The reader never
    /// takes a transaction id itself, so an idle team's cursor catches up to the newest.
    pub(super) async fn changed_since_t(
        &self,
        cursor: ChangeCursor,
    ) -> Result<Changes, StoreError> {
        let client = self.pool.get().await?;
        let c: &tokio_postgres::Client = &client;
        // One statement, so the cursor and the rows come from one snapshot: the cursor is
        // the first column of every row, and the one row with no job when none changed.
        let sql = format!(
            "SELECT {VIEW_COLUMNS}, x.next
               FROM ({SNAPSHOT_XMIN} AS next) x
               LEFT JOIN jobs j ON j.changed_xid >= $1
              ORDER BY j.id"
        );
        let rows = c.query(&sql, &[&cursor.0]).await?;
        let next: i64 = rows.first().map_or(cursor.0, |r| r.get(VIEW_WIDTH));
        let changed: Vec<_> = rows
            .into_iter()
            .filter(|r| r.get::<_, Option<JobId>>(0).is_some())
            .collect();
        Ok(Changes {
            jobs: views_of_rows(c, &self.submitter.host, &changed).await?,
            next: ChangeCursor(next).max(cursor),
        })
    }

    pub(super) async fn widest_t(&self, filter: ListFilter) -> Result<Option<usize>, StoreError> {
        let client = self.pool.get().await?;
        let widest: Option<i64> = client
            .query_one(
                "SELECT CASE WHEN count(*) = 0 THEN NULL \
                 ELSE coalesce(max(length(task_id)), 0)::int8 END \
                 FROM jobs WHERE ($1::text IS NULL OR board_path = $1)",
                &[&board_text(&filter.board_path)],
            )
            .await?
            .get(0);
        Ok(widest.map(|n| n.max(0) as usize))
    }

    pub(super) async fn retries_t(&self, id: JobId) -> Result<Vec<(JobId, JobPhase)>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT id, phase FROM jobs WHERE retry_of = $1 ORDER BY id",
                &[&id],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let child: JobId = r.get(0);
                Ok((child, super::parse_phase(child, r.get(1))?))
            })
            .collect()
    }
}
