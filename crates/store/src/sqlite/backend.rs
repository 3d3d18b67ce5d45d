//! [`SqliteStore`]: the SQLite [`Store`] on its own thread, as a [`JobStore`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Store;
use super::db::Db;
use crate::{
    Adopted, CancelError, ChangeCursor, Changes, FileProgress, FileTarget, JobChange, JobPage,
    JobStore, KeeperError, LeaseTerms, LedgerEntry, ListFilter, NewJob, PageQuery, Refusal,
    Requeue, Resolution, ResolveError, Restart, Slot, StoreError, StoreFuture,
};
use shotdeck_core::budget::{Budget, OverBudget, UnitPrices};
use shotdeck_core::jobs::{JobCounts, JobId, JobPhase, JobRecord, JobView, PhaseEvent};

/// When a lease taken at `now` (the host's clock: one machine) for `lease` lapses.
fn until(now: i64, lease: Duration) -> i64 {
    now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
}

/// The SQLite job store served from one thread (rusqlite's calls block, and its
/// `Connection` is not `Sync`); the thread ends when the store is dropped.
pub struct SqliteStore {
    db: Db,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date,
    /// on the thread that then serves it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let path = path.to_path_buf();
        Self::serve(move || Store::open(&path))
    }

    /// A private in-memory store, for tests.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        Self::serve(Store::open_in_memory)
    }

    fn serve(
        open: impl FnOnce() -> Result<Store, StoreError> + Send + 'static,
    ) -> Result<SqliteStore, StoreError> {
        Ok(SqliteStore {
            db: Db::spawn(open)?,
        })
    }

    fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    ) -> StoreFuture<'_, R> {
        Box::pin(self.db.call(f))
    }

    /// Like `call`, for a transaction whose refusals have their own error type.
    fn call_or<R: Send + 'static, E: From<StoreError> + Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, E> + Send + 'static,
    ) -> StoreFuture<'_, R, E> {
        Box::pin(async move { self.db.call(move |s| Ok(f(s))).await? })
    }
}

impl JobStore for SqliteStore {
    fn insert_takes_within_budget(
        &self,
        jobs: Vec<NewJob>,
        budget: Budget,
        unit_prices: UnitPrices,
        owner: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Result<Vec<JobView>, OverBudget>> {
        let owner = owner.to_owned();
        let lease_until = until(now, lease);
        self.call(move |s| {
            s.insert_views_within_budget(&jobs, &budget, &unit_prices, &owner, lease_until, now)
        })
    }

    fn retries_of(&self, id: JobId) -> StoreFuture<'_, Vec<(JobId, JobPhase)>> {
        self.call(move |s| s.retries_of(id))
    }

    fn restart(
        &self,
        id: JobId,
        how: Restart,
        owner: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Result<Option<JobView>, Refusal>> {
        let owner = owner.to_owned();
        self.call(move |s| s.restart(id, &how, &owner, until(now, lease), now))
    }

    /// One machine, one user: no account is kept here, so every job is admitted (the
    /// provider's own 1303 is backed off by the engine, as it always was).
    fn take_slot(&self, id: JobId, owner: &str, now: i64) -> StoreFuture<'_, Slot> {
        let owner = owner.to_owned();
        self.call(move |s| {
            // Only a queued job takes a slot (the lease check is `apply`'s).
            if s.view(id)?.is_none_or(|v| v.phase != JobPhase::Queued) {
                return Ok(Slot::Lost);
            }
            let change = JobChange::phase(JobPhase::Submitting);
            Ok(s.apply(id, &owner, &change, now)?
                .map_or(Slot::Lost, Slot::Taken))
        })
    }

