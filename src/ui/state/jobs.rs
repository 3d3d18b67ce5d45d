//! The jobs the engine has told us about, keyed by id. The engine owns the truth; this is
//! the UI's latest view of it: the unfinished jobs, the newest page and the pages the
//! queue scrolled to, never the whole history.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::engine::events::{JobCmd, JobCounts, JobId, JobPhase, JobView};

/// Rows read per page request.
pub const PAGE_ROWS: usize = 100;
/// How close to the last loaded row the selection gets before the next page is asked for.
const PAGE_AHEAD: usize = 50;
/// The queue's `/` filter, read from the store a page at a time.
#[path = "jobs_filtered.rs"]
pub mod filtered;

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
    pub(in crate::ui) loading: bool,
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

    /// The engine's answer to [`JobBook::page_wanted`]'s request: extends the list's
    /// prefix down to the page's last row.
    pub fn page(&mut self, board: Option<PathBuf>, below: JobId, jobs: Vec<JobView>, ended: bool) {
        self.asked.get_mut().remove(&(board.clone(), below));
        let floor = match jobs.iter().map(|j| j.id).min() {
            Some(lowest) if !ended => lowest,
            _ => 0,
        };
        // The page was read after every event sent before it: its rows are the newest.
        for job in jobs {
            self.keep(job);
        }
        let listing_floor = match &board {
            Some(b) => self.board_listing(b).floor,
            None => self.all.floor,
        };
        // A page from below an older floor (asked twice) is already in the list.
        if below > listing_floor {
            return;
        }
        // Loaded jobs in the new stretch: the page's, and unfinished ones loaded earlier.
        let ids: Vec<JobId> = self
            .jobs
            .range(floor..below)
            .filter(|(_, j)| board.as_ref().is_none_or(|b| j.board_path == *b))
            .map(|(&id, _)| id)
            .collect();
        let listing = match &board {
            Some(b) => self.board_listing(b),
            None => &mut self.all,
        };
        listing.floor = floor;
        listing.ended = ended;
        for id in ids {
            listing.insert(id);
        }
    }

    /// The page to ask the engine for when `selected` nears the end of what is loaded.
    pub fn page_wanted(&self, board: &Path, all: bool, selected: usize) -> Option<JobCmd> {
        if let Some(f) = self.filtered_for(board, all) {
            return self.filtered_page_wanted(f, selected);
        }
        let (loaded, floor) = match self.listing(board, all) {
            Some(l) if l.ended || selected + PAGE_AHEAD < l.ids.len() => return None,
            Some(l) => (l.ids.len(), l.floor),
            None if self.initial_floor == 0 => return None,
            None => (0, self.initial_floor),
        };
        let key = ((!all).then(|| board.to_path_buf()), floor);
        if loaded >= self.visible(board, all).total || !self.asked.borrow_mut().insert(key.clone())
        {
            return None;
        }
        Some(JobCmd::Page {
            board: key.0,
            below: floor,
            limit: PAGE_ROWS,
            filter: None,
        })
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
            take: id as u32,
            keeper: false,
            retry_of_take: None,
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

    /// A store of jobs 1..=100 on boards a (odd) and b (even), of which the engine's
    /// first page held 81..=100 and the unfinished job 7.
    fn paged_book() -> JobBook {
        let board = |id: JobId| if id % 2 == 1 { "a.json" } else { "b.json" };
        let mut initial: Vec<JobView> = (81..=100)
            .rev()
            .map(|id| job(id, board(id), JobPhase::Done))
            .collect();
        initial.push(job(7, "a.json", JobPhase::Processing));
        let counts = JobCounts {
            per_board: HashMap::from([("a.json".into(), 50), ("b.json".into(), 50)]),
            newest: 100,
            listed_from: 81,
        };
        JobBook::new(initial, Some(counts))
    }

    #[test]
    fn a_long_history_lists_its_first_page_and_counts_the_rest() {
        let mut book = paged_book();
        let a = Path::new("a.json");
        let list = book.visible(a, false);
        assert_eq!((list.len(), list.total()), (10, 50));
        assert_eq!(list.get(0).unwrap().id, 99);
        assert_eq!(list.get(9).unwrap().id, 81, "job 7 waits for its page");
        assert!(book.any_active());
        assert_eq!(book.in_flight().unwrap().id, 7);
        assert_eq!(book.len(), 100);
        book.update(job(101, "a.json", JobPhase::Queued));
        let list = book.visible(a, false);
        assert_eq!((list.len(), list.total()), (11, 51));
        book.update(job(101, "a.json", JobPhase::Submitted));
        assert_eq!(book.visible(a, true).total(), 101, "counted once");
    }

    #[test]
    fn scrolling_near_the_end_asks_once_per_page_and_pages_extend_the_list() {
        let mut book = paged_book();
        let a = Path::new("a.json");
        let Some(JobCmd::Page {
            board,
            below,
            limit,
            filter: None,
        }) = book.page_wanted(a, false, 0)
        else {
            panic!("the first page of a long list is wanted");
        };
        assert_eq!((board.as_deref(), below, limit), (Some(a), 81, PAGE_ROWS));
        assert!(book.page_wanted(a, false, 1).is_none(), "already asked");
        let page: Vec<JobView> = (1..81)
            .rev()
            .filter(|id| id % 2 == 1)
            .map(|id| job(id, "a.json", JobPhase::Done))
            .take(30)
            .collect();
        book.page(board, below, page, false);
        let list = book.visible(a, false);
        assert_eq!(list.len(), 40);
        assert_eq!(list.get(39).unwrap().id, 21);
        assert!(
            book.page_wanted(a, false, 0).is_some(),
            "50 rows ahead reach the end"
        );
        let rest = [19, 17, 15, 13, 11, 9, 7, 5, 3, 1].map(|id| job(id, "a.json", JobPhase::Done));
        book.page(Some(a.into()), 21, rest.to_vec(), true);
        let list = book.visible(a, false);
        assert_eq!((list.len(), list.total()), (50, 50));
        assert_eq!(list.get(49).unwrap().id, 1);
        assert!(!book.any_active(), "job 7's page says it is done");
        assert!(book.page_wanted(a, false, 49).is_none(), "the list ended");
    }
}
