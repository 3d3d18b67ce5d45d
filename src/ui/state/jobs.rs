//! The jobs the engine has told us about, keyed by id. The engine owns the truth; this is
//! the UI's latest view of it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::engine::events::{JobId, JobPhase, JobView};

#[derive(Debug, Default)]
pub struct JobBook {
    jobs: BTreeMap<JobId, JobView>,
    /// Every id, newest first, and the same per board: kept on updates so a frame reads
    /// only the rows it shows, however long the history (10 000 jobs stay cheap).
    newest_first: Vec<JobId>,
    by_board: HashMap<PathBuf, Vec<JobId>>,
    /// Jobs still in flight: the UI ticks only while this is non-zero.
    active: usize,
}

/// The jobs one queue view lists, newest first, read by index.
pub struct Visible<'a> {
    book: &'a JobBook,
    ids: &'a [JobId],
}

impl<'a> Visible<'a> {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'a JobView> {
        self.ids.get(i).and_then(|id| self.book.jobs.get(id))
    }
}

/// Inserts `id` keeping the list newest (highest id) first.
fn insert_newest_first(list: &mut Vec<JobId>, id: JobId) {
    let at = list.partition_point(|&x| x > id);
    if list.get(at) != Some(&id) {
        list.insert(at, id);
    }
}

impl JobBook {
    pub fn new(initial: Vec<JobView>) -> JobBook {
        let mut book = JobBook::default();
        for job in initial {
            book.update(job);
        }
        book
    }

    /// Stores a job's new state and returns the previous one.
    pub fn update(&mut self, job: JobView) -> Option<JobView> {
        let id = job.id;
        if job.phase.is_active() {
            self.active += 1;
        }
        insert_newest_first(&mut self.newest_first, id);
        insert_newest_first(self.by_board.entry(job.board_path.clone()).or_default(), id);
        let old = self.jobs.insert(id, job)?;
        if old.phase.is_active() {
            self.active -= 1;
        }
        Some(old)
    }

    pub fn get(&self, id: JobId) -> Option<&JobView> {
        self.jobs.get(&id)
    }

    /// Newest first; only `board`'s jobs unless `all`.
    pub fn visible(&self, board: &Path, all: bool) -> Visible<'_> {
        let ids: &[JobId] = if all {
            &self.newest_first
        } else {
            self.by_board.get(board).map(Vec::as_slice).unwrap_or(&[])
        };
        Visible { book: self, ids }
    }

    /// True while any job needs the engine: the UI ticks (spinners, elapsed) only then.
    pub fn any_active(&self) -> bool {
        self.active > 0
    }

    /// The first job still in flight, for the quit confirmation.
    pub fn in_flight(&self) -> Option<&JobView> {
        self.jobs.values().find(|j| {
            matches!(
                j.phase,
                JobPhase::Queued
                    | JobPhase::Submitting
                    | JobPhase::Submitted
                    | JobPhase::Processing
                    | JobPhase::Downloading
            )
        })
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Provider;

    fn job(id: JobId, board: &str, phase: JobPhase) -> JobView {
        JobView {
            id,
            board_path: PathBuf::from(board),
            board_title: String::new(),
            provider: Provider::Kling,
            external_task_id: format!("ext-{id}"),
            task_id: None,
            phase,
            status_msg: None,
            error: None,
            files: Vec::new(),
            seconds: 12.0,
            estimated_usd: None,
            units_charged: None,
            created_at: 0,
            updated_at: 0,
            finished_at: None,
        }
    }

    fn ids(v: &Visible) -> Vec<JobId> {
        (0..v.len()).map(|i| v.get(i).unwrap().id).collect()
    }

    #[test]
    fn lists_newest_first_per_board_or_all_whatever_the_arrival_order() {
        let book = JobBook::new(vec![
            job(2, "a.json", JobPhase::Done),
            job(5, "b.json", JobPhase::Done),
            job(1, "a.json", JobPhase::Failed),
            job(4, "a.json", JobPhase::Done),
        ]);
        assert_eq!(
            ids(&book.visible(Path::new("a.json"), false)),
            vec![4, 2, 1]
        );
        assert_eq!(ids(&book.visible(Path::new("b.json"), false)), vec![5]);
        assert_eq!(
            ids(&book.visible(Path::new("a.json"), true)),
            vec![5, 4, 2, 1]
        );
        assert!(book.visible(Path::new("c.json"), false).is_empty());
        assert!(book.visible(Path::new("a.json"), false).get(3).is_none());
    }

    #[test]
    fn updates_replace_without_duplicating_and_track_what_is_in_flight() {
        let mut book = JobBook::new(vec![job(1, "a.json", JobPhase::Done)]);
        assert!(!book.any_active());
        book.update(job(2, "a.json", JobPhase::Submitting));
        book.update(job(3, "a.json", JobPhase::Processing));
        assert!(book.any_active());
        book.update(job(2, "a.json", JobPhase::Processing));
        book.update(job(2, "a.json", JobPhase::Done));
        assert!(book.any_active(), "job 3 is still processing");
        book.update(job(3, "a.json", JobPhase::Failed));
        assert!(!book.any_active());
        assert_eq!(
            ids(&book.visible(Path::new("a.json"), false)),
            vec![3, 2, 1]
        );
        assert_eq!(book.len(), 3);
    }
}
