//! Takes: every job is a numbered take of its board (numbered when inserted, see
//! `write::insert_row`), and one take per board may be the keeper.
//!
//! One keeper per board, not several: the keeper is the video the user settled on, so
//! `jobs --json` consumers (an edit script, an export) find exactly one per board, and
//! marking another take moves the mark instead of leaving two to choose between. Shortlists
//! are what the compare marks in the editor are for.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError, parse_phase};
use crate::KeeperError;
use shotdeck_core::jobs::{JobId, JobPhase, JobView};

impl Store {
    /// Makes `id` its board's keeper (`keep`), moving the mark from the take that had it,
    /// or clears the mark from `id`. Returns every job whose mark changed, so a front end
    /// can redraw both rows; empty when nothing changed. Touches `updated_at`, so other
    /// processes' watches see the change.
    pub fn set_keeper(
        &mut self,
        id: JobId,
        keep: bool,
        now: i64,
    ) -> Result<Vec<JobView>, KeeperError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let row: Option<(String, String, String, bool)> = tx
            .query_row(
                "SELECT project_id, board_rel, phase, keeper FROM jobs WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(StoreError::from)?;
        let (project, board, phase, is_keeper) = row.ok_or(StoreError::NotFound(id))?;
        let phase = parse_phase(id, &phase)?;
        if keep && phase != JobPhase::Done {
            return Err(KeeperError::NotDone { id, phase });
        }
        if keep == is_keeper {
            return Ok(Vec::new());
        }
        let mut changed = Vec::new();
        if keep {
            let previous: Option<JobId> = tx
                .query_row(
                    "SELECT id FROM jobs WHERE project_id = ?1 AND board_rel = ?2 AND keeper = 1",
                    params![project, board],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StoreError::from)?;
            changed.extend(previous);
            // Cleared first: the partial unique index allows one keeper per board.
            tx.execute(
                "UPDATE jobs SET keeper = 0, updated_at = ?3 \
                 WHERE project_id = ?1 AND board_rel = ?2 AND keeper = 1",
                params![project, board, now],
            )
            .map_err(StoreError::from)?;
        }
        tx.execute(
            "UPDATE jobs SET keeper = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, keep, now],
        )
        .map_err(StoreError::from)?;
        tx.commit().map_err(StoreError::from)?;
        changed.push(id);
        let mut views = Vec::with_capacity(changed.len());
        for job in changed {
            views.extend(self.view(job)?);
        }
        Ok(views)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::sqlite::tests::new_job;
    use crate::{JobChange, NewJob};

    const OWNER: &str = "engine-t";

    fn on_board(ext: &str, board: &str) -> NewJob {
        NewJob {
            board_path: PathBuf::from(board),
            ..new_job(ext)
        }
    }

    fn done(s: &mut Store, id: JobId) {
        for phase in [
            JobPhase::Submitting,
            JobPhase::Submitted,
            JobPhase::Processing,
            JobPhase::Downloading,
            JobPhase::Done,
        ] {
            s.apply(id, OWNER, &JobChange::phase(phase), 5).unwrap();
        }
    }

    #[test]
    fn takes_count_per_board_and_a_retry_shows_what_it_retries() {
        let mut s = Store::open_in_memory().unwrap();
        let a1 = s
            .insert_job(&on_board("e1", "/a.json"), OWNER, 0, 1)
            .unwrap();
        let b1 = s
            .insert_job(&on_board("e2", "/b.json"), OWNER, 0, 2)
            .unwrap();
        let a2 = s
            .insert_job(&on_board("e3", "/a.json"), OWNER, 0, 3)
            .unwrap();
        let retry = NewJob {
            retry_of: Some(a1),
            ..on_board("e4", "/a.json")
        };
        let a3 = s.insert_job(&retry, OWNER, 0, 4).unwrap();
        let take = |s: &Store, id| s.view(id).unwrap().unwrap();
        assert_eq!(take(&s, a1).take, 1);
        assert_eq!(take(&s, b1).take, 1);
        assert_eq!(take(&s, a2).take, 2);
        assert_eq!(take(&s, a3).take, 3);
        assert_eq!(take(&s, a3).retry_of_take, Some(1));
        assert_eq!(take(&s, a2).retry_of_take, None);
    }

    #[test]
    fn one_keeper_per_board_moves_clears_and_needs_a_done_take() {
        let mut s = Store::open_in_memory().unwrap();
        let first = s
            .insert_job(&on_board("e1", "/a.json"), OWNER, i64::MAX, 1)
            .unwrap();
        let second = s
            .insert_job(&on_board("e2", "/a.json"), OWNER, i64::MAX, 2)
            .unwrap();
        let other = s
            .insert_job(&on_board("e3", "/b.json"), OWNER, i64::MAX, 3)
            .unwrap();
        let refused = s.set_keeper(first, true, 10).unwrap_err();
        assert!(
            matches!(
                refused,
                KeeperError::NotDone {
                    phase: JobPhase::Queued,
                    ..
                }
            ),
            "{refused}"
        );
        for id in [first, second, other] {
            done(&mut s, id);
        }
        let marked = s.set_keeper(first, true, 10).unwrap();
        assert_eq!(
            marked.iter().map(|v| (v.id, v.keeper)).collect::<Vec<_>>(),
            [(first, true)]
        );
        assert_eq!(marked[0].updated_at, 10);
        s.set_keeper(other, true, 11).unwrap();
        let moved = s.set_keeper(second, true, 12).unwrap();
        assert_eq!(
            moved.iter().map(|v| (v.id, v.keeper)).collect::<Vec<_>>(),
            [(first, false), (second, true)]
        );
        assert!(
            s.view(other).unwrap().unwrap().keeper,
            "another board keeps its own"
        );
        assert!(
            s.set_keeper(second, true, 13).unwrap().is_empty(),
            "already the keeper"
        );
        let cleared = s.set_keeper(second, false, 14).unwrap();
        assert_eq!(
            cleared.iter().map(|v| (v.id, v.keeper)).collect::<Vec<_>>(),
            [(second, false)]
        );
        assert!(matches!(
            s.set_keeper(99, false, 15),
            Err(KeeperError::Store(StoreError::NotFound(99)))
        ));
    }

    #[test]
    fn two_stores_submitting_one_board_at_once_get_distinct_takes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite3");
        Store::open(&path).unwrap();
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut s = Store::open(&path).unwrap();
                    (0..20)
                        .map(|n| {
                            let job = on_board(&format!("w{w}-{n}"), "/same.json");
                            s.insert_job(&job, OWNER, 0, n).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let ids: Vec<JobId> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        let s = Store::open(&path).unwrap();
        let mut takes: Vec<u32> = ids
            .iter()
            .map(|&id| s.view(id).unwrap().unwrap().take)
            .collect();
        takes.sort_unstable();
        assert_eq!(takes, (1..=40).collect::<Vec<u32>>());
    }
}