    /// Nothing to share: the engine's own request gate holds its requests off.
    fn hold_off(&self, _id: JobId, _retry_after: Duration) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok::<_, StoreError>(()) })
    }

    fn over_limit(
        &self,
        _id: JobId,
        _owner: &str,
        _backoff: Duration,
        _cooldown: Duration,
        _now: i64,
    ) -> StoreFuture<'_, Requeue> {
        Box::pin(async { Ok::<_, StoreError>(Requeue::Local) })
    }

    fn adopt(
        &self,
        id: JobId,
        owner: &str,
        terms: LeaseTerms,
        now: i64,
    ) -> StoreFuture<'_, Adopted> {
        let owner = owner.to_owned();
        self.call(move |s| s.adopt(id, &owner, until(now, terms.ttl), now))
    }

    /// One host: a create in doubt died with its process (or its lease would still be
    /// renewed), so `terms.create_timeout` is not waited for here.
    fn adoptable(
        &self,
        _terms: LeaseTerms,
        now: i64,
        include_stalled: bool,
    ) -> StoreFuture<'_, Vec<JobId>> {
        self.call(move |s| s.adoptable(now, include_stalled))
    }

    fn in_flight(&self) -> StoreFuture<'_, Vec<JobId>> {
        self.call(|s| s.in_flight())
    }

    fn renew_leases(
        &self,
        owner: &str,
        lease: Duration,
        held: Vec<JobId>,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobId>> {
        let owner = owner.to_owned();
        self.call(move |s| s.renew_and_check(&owner, until(now, lease), &held))
    }

    fn release(&self, id: JobId, owner: &str) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        self.call(move |s| s.release_and_view(id, &owner))
    }

    fn release_all(&self, owner: &str) -> StoreFuture<'_, usize> {
        let owner = owner.to_owned();
        self.call(move |s| s.release_leases(&owner))
    }

    fn apply(
        &self,
        id: JobId,
        owner: &str,
        change: JobChange,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        self.call(move |s| s.apply(id, &owner, &change, now))
    }

    fn set_files(
        &self,
        id: JobId,
        owner: &str,
        files: Vec<FileTarget>,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        self.call(move |s| s.set_files(id, &owner, &files, now))
    }

    fn file_progress(
        &self,
        id: JobId,
        owner: &str,
        idx: usize,
        progress: FileProgress,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        self.call(move |s| s.file_progress(id, &owner, idx, progress, now))
    }

    fn file_media_seconds(
        &self,
        id: JobId,
        owner: &str,
        idx: usize,
        seconds: f64,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        self.call(move |s| s.file_media_seconds(id, &owner, idx, seconds, now))
    }

    fn claim_orphans(
        &self,
        created_before: i64,
        limit: usize,
        owner: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobId>> {
        let owner = owner.to_owned();
        self.call(move |s| s.claim_orphans(created_before, limit, &owner, until(now, lease), now))
    }

    fn unfetched(&self, from: i64, to: i64, limit: usize) -> StoreFuture<'_, Vec<JobId>> {
        self.call(move |s| s.unfetched(from, to, limit))
    }

    fn note_poll(&self, id: JobId, owner: &str, at: i64) -> StoreFuture<'_, bool> {
        let owner = owner.to_owned();
        self.call(move |s| s.note_poll(id, &owner, at))
    }

    fn record_late_task(
        &self,
        id: JobId,
        task_id: &str,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let task_id = task_id.to_owned();
        self.call(move |s| s.record_late_task(id, &task_id, now))
    }

    fn resolve_attention(
        &self,
        id: JobId,
        resolution: Resolution,
        owner: &str,
        now: i64,
    ) -> StoreFuture<'_, JobView, ResolveError> {
        let owner = owner.to_owned();
        self.call_or(move |s| s.resolve_attention(id, &resolution, &owner, now))
    }

    fn cancel(&self, id: JobId, owner: &str, now: i64) -> StoreFuture<'_, JobView, CancelError> {
        let owner = owner.to_owned();
        self.call_or(move |s| s.cancel(id, &owner, now))
    }

    fn set_keeper(
        &self,
        id: JobId,
        keep: bool,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobView>, KeeperError> {
        self.call_or(move |s| s.set_keeper(id, keep, now))
    }

    fn view(&self, id: JobId) -> StoreFuture<'_, Option<JobView>> {
        self.call(move |s| s.view(id))
    }

    fn record(&self, id: JobId) -> StoreFuture<'_, Option<JobRecord>> {
        self.call(move |s| s.record(id))
    }

    fn history(&self, id: JobId) -> StoreFuture<'_, Vec<PhaseEvent>> {
        self.call(move |s| s.history(id))
    }

    fn views(&self, ids: Vec<JobId>) -> StoreFuture<'_, Vec<JobView>> {
        self.call(move |s| s.views_of(&ids))
    }

    fn first_views(&self, limit: usize) -> StoreFuture<'_, Vec<JobView>> {
        self.call(move |s| s.first_views(limit))
    }

    fn unfinished(&self) -> StoreFuture<'_, Vec<JobView>> {
        self.call(|s| s.unfinished())
    }

    fn page(&self, query: PageQuery) -> StoreFuture<'_, JobPage> {
        self.call(move |s| s.page_for(&query))
    }

    fn counts(&self) -> StoreFuture<'_, JobCounts> {
        self.call(|s| s.counts())
    }

    fn change_cursor(&self) -> StoreFuture<'_, ChangeCursor> {
        self.call(|s| s.change_cursor())
    }

    fn changed_since(&self, cursor: ChangeCursor) -> StoreFuture<'_, Changes> {
        self.call(move |s| s.changed_since(cursor))
    }

    fn widest_task_id(&self, filter: ListFilter) -> StoreFuture<'_, Option<usize>> {
        self.call(move |s| s.widest_task_id(&filter))
    }

    fn spent_today(&self, now: i64, unit_prices: UnitPrices) -> StoreFuture<'_, f64> {
        self.call(move |s| s.spent_today(now, &unit_prices))
    }

    fn ledger(
        &self,
        since_ms: Option<i64>,
        board: Option<PathBuf>,
        unit_prices: UnitPrices,
    ) -> StoreFuture<'_, Vec<LedgerEntry>> {
        self.call(move |s| s.ledger(since_ms, board.as_deref(), &unit_prices))
    }

    fn local_date_ms(&self, date: &str) -> StoreFuture<'_, Option<i64>> {
        let date = date.to_owned();
        self.call(move |s| s.local_date_ms(&date))
    }
}
