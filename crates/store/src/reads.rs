//! What the store's readers are handed: the change cursor and what changed since it, a
//! page of the history, and the change feed that wakes an idle reader (see
//! [`crate::JobStore`]).

use std::path::PathBuf;

use shotdeck_core::jobs::{JobId, JobView};

/// Where a reader of [`JobStore::changed_since`] stands: opaque, handed out by the store
/// (a commit-ordered number, never a clock), so no writer's clock can hide a change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeCursor(pub(crate) i64);

/// What changed since a cursor, and the cursor to read from next.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Jobs changed since the cursor (one may come again in a later read: re-reads are
    /// idempotent, and a missed change is not).
    pub jobs: Vec<JobView>,
    pub next: ChangeCursor,
}

/// A page of the history, newest first ([`JobStore::page`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageQuery {
    /// One board's jobs, or every board's.
    pub board: Option<PathBuf>,
    /// Only ids below this one (`JobId::MAX` for the first page).
    pub below: JobId,
    pub limit: usize,
    /// Only jobs whose id, external id, task id, board, phase, provider or model contain
    /// this text, or whose take it names ("take 3").
    pub filter: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobPage {
    pub jobs: Vec<JobView>,
    /// With a filter, on the first page: how many jobs match in all.
    pub matching: Option<usize>,
}
