//! Paging the queue's unfiltered lists: the engine reads the history a page at a time as
//! the selection nears the last loaded row, and each answer extends the list's prefix.

use std::path::{Path, PathBuf};

use super::{JobBook, PAGE_AHEAD, PAGE_ROWS};
use shotdeck_core::jobs::{JobCmd, JobId, JobView};

impl JobBook {
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
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use super::super::tests::job;
    use crate::model::jobs::{JobBook, PAGE_ROWS};
    use shotdeck_core::jobs::{JobCmd, JobCounts, JobId, JobPhase, JobView};

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
