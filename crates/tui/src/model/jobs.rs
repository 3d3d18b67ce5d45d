//! The jobs the engine has told us about, keyed by id. The engine owns the truth; this is
//! the UI's latest view of it: the unfinished jobs, the newest page and the pages the
//! queue scrolled to, never the whole history.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use shotdeck_core::jobs::{JobCounts, JobId, JobPhase, JobView};

/// Rows read per page request.
pub const PAGE_ROWS: usize = 100;
/// How close to the last loaded row the selection gets before the next page is asked for.
const PAGE_AHEAD: usize = 50;
/// The queue's `/` filter, read from the store a page at a time.
#[path = "jobs_filtered.rs"]
pub mod filtered;
/// Pages of the unfiltered lists, asked for as the selection nears the end.
#[path = "jobs_paging.rs"]
mod paging;

/// One queue view's list: every id of its jobs at or above `floor`, newest first (a
/// prefix of the full list); `ended` once the store has nothing below.
#[derive(Debug, Default)]
struct Listing {
    ids: Vec<JobId>,
    floor: JobId,
    ended: bool,
}

impl Listing {
    fn starting_at(floor: JobId) -> Listing {
        Listing {
            ids: Vec::new(),
            floor,
            ended: floor == 0,
        }
    }

    /// Inserts `id` keeping the list newest (highest id) first, if it is in the prefix.
    fn insert(&mut self, id: JobId) {
        if id < self.floor {
            return;
        }
        let at = self.ids.partition_point(|&x| x > id);
        if self.ids.get(at) != Some(&id) {
            self.ids.insert(at, id);
        }
    }
}

#[derive(Debug, Default)]
pub struct JobBook {
    jobs: BTreeMap<JobId, JobView>,
    /// Every board's list and each board's, kept on updates so a frame reads only the
    /// rows it shows.
    all: Listing,
    by_board: HashMap<PathBuf, Listing>,
    /// Where a board's list starts when we first hear of the board.
    initial_floor: JobId,
    counts: JobCounts,
    /// Jobs still in flight: the UI ticks only while this is non-zero.
    active: usize,
    /// Pages asked for (list, below): a held key asks once.
    asked: RefCell<HashSet<(Option<PathBuf>, JobId)>>,
    filtered: Option<filtered::Filtered>,
    /// The engine has not yet sent the history (it starts after the first frame).
    pub(crate) loading: bool,
}

/// The jobs one queue view lists, newest first, read by index.
pub struct Visible<'a> {
    book: &'a JobBook,
    ids: &'a [JobId],
    total: usize,
}

impl<'a> Visible<'a> {
    /// The rows loaded so far (a prefix of [`Visible::total`]).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// How many jobs the list has in the store.
    pub fn total(&self) -> usize {
        self.total.max(self.ids.len())
    }

    pub fn get(&self, i: usize) -> Option<&'a JobView> {
        self.ids.get(i).and_then(|id| self.book.jobs.get(id))
    }
}

impl JobBook {
    /// An empty book waiting for the history.
    pub fn loading() -> JobBook {
        JobBook {
            loading: true,
            ..JobBook::default()
        }
    }

    /// `initial` is the whole history unless `counts` says how much more the store holds.
    pub fn new(initial: Vec<JobView>, counts: Option<JobCounts>) -> JobBook {
        let counts = counts.unwrap_or_else(|| JobCounts::of_views(&initial));
        let mut book = JobBook {
            all: Listing::starting_at(counts.listed_from),
            initial_floor: counts.listed_from,
            counts,
            ..JobBook::default()
        };
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
        self.all.insert(id);
        self.board_listing(&job.board_path).insert(id);
        if !self.jobs.contains_key(&id) {
            self.counts.add_new(&job);
        }
        let old = self.jobs.insert(id, job)?;
        if old.phase.is_active() {
            self.active -= 1;
        }
        Some(old)
    }

    fn board_listing(&mut self, board: &Path) -> &mut Listing {
        let floor = self.initial_floor;
        self.by_board
            .entry(board.to_path_buf())
            .or_insert_with(|| Listing::starting_at(floor))
    }

    fn listing(&self, board: &Path, all: bool) -> Option<&Listing> {
        if all {
            Some(&self.all)
        } else {
            self.by_board.get(board)
        }
    }

    pub fn get(&self, id: JobId) -> Option<&JobView> {
        self.jobs.get(&id)
    }

    /// Newest first; only `board`'s jobs unless `all`.
    pub fn visible(&self, board: &Path, all: bool) -> Visible<'_> {
        if let Some(list) = self.filtered_visible(board, all) {
            return list;
        }
        let ids: &[JobId] = self.listing(board, all).map_or(&[], |l| l.ids.as_slice());
        let total = self.counts.of((!all).then_some(board));
        Visible {
            book: self,
            ids,
            total,
        }
    }

    /// True while any job needs the engine: the UI ticks (spinners, elapsed) only then.
    pub fn any_active(&self) -> bool {
        self.active > 0
    }

    /// The first job still in flight, for the quit confirmation. Every unfinished job is
    /// loaded (the engine starts us with them and reports each change), so none is missed.
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

    /// How many jobs the store holds for every board.
    pub fn len(&self) -> usize {
        self.counts.of(None).max(self.jobs.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shotdeck_core::Provider;

    pub(super) fn job(id: JobId, board: &str, phase: JobPhase) -> JobView {
        JobView {
            board_key: Default::default(),
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
            take: id as u32,
            keeper: false,
            retry_of_take: None,
            submitted_by: None,
        }
    }

    fn ids(v: &Visible) -> Vec<JobId> {
        (0..v.len()).map(|i| v.get(i).unwrap().id).collect()
    }

    #[test]
    fn lists_newest_first_per_board_or_all_whatever_the_arrival_order() {
        let book = JobBook::new(
            vec![
                job(2, "a.json", JobPhase::Done),
                job(5, "b.json", JobPhase::Done),
                job(1, "a.json", JobPhase::Failed),
                job(4, "a.json", JobPhase::Done),
            ],
            None,
        );
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
        let mut book = JobBook::new(vec![job(1, "a.json", JobPhase::Done)], None);
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
