//! Reading the history a page at a time: the editor and `jobs` never hold every job, so
//! their cost does not grow with it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::params;

use super::read::VIEW_COLUMNS;
use super::{ListFilter, Store, StoreError};
use crate::filter_text::{contains_pattern, named_take};
use crate::phase;
use shotdeck_core::jobs::{JobCounts, JobId, JobView};

/// Rows read per query when streaming a whole list.
const STREAM_CHUNK: usize = 500;

/// A job matches a filter when any of these contains the text (`?3`, a LIKE pattern):
/// id, external id, task id, board title and path, phase, provider, model; or when the text
/// names its take (`?4`, the number of "take N", NULL for any other text).
const MATCHES: &str = "(CAST(id AS TEXT) LIKE ?3 ESCAPE '\\' \
     OR external_task_id LIKE ?3 ESCAPE '\\' OR task_id LIKE ?3 ESCAPE '\\' \
     OR board_title LIKE ?3 ESCAPE '\\' OR board_path LIKE ?3 ESCAPE '\\' \
     OR phase LIKE ?3 ESCAPE '\\' OR provider LIKE ?3 ESCAPE '\\' \
     OR json_extract(board_json, '$.model') LIKE ?3 ESCAPE '\\' OR take = ?4)";

impl Store {
    /// `limit` jobs newest first with ids below `below`: `board`'s only, or every board's.
    /// Both forms walk an index (`jobs_by_board` ends in the id, or the primary key) down.
    pub fn page(
        &self,
        board: Option<&Path>,
        below: JobId,
        limit: usize,
    ) -> Result<Vec<JobView>, StoreError> {
        let limit = limit as i64;
        match board {
            Some(b) => self.views(
                &format!(
                    "SELECT {VIEW_COLUMNS} FROM jobs WHERE board_path = ?1 AND id < ?2 \
                     ORDER BY id DESC LIMIT ?3"
                ),
                params![b.to_string_lossy(), below, limit],
            ),
            None => self.views(
                &format!("SELECT {VIEW_COLUMNS} FROM jobs WHERE id < ?1 ORDER BY id DESC LIMIT ?2"),
                params![below, limit],
            ),
        }
    }

    /// Like [`Store::page`], only the jobs whose id, external id, task id, board (title or
    /// path), phase, provider or model contain `text` (ASCII letters in any case; `%` and
    /// `_` are plain characters), or whose take it names ("take 3", see [`named_take`]).
    /// The filter is the query's, so a long history is never loaded to filter it.
    pub fn page_matching(
        &self,
        board: Option<&Path>,
        below: JobId,
        limit: usize,
        text: &str,
    ) -> Result<Vec<JobView>, StoreError> {
        let board = board.map(|b| b.to_string_lossy().into_owned());
        self.views(
            &format!(
                "SELECT {VIEW_COLUMNS} FROM jobs WHERE (?1 IS NULL OR board_path = ?1) \
                 AND id < ?2 AND {MATCHES} ORDER BY id DESC LIMIT ?5"
            ),
            params![
                board,
                below,
                contains_pattern(text),
                named_take(text),
                limit as i64
            ],
        )
    }

