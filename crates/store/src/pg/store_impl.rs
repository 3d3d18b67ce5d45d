//! [`PgStore`] as a [`JobStore`]: each method one transaction (see the `t_*` modules).
//! Leases are timed by the database's clock (the trait passes durations); the caller's
//! `now` dates what is recorded. A write under a lease changes
//! nothing unless `owner` holds it (and every change of owner bumps the lease epoch the
//! gate and claims fence on).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::PgStore;
use super::t_files::{FILE_PROGRESS, FILE_SECONDS, progress_params};
use crate::{
    AccountChange, AccountError, AccountView, Adopted, CancelError, ChangeCursor, Changes,
    FileProgress, FileTarget, JobChange, JobPage, JobStore, KeeperError, LeaseTerms, LedgerEntry,
    ListFilter, NewJob, PageQuery, Refusal, Requeue, Resolution, ResolveError, Restart, Slot,
    StoreFuture,
};
use shotdeck_core::budget::{Budget, OverBudget, UnitPrices};
use shotdeck_core::jobs::{JobCounts, JobId, JobPhase, JobRecord, JobView, PhaseEvent};

impl JobStore for PgStore {
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
        Box::pin(self.insert_jobs(jobs, budget, unit_prices, owner, lease, now))
    }

    fn retries_of(&self, id: JobId) -> StoreFuture<'_, Vec<(JobId, JobPhase)>> {
        Box::pin(self.retries_t(id))
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
        Box::pin(async move { self.restart_t(id, how, &owner, lease, now).await })
    }

    fn take_slot(&self, id: JobId, owner: &str, now: i64) -> StoreFuture<'_, Slot> {
        let owner = owner.to_owned();
        Box::pin(async move { self.take_slot_t(id, &owner, now).await })
    }

    fn hold_off(&self, id: JobId, retry_after: Duration) -> StoreFuture<'_, ()> {
        Box::pin(self.hold_off_t(id, retry_after))
    }

    fn over_limit(
        &self,
        id: JobId,
        owner: &str,
        backoff: Duration,
        cooldown: Duration,
        now: i64,
    ) -> StoreFuture<'_, Requeue> {
        let owner = owner.to_owned();
        Box::pin(async move { self.over_limit_t(id, &owner, backoff, cooldown, now).await })
    }

    fn adopt(
        &self,
        id: JobId,
        owner: &str,
        terms: LeaseTerms,
        now: i64,
    ) -> StoreFuture<'_, Adopted> {
        let owner = owner.to_owned();
        Box::pin(async move { self.adopt_t(id, &owner, terms, now).await })
    }

    /// The database's clock decides; the caller's `now` is not used.
    fn adoptable(
        &self,
        terms: LeaseTerms,
        _now: i64,
        include_stalled: bool,
    ) -> StoreFuture<'_, Vec<JobId>> {
        Box::pin(self.adoptable_t(terms, include_stalled))
    }

    fn in_flight(&self) -> StoreFuture<'_, Vec<JobId>> {
        Box::pin(self.in_flight_t())
    }

    fn renew_leases(
        &self,
        owner: &str,
        lease: Duration,
        held: Vec<JobId>,
        _now: i64,
    ) -> StoreFuture<'_, Vec<JobId>> {
        let owner = owner.to_owned();
        Box::pin(async move { self.renew_t(&owner, lease, held).await })
    }

    fn release(&self, id: JobId, owner: &str) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        Box::pin(async move { self.release_t(id, &owner).await })
    }

    fn release_all(&self, owner: &str) -> StoreFuture<'_, usize> {
        let owner = owner.to_owned();
        Box::pin(async move { self.release_all_t(&owner).await })
    }

    fn apply(
        &self,
        id: JobId,
        owner: &str,
        change: JobChange,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let view = self.apply_in(&tx, id, &owner, &change, now).await?;
            tx.commit().await?;
            Ok(view)
        })
    }

    fn set_files(
        &self,
        id: JobId,
        owner: &str,
        files: Vec<FileTarget>,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        Box::pin(async move { self.set_files_t(id, &owner, files, now).await })
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
        Box::pin(async move {
            let (done, total, complete) = progress_params(progress);
            let host = self.submitter.host.clone();
            let idx = idx as i32;
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] =
                [&id, &host, &idx, &done, &total, &complete];
            self.file_write(id, &owner, now, FILE_PROGRESS, &params)
                .await
        })
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
        Box::pin(async move {
            let host = self.submitter.host.clone();
            let idx = idx as i32;
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
                [&id, &host, &idx, &seconds];
            self.file_write(id, &owner, now, FILE_SECONDS, &params)
                .await
        })
    }

    fn claim_orphans(
        &self,
        created_before: i64,
        limit: usize,
        owner: &str,
        lease: Duration,
        _now: i64,
    ) -> StoreFuture<'_, Vec<JobId>> {
        let owner = owner.to_owned();
        Box::pin(async move {
            self.claim_orphans_t(created_before, limit, &owner, lease)
                .await
        })
    }

    fn unfetched(&self, from: i64, to: i64, limit: usize) -> StoreFuture<'_, Vec<JobId>> {
        Box::pin(self.unfetched_t(from, to, limit))
    }

    fn note_poll(&self, id: JobId, owner: &str, at: i64) -> StoreFuture<'_, bool> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let client = self.pool.get().await?;
            let n = client
                .execute(
                    "UPDATE jobs SET last_polled_ms = $3, last_polled_at = now() \
                     WHERE id = $1 AND lease_owner = $2",
                    &[&id, &owner, &at],
                )
                .await?;
            Ok(n == 1)
        })
    }

    fn record_late_task(
        &self,
        id: JobId,
        task_id: &str,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let task_id = task_id.to_owned();
        Box::pin(async move { self.late_task(id, &task_id, now).await })
    }

    fn resolve_attention(
        &self,
        id: JobId,
        resolution: Resolution,
        owner: &str,
        now: i64,
    ) -> StoreFuture<'_, JobView, ResolveError> {
        let owner = owner.to_owned();
        Box::pin(async move { self.resolve_t(id, resolution, &owner, now).await })
    }

    fn cancel(&self, id: JobId, owner: &str, now: i64) -> StoreFuture<'_, JobView, CancelError> {
        let owner = owner.to_owned();
        Box::pin(async move { self.cancel_t(id, &owner, now).await })
    }

    fn set_keeper(
        &self,
        id: JobId,
        keep: bool,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobView>, KeeperError> {
        Box::pin(self.keeper_t(id, keep, now))
    }

    fn view(&self, id: JobId) -> StoreFuture<'_, Option<JobView>> {
        Box::pin(self.view_t(id))
    }

    fn record(&self, id: JobId) -> StoreFuture<'_, Option<JobRecord>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let c: &tokio_postgres::Client = &client;
            super::view::record(c, &self.submitter.host, id).await
        })
    }

    fn history(&self, id: JobId) -> StoreFuture<'_, Vec<PhaseEvent>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let c: &tokio_postgres::Client = &client;
            super::view::history(c, id).await
        })
    }

    fn views(&self, ids: Vec<JobId>) -> StoreFuture<'_, Vec<JobView>> {
        Box::pin(self.views_t(ids))
    }

    fn first_views(&self, limit: usize) -> StoreFuture<'_, Vec<JobView>> {
        Box::pin(self.first_views_t(limit))
    }

    fn unfinished(&self) -> StoreFuture<'_, Vec<JobView>> {
        Box::pin(self.unfinished_t())
    }

    fn page(&self, query: PageQuery) -> StoreFuture<'_, JobPage> {
        Box::pin(self.page_t(query))
    }

    fn counts(&self) -> StoreFuture<'_, JobCounts> {
        Box::pin(self.counts_t())
    }

    fn change_cursor(&self) -> StoreFuture<'_, ChangeCursor> {
        Box::pin(self.change_cursor_t())
    }

    fn changed_since(&self, cursor: ChangeCursor) -> StoreFuture<'_, Changes> {
        Box::pin(self.changed_since_t(cursor))
    }

    fn watch(&self) -> StoreFuture<'_, Option<Arc<dyn crate::ChangeFeed>>> {
        Box::pin(async move {
            let feed: Arc<dyn crate::ChangeFeed> = self.feed().await?;
            Ok(Some(feed))
        })
    }

    fn widest_task_id(&self, filter: ListFilter) -> StoreFuture<'_, Option<usize>> {
        Box::pin(self.widest_t(filter))
    }

    fn spent_today(&self, now: i64, unit_prices: UnitPrices) -> StoreFuture<'_, f64> {
        Box::pin(self.spent_today_t(now, unit_prices))
    }

    fn ledger(
        &self,
        since_ms: Option<i64>,
        board: Option<PathBuf>,
        unit_prices: UnitPrices,
    ) -> StoreFuture<'_, Vec<LedgerEntry>> {
        Box::pin(self.ledger_t(since_ms, board, unit_prices))
    }

    fn host(&self) -> Option<String> {
        Some(self.submitter().host.clone())
    }

    fn local_date_ms(&self, date: &str) -> StoreFuture<'_, Option<i64>> {
        let date = date.to_owned();
        Box::pin(async move { self.local_date_t(&date).await })
    }

    fn account(&self) -> StoreFuture<'_, Option<AccountView>> {
        Box::pin(self.account_t())
    }

    fn set_account(&self, change: AccountChange) -> StoreFuture<'_, AccountView, AccountError> {
        Box::pin(self.set_account_t(change))
    }
}
