//! The queue's `/` filter: the store matches the text (a query per page, a count for
//! `k of n`), so filtering never loads the history; this keeps the matching pages read so
//! far, like the unfiltered lists in the parent module.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use super::{JobBook, Listing, PAGE_AHEAD, PAGE_ROWS, Visible};
use shotdeck_core::jobs::{JobCmd, JobId, JobView};

#[derive(Debug)]
pub(super) struct Filtered {
    /// The list filtered: `Some(board)`'s, or every board's.
    board: Option<PathBuf>,
    text: String,
    listing: Listing,
    /// How many jobs match in the store, once the first page says.
    matching: Option<usize>,
    /// The page asked for and not answered yet: a held key asks once.
    asked: Cell<Option<JobId>>,
}

impl JobBook {
    /// Filters the queue's list (`board`'s, or every board's) by `text`, or shows it whole
    /// again when `text` is `None`: returns the first page to ask the engine for.
    pub fn set_filter(&mut self, board: Option<PathBuf>, text: Option<&str>) -> Option<JobCmd> {
        let Some(text) = text.filter(|t| !t.is_empty()) else {
            self.filtered = None;
            return None;
        };
        self.filtered = Some(Filtered {
            board: board.clone(),
            text: text.to_string(),
            listing: Listing {
                ids: Vec::new(),
                floor: JobId::MAX,
                ended: false,
            },
            matching: None,
            asked: Cell::new(Some(JobId::MAX)),
        });
        Some(JobCmd::Page {
            board,
            below: JobId::MAX,
            limit: PAGE_ROWS,
            filter: Some(text.to_string()),
        })
    }

    /// The filter in force over the list `board`/`all` names, if any.
    pub(super) fn filtered_for(&self, board: &Path, all: bool) -> Option<&Filtered> {
        let scope = (!all).then_some(board);
        self.filtered
            .as_ref()
            .filter(|f| f.board.as_deref() == scope)
    }

    /// A filtered page from the engine, kept when it answers the filter in force (an
    /// answer to a filter typed over since is dropped).
    pub fn filtered_page(&mut self, page: FilteredPage) {
        let Some(f) = self.filtered.as_mut() else {
            return;
        };
        if f.board != page.board || f.text != page.text || f.asked.get() != Some(page.below) {
            return;
        }
        f.asked.set(None);
        f.matching = page.matching.or(f.matching);
        f.listing.ended = page.ended;
        if let Some(lowest) = page.jobs.iter().map(|j| j.id).min() {
            f.listing.floor = lowest;
        }
        // Newest first and all below the rows already listed.
        f.listing.ids.extend(page.jobs.iter().map(|j| j.id));
        for job in page.jobs {
            self.keep(job);
        }
    }

    /// The filtered list, when a filter is in force over `board`/`all`'s list.
    pub(super) fn filtered_visible(&self, board: &Path, all: bool) -> Option<Visible<'_>> {
        let f = self.filtered_for(board, all)?;
        let ids = f.listing.ids.as_slice();
        Some(Visible {
            book: self,
            ids,
            total: f.matching.unwrap_or(ids.len()),
        })
    }

    /// How many jobs `board`/`all`'s list holds, filter or not.
    pub fn unfiltered_total(&self, board: &Path, all: bool) -> usize {
        self.counts.of((!all).then_some(board))
    }

    /// Stores a job read from the store (a page's row), keeping the in-flight count.
    pub(super) fn keep(&mut self, job: JobView) {
        self.active += usize::from(job.phase.is_active());
        if let Some(old) = self.jobs.insert(job.id, job) {
            self.active -= usize::from(old.phase.is_active());
        }
    }

    /// The next filtered page once the selection nears the last row read.
    pub(super) fn filtered_page_wanted(&self, f: &Filtered, selected: usize) -> Option<JobCmd> {
        let l = &f.listing;
        if l.ended || selected + PAGE_AHEAD < l.ids.len() || f.asked.get().is_some() {
            return None;
        }
        f.asked.set(Some(l.floor));
        Some(JobCmd::Page {
            board: f.board.clone(),
            below: l.floor,
            limit: PAGE_ROWS,
            filter: Some(f.text.clone()),
        })
    }
}

/// [`shotdeck_core::jobs::JobEvent::Page`] for a filter.
pub struct FilteredPage {
    pub board: Option<PathBuf>,
    pub below: JobId,
    pub jobs: Vec<JobView>,
    pub ended: bool,
    pub text: String,
    pub matching: Option<usize>,
}