    /// How many jobs [`Store::page_matching`] would list in all.
    pub fn count_matching(&self, board: Option<&Path>, text: &str) -> Result<usize, StoreError> {
        let board = board.map(|b| b.to_string_lossy().into_owned());
        let n: i64 = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM jobs WHERE (?1 IS NULL OR board_path = ?1) AND {MATCHES}"
            ),
            // `MATCHES` reads its pattern from ?3: ?2 (a page's bound) is unused here.
            params![
                board,
                rusqlite::types::Null,
                contains_pattern(text),
                named_take(text)
            ],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as usize)
    }

    /// Jobs not yet done or failed (needing attention included), oldest first.
    pub fn unfinished(&self) -> Result<Vec<JobView>, StoreError> {
        self.views(
            &format!(
                "SELECT {VIEW_COLUMNS} FROM jobs WHERE {} ORDER BY id",
                *phase::UNFINISHED
            ),
            [],
        )
    }

    /// How many jobs each board has, from the table the insert trigger keeps current.
    pub fn counts(&self) -> Result<JobCounts, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT board_path, jobs FROM job_counts WHERE jobs > 0")?;
        let per_board = stmt
            .query_map([], |r| {
                Ok((
                    PathBuf::from(r.get::<_, String>(0)?),
                    r.get::<_, i64>(1)?.max(0) as usize,
                ))
            })?
            .collect::<Result<HashMap<_, _>, _>>()?;
        let newest = self
            .conn
            .query_row("SELECT COALESCE(max(id), 0) FROM jobs", [], |r| r.get(0))?;
        Ok(JobCounts {
            per_board,
            newest,
            listed_from: 0,
        })
    }

    /// Hands every job matching `filter` to `each`, newest first, reading a chunk of rows
    /// at a time (keyset on id), so a listing holds one chunk however long the history.
    /// `each` stops the walk by returning an error.
    pub fn for_each_view<E: From<StoreError>>(
        &self,
        filter: &ListFilter,
        mut each: impl FnMut(JobView) -> Result<(), E>,
    ) -> Result<(), E> {
        let board = filter.board_path.as_deref();
        let mut left = filter.limit.unwrap_or(usize::MAX);
        let mut below = JobId::MAX;
        while left > 0 {
            let chunk = self.page(board, below, left.min(STREAM_CHUNK))?;
            let Some(last) = chunk.last() else {
                break;
            };
            below = last.id;
            left -= chunk.len();
            for view in chunk {
                each(view)?;
            }
        }
        Ok(())
    }

    /// The longest task id (in characters) among `filter`'s jobs, 0 when none has one;
    /// `None` when no job matches. Lets a table fix its columns before streaming rows.
    pub fn widest_task_id(&self, filter: &ListFilter) -> Result<Option<usize>, StoreError> {
        let board = filter
            .board_path
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        let widest: Option<i64> = self.conn.query_row(
            "SELECT CASE WHEN count(*) = 0 THEN NULL ELSE COALESCE(max(length(task_id)), 0) END \
             FROM jobs WHERE (?1 IS NULL OR board_path = ?1)",
            params![board],
            |r| r.get(0),
        )?;
        Ok(widest.map(|n| n.max(0) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{JobChange, NewJob};
    use shotdeck_core::Provider;
    use shotdeck_core::compose::{PlaceholderImages, compose};
    use shotdeck_core::jobs::JobPhase;
    use shotdeck_core::model::Board;

    /// 1,203 jobs, every third on board B (more than two stream chunks); job 2 is
    /// finished, the rest queued.
    fn history() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        let board = Board::starter();
        let request = compose(&board, Provider::Kling, &PlaceholderImages, "x").unwrap();
        for n in 1..=1_203 {
            let path = if n % 3 == 0 { "/b.json" } else { "/a.json" };
            let job = NewJob {
                board_key: None,
                board_path: PathBuf::from(path),
                board: board.clone(),
                provider: Provider::Kling,
                request: request.clone(),
                external_task_id: format!("shotdeck-{n}"),
                estimated_usd: None,
                retry_of: None,
            };
            s.insert_job(&job, "me", 10_000, n).unwrap();
        }
        let fail = JobChange::phase(JobPhase::Failed);
        s.apply(2, "me", &fail, 2_000).unwrap();
        s
    }

    fn ids(views: &[JobView]) -> Vec<JobId> {
        views.iter().map(|v| v.id).collect()
    }

    #[test]
    fn pages_walk_down_by_id_per_board_or_across_boards() {
        let s = history();
        assert_eq!(
            ids(&s.page(None, JobId::MAX, 3).unwrap()),
            [1203, 1202, 1201]
        );
        assert_eq!(ids(&s.page(None, 1201, 2).unwrap()), [1200, 1199]);
        let b = Some(Path::new("/b.json"));
        assert_eq!(ids(&s.page(b, 1200, 3).unwrap()), [1197, 1194, 1191]);
        assert_eq!(ids(&s.page(b, 4, 3).unwrap()), [3]);
        assert!(
            s.page(Some(Path::new("/c.json")), JobId::MAX, 3)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn filtered_pages_match_any_column_in_any_case_and_take_wildcards_literally() {
        let s = history();
        let b = Some(Path::new("/b.json"));
        // External ids end in the job's number: "-120" is in 1200..=1203 and 120.
        let matching = |board, below, text| ids(&s.page_matching(board, below, 10, text).unwrap());
        assert_eq!(
            matching(None, JobId::MAX, "SHOTDECK-120"),
            [1203, 1202, 1201, 1200, 120]
        );
        assert_eq!(matching(b, JobId::MAX, "-120"), [1203, 1200, 120]);
        assert_eq!(matching(b, 1200, "-120"), [120], "the next page");
        assert_eq!(s.count_matching(None, "shotdeck-120").unwrap(), 5);
        assert_eq!(s.count_matching(b, "-120").unwrap(), 3);
        // The phase, the provider, the board's path and its model.
        assert_eq!(matching(None, JobId::MAX, "FAILED"), [2]);
        assert_eq!(s.count_matching(None, "kling").unwrap(), 1_203);
        assert_eq!(s.count_matching(None, "b.js").unwrap(), 401);
        let model = Board::starter().model;
        assert_eq!(s.count_matching(None, &model).unwrap(), 1_203);
        // `%` and `_` are the user's characters, not wildcards.
        assert_eq!(s.count_matching(None, "%").unwrap(), 0);
        assert_eq!(s.count_matching(None, "shotdeck_1").unwrap(), 0);
        assert_eq!(contains_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[test]
    fn take_n_lists_that_take_of_each_board_and_take_alone_is_plain_text() {
        let s = history();
        let b = Some(Path::new("/b.json"));
        let matching = |board, text| ids(&s.page_matching(board, JobId::MAX, 10, text).unwrap());
        // Takes count per board: every third job is b's, so take 3 is job 4 on a and job 9
        // on b. The queue says "Take 3"; any case and spacing names it.
        for text in ["take 3", "Take 3", "TAKE3", "  take  3 "] {
            assert_eq!(matching(None, text), [9, 4], "{text:?}");
        }
        assert_eq!(matching(b, "take 3"), [9]);
        assert_eq!(s.count_matching(None, "take 3").unwrap(), 2);
        assert_eq!(s.count_matching(b, "take 3").unwrap(), 1);
        // The number is the whole take, not its first digits (b has takes 10 to 19).
        assert_eq!(matching(b, "take 1"), [3]);
        // a's last take is its 802nd; none is numbered past it.
        assert_eq!(matching(None, "take 802"), [1202]);
        // No number, another word or a number past every take is only text, which no
        // job's columns contain: "take" alone does not list the whole history.
        let texts = ["take", "take ", "take x", "take 3x", "retake 3", "take 803"];
        for text in texts.into_iter().chain(["take 4294967296"]) {
            assert_eq!(s.count_matching(None, text).unwrap(), 0, "{text:?}");
        }
    }

    #[test]
    fn counts_come_from_the_trigger_kept_table() {
        let s = history();
        let counts = s.counts().unwrap();
        assert_eq!(counts.of(Some(Path::new("/b.json"))), 401);
        assert_eq!(counts.of(Some(Path::new("/a.json"))), 802);
        assert_eq!(counts.of(None), 1_203);
        assert_eq!(counts.newest, 1_203);
    }

    #[test]
    fn unfinished_jobs_skip_the_finished_ones() {
        let s = history();
        let unfinished = s.unfinished().unwrap();
        assert_eq!(unfinished.len(), 1_202);
        assert!(!ids(&unfinished).contains(&2));
    }

    #[test]
    fn streaming_visits_every_row_once_newest_first_and_stops_when_asked() {
        let s = history();
        let mut seen = Vec::new();
        s.for_each_view(&ListFilter::default(), |v| {
            seen.push(v.id);
            Ok::<(), StoreError>(())
        })
        .unwrap();
        assert_eq!(seen, (1..=1_203).rev().collect::<Vec<_>>());
        let board_b = ListFilter {
            board_path: Some(PathBuf::from("/b.json")),
            limit: Some(501),
        };
        let mut on_b = 0;
        s.for_each_view(&board_b, |v| {
            assert_eq!(v.board_path, Path::new("/b.json"));
            on_b += 1;
            Ok::<(), StoreError>(())
        })
        .unwrap();
        assert_eq!(on_b, 401, "the limit is above the board's count");
        let mut first_two = 0;
        let stopped = s.for_each_view(&ListFilter::default(), |_| {
            first_two += 1;
            if first_two == 2 {
                return Err(StoreError::NotFound(0));
            }
            Ok(())
        });
        assert!(matches!(stopped, Err(StoreError::NotFound(0))));
        assert_eq!(first_two, 2);
    }

    #[test]
    fn the_widest_task_id_sizes_the_table_and_none_means_no_jobs() {
        let s = history();
        assert_eq!(s.widest_task_id(&ListFilter::default()).unwrap(), Some(0));
        let none = ListFilter {
            board_path: Some(PathBuf::from("/c.json")),
            limit: None,
        };
        assert_eq!(s.widest_task_id(&none).unwrap(), None);
    }
}
