//! Every [`JobStore`] method of a [`Tap`]: counted, held while the tap holds it, then
//! forwarded unchanged and timed (the guard `pass` returns adds the call's time when the
//! forwarded call has returned).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use shotdeck_core::budget::{Budget, OverBudget, UnitPrices};
use shotdeck_core::jobs::{JobCounts, JobId, JobPhase, JobRecord, JobView, PhaseEvent};

use super::Tap;
use crate::{
    AccountChange, AccountError, AccountView, Adopted, CancelError, ChangeCursor, ChangeFeed,
    Changes, FileProgress, FileTarget, JobChange, JobPage, JobStore, KeeperError, LeaseTerms,
    LedgerEntry, ListFilter, NewJob, PageQuery, Refusal, Requeue, Resolution, ResolveError,
    Restart, Slot, StoreFuture,
};

impl JobStore for Tap {
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
        Box::pin(async move {
            let _timing = self.pass("insert_takes_within_budget").await;
            let i = &self.inner;
            i.insert_takes_within_budget(jobs, budget, unit_prices, &owner, lease, now)
                .await
        })
    }

    fn retries_of(&self, id: JobId) -> StoreFuture<'_, Vec<(JobId, JobPhase)>> {
        Box::pin(async move {
            let _timing = self.pass("retries_of").await;
            self.inner.retries_of(id).await
        })
    }

    fn take_slot(&self, id: JobId, owner: &str, now: i64) -> StoreFuture<'_, Slot> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let _timing = self.pass("take_slot").await;
            self.inner.take_slot(id, &owner, now).await
        })
    }

    fn hold_off(&self, id: JobId, retry_after: Duration) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let _timing = self.pass("hold_off").await;
            self.inner.hold_off(id, retry_after).await
        })
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
        Box::pin(async move {
            let _timing = self.pass("over_limit").await;
            let i = &self.inner;
            i.over_limit(id, &owner, backoff, cooldown, now).await
        })
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
        Box::pin(async move {
            let _timing = self.pass("restart").await;
            self.inner.restart(id, how, &owner, lease, now).await
        })
    }

    fn adopt(
        &self,
        id: JobId,
        owner: &str,
        terms: LeaseTerms,
        now: i64,
    ) -> StoreFuture<'_, Adopted> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let _timing = self.pass("adopt").await;
            self.inner.adopt(id, &owner, terms, now).await
        })
    }

    fn adoptable(
        &self,
        terms: LeaseTerms,
        now: i64,
        include_stalled: bool,
    ) -> StoreFuture<'_, Vec<JobId>> {
        Box::pin(async move {
            let _timing = self.pass("adoptable").await;
            self.inner.adoptable(terms, now, include_stalled).await
        })
    }

    fn in_flight(&self) -> StoreFuture<'_, Vec<JobId>> {
        Box::pin(async move {
            let _timing = self.pass("in_flight").await;
            self.inner.in_flight().await
        })
    }

    fn renew_leases(
        &self,
        owner: &str,
        lease: Duration,
        held: Vec<JobId>,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobId>> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let _timing = self.pass("renew_leases").await;
            self.inner.renew_leases(&owner, lease, held, now).await
        })
    }

    fn release(&self, id: JobId, owner: &str) -> StoreFuture<'_, Option<JobView>> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let _timing = self.pass("release").await;
            self.inner.release(id, &owner).await
        })
    }

    fn release_all(&self, owner: &str) -> StoreFuture<'_, usize> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let _timing = self.pass("release_all").await;
            self.inner.release_all(&owner).await
        })
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
            let _timing = self.pass("apply").await;
            self.inner.apply(id, &owner, change, now).await
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
        Box::pin(async move {
            let _timing = self.pass("set_files").await;
            self.inner.set_files(id, &owner, files, now).await
        })
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
            let _timing = self.pass("file_progress").await;
            let i = &self.inner;
            i.file_progress(id, &owner, idx, progress, now).await
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
            let _timing = self.pass("file_media_seconds").await;
            let i = &self.inner;
            i.file_media_seconds(id, &owner, idx, seconds, now).await
        })
    }

    fn claim_orphans(
        &self,
        created_before: i64,
        limit: usize,
        owner: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobId>> {
        let i = &self.inner;
        let call = i.claim_orphans(created_before, limit, owner, lease, now);
        self.forward("claim_orphans", call)
    }

    fn unfetched(&self, from: i64, to: i64, limit: usize) -> StoreFuture<'_, Vec<JobId>> {
        self.forward("unfetched", self.inner.unfetched(from, to, limit))
    }

    fn note_poll(&self, id: JobId, owner: &str, at: i64) -> StoreFuture<'_, bool> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let _timing = self.pass("note_poll").await;
            self.inner.note_poll(id, &owner, at).await
        })
    }

    fn record_late_task(
        &self,
        id: JobId,
        task_id: &str,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>> {
        let task_id = task_id.to_owned();
        Box::pin(async move {
            let _timing = self.pass("record_late_task").await;
            self.inner.record_late_task(id, &task_id, now).await
        })
    }

    fn resolve_attention(
        &self,
        id: JobId,
        resolution: Resolution,
        owner: &str,
        now: i64,
    ) -> StoreFuture<'_, JobView, ResolveError> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let _timing = self.pass("resolve_attention").await;
            let i = &self.inner;
            i.resolve_attention(id, resolution, &owner, now).await
        })
    }

    fn cancel(&self, id: JobId, owner: &str, now: i64) -> StoreFuture<'_, JobView, CancelError> {
        let owner = owner.to_owned();
        Box::pin(async move {
            let _timing = self.pass("cancel").await;
            self.inner.cancel(id, &owner, now).await
        })
    }

    fn set_keeper(
        &self,
        id: JobId,
        keep: bool,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobView>, KeeperError> {
        Box::pin(async move {
            let _timing = self.pass("set_keeper").await;
            self.inner.set_keeper(id, keep, now).await
        })
    }

    fn view(&self, id: JobId) -> StoreFuture<'_, Option<JobView>> {
        self.forward("view", self.inner.view(id))
    }

    fn record(&self, id: JobId) -> StoreFuture<'_, Option<JobRecord>> {
        self.forward("record", self.inner.record(id))
    }

    fn history(&self, id: JobId) -> StoreFuture<'_, Vec<PhaseEvent>> {
        self.forward("history", self.inner.history(id))
    }

    fn views(&self, ids: Vec<JobId>) -> StoreFuture<'_, Vec<JobView>> {
        self.forward("views", self.inner.views(ids))
    }

    fn first_views(&self, limit: usize) -> StoreFuture<'_, Vec<JobView>> {
        self.forward("first_views", self.inner.first_views(limit))
    }

    fn unfinished(&self) -> StoreFuture<'_, Vec<JobView>> {
        self.forward("unfinished", self.inner.unfinished())
    }

    fn page(&self, query: PageQuery) -> StoreFuture<'_, JobPage> {
        self.forward("page", self.inner.page(query))
    }

    fn counts(&self) -> StoreFuture<'_, JobCounts> {
        self.forward("counts", self.inner.counts())
    }

    fn change_cursor(&self) -> StoreFuture<'_, ChangeCursor> {
        self.forward("change_cursor", self.inner.change_cursor())
    }

    fn changed_since(&self, cursor: ChangeCursor) -> StoreFuture<'_, Changes> {
        self.forward("changed_since", self.inner.changed_since(cursor))
    }

    fn watch(&self) -> StoreFuture<'_, Option<Arc<dyn ChangeFeed>>> {
        Box::pin(async move {
            let _timing = self.pass("watch").await;
            self.inner.watch().await
        })
    }

    fn widest_task_id(&self, filter: ListFilter) -> StoreFuture<'_, Option<usize>> {
        Box::pin(async move {
            let _timing = self.pass("widest_task_id").await;
            self.inner.widest_task_id(filter).await
        })
    }

    fn spent_today(&self, now: i64, unit_prices: UnitPrices) -> StoreFuture<'_, f64> {
        Box::pin(async move {
            let _timing = self.pass("spent_today").await;
            self.inner.spent_today(now, unit_prices).await
        })
    }

    fn ledger(
        &self,
        since_ms: Option<i64>,
        board: Option<PathBuf>,
        unit_prices: UnitPrices,
    ) -> StoreFuture<'_, Vec<LedgerEntry>> {
        Box::pin(async move {
            let _timing = self.pass("ledger").await;
            self.inner.ledger(since_ms, board, unit_prices).await
        })
    }

    fn host(&self) -> Option<String> {
        self.inner.host()
    }

    fn local_date_ms(&self, date: &str) -> StoreFuture<'_, Option<i64>> {
        let date = date.to_owned();
        Box::pin(async move {
            let _timing = self.pass("local_date_ms").await;
            self.inner.local_date_ms(&date).await
        })
    }

    fn account(&self) -> StoreFuture<'_, Option<AccountView>> {
        Box::pin(async move {
            let _timing = self.pass("account").await;
            self.inner.account().await
        })
    }

    fn set_account(&self, change: AccountChange) -> StoreFuture<'_, AccountView, AccountError> {
        Box::pin(async move {
            let _timing = self.pass("set_account").await;
            self.inner.set_account(change).await
        })
    }
}
