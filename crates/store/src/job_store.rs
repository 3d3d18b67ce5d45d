//! The store's interface: one method per business transaction the engine and the CLI
//! perform, so each backend can make every one of them atomic (one SQLite transaction or one
//! PostgreSQL transaction). Methods take what they write by value or by reference and
//! return a boxed future that owns what it needs, so `Arc<dyn JobStore>` works across tasks.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use shotdeck_core::budget::{Budget, OverBudget, UnitPrices};
use shotdeck_core::jobs::{JobCounts, JobId, JobPhase, JobRecord, JobView, PhaseEvent};

pub use crate::reads::{ChangeCursor, Changes, JobPage, PageQuery};
use crate::{
    AccountChange, AccountError, AccountView, CancelError, ChangeFeed, FileProgress, FileTarget,
    JobChange, KeeperError, LedgerEntry, ListFilter, NewJob, Requeue, Resolution, ResolveError,
    Slot, StoreError,
};

/// What every store method returns: a future that may be sent to another task.
pub type StoreFuture<'a, T, E = StoreError> =
    Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'a>>;

/// A user's command that puts a job back to work under the caller's lease.
#[derive(Debug, Clone, PartialEq)]
pub enum Restart {
    /// Resume (or redo) a job's downloads; also restarts a stalled job in any phase.
    Redownload,
    /// Send a job that was recorded but never sent, held to `budget` as if new and dated now.
    Send {
        budget: Budget,
        unit_prices: UnitPrices,
    },
    /// Poll the task the provider accepted again: a failed job is reopened, a stopped one
    /// restarted. Nothing is created, so nothing is paid.
    Repoll,
}

/// Why a [`Restart`] was refused (nothing was written; the lease is given back): the
/// engine's own refusal, so its wording stays in one place (`shotdeck_core::jobs`).
pub use shotdeck_core::jobs::Refusal;

/// What an engine found on a job whose lease it tried to take ([`JobStore::adopt`]).
// Views go to front ends unchanged; boxing them would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Adopted {
    /// Ours to work on; the view when clearing a stall changed it.
    Work(Option<JobView>),
    /// Left `queued` by a submit that stopped before sending: now `not_sent`, released.
    Parked(JobView),
    /// Another live engine holds it.
    Busy,
}

/// How long a lease lasts and how long an adopter leaves a create in doubt alone. Durations,
/// not instants: each backend times them by its own clock (SQLite, on one host, by the
/// caller's `now`; PostgreSQL by the server's `now()`, so no machine's clock matters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseTerms {
    /// A lease lapses this long after its holder last took or renewed it.
    pub ttl: Duration,
    /// A job left in `submitting` is adopted only this long after it took its slot (the
    /// create request's whole timeout): the old owner's create has landed or died before
    /// the adopter looks it up by `external_task_id`. A store on one host may ignore it.
    pub create_timeout: Duration,
}

/// The job store. Every write that works on a job for an engine names the lease `owner`
/// and changes nothing (answering `None` or `false`) when `owner` no longer holds it: a
/// stale owner's late write never overwrites the newer owner's state. Phase changes go
/// through `shotdeck_core::jobs::machine`; a move it forbids is `StoreError::Transition`
/// and writes nothing.
pub trait JobStore: Send + Sync {
    // Submitting.

    /// Records `job` in `queued`, leased to `owner` for `lease`, numbered as its
    /// board's next take, unless `budget` refuses it: the sums and the insert are one
    /// transaction. A second retry of one job is `StoreError::AlreadyRetried`.
    fn insert_within_budget(
        &self,
        job: NewJob,
        budget: Budget,
        unit_prices: UnitPrices,
        owner: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Result<JobView, OverBudget>> {
        let takes =
            self.insert_takes_within_budget(vec![job], budget, unit_prices, owner, lease, now);
        Box::pin(async move {
            match takes.await? {
                Ok(views) => views.into_iter().next().map(Ok).ok_or(StoreError::Corrupt {
                    id: 0,
                    field: "insert",
                    reason: "one job was recorded and none answered".into(),
                }),
                Err(over) => Ok(Err(over)),
            }
        })
    }

    /// Records the takes in `jobs` (one submit of N variants of a board) as
    /// [`JobStore::insert_within_budget`] records one, in one transaction: `budget` is held
    /// to all of them together ([`Budget::check_all`]), they get consecutive take numbers
    /// in the order given, and either every one is recorded or none (`Ok(Err(_))`).
    fn insert_takes_within_budget(
        &self,
        jobs: Vec<NewJob>,
        budget: Budget,
        unit_prices: UnitPrices,
        owner: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Result<Vec<JobView>, OverBudget>>;

    /// The jobs recorded as retries of `id`, oldest first, with their phases.
    fn retries_of(&self, id: JobId) -> StoreFuture<'_, Vec<(JobId, JobPhase)>>;

    // The account gate.

    /// Moves `id` from `queued` to `submitting` under `owner`'s lease only while its
    /// account has a free slot (first come, first served across every engine on the
    /// store) and is not held off; otherwise says why it waits and changes nothing. A
    /// store that keeps no account (one machine) admits every job.
    fn take_slot(&self, id: JobId, owner: &str, now: i64) -> StoreFuture<'_, Slot>;

    /// A 1302 / 429 answered to `id`'s create: nobody using the store sends to its account
    /// for `retry_after` (a longer hold-off in place is kept). One machine: nothing to share.
    fn hold_off(&self, id: JobId, retry_after: Duration) -> StoreFuture<'_, ()>;

    /// The provider refused `id`'s create as over the account's concurrency (1303; nothing
    /// was created): back to the queue for `backoff`, its slot freed, and when fewer tasks
    /// than the limit were counted besides it, the account's effective limit lowered to
    /// that count for `cooldown` (someone outside the store uses the account).
    fn over_limit(
        &self,
        id: JobId,
        owner: &str,
        backoff: Duration,
        cooldown: Duration,
        now: i64,
    ) -> StoreFuture<'_, Requeue>;

    // Leases.

    /// Takes `id`'s lease for `owner` (for `lease`) and applies the user's `how` (see
    /// [`Restart`]); `Ok(None)` when the lease was lost meanwhile. A refusal gives the lease
    /// back; a job that does not exist is `Refusal::NotFound` on every backend.
    fn restart(
        &self,
        id: JobId,
        how: Restart,
        owner: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Result<Option<JobView>, Refusal>>;

    /// Takes the lease of a job no live engine holds: parks a `queued` one as `not_sent`
    /// (and releases it), clears a stall, or leaves it as it is to work on. A create in
    /// doubt younger than `terms.create_timeout` is `Busy` (see [`LeaseTerms`]).
    fn adopt(
        &self,
        id: JobId,
        owner: &str,
        terms: LeaseTerms,
        now: i64,
    ) -> StoreFuture<'_, Adopted>;

    /// Active jobs no live engine holds (stalled ones only when asked): never leased,
    /// released, or whose lease lapsed (by the backend's clock: `now` on one host). Never
    /// one waiting for the user, nor a create in doubt younger than `terms.create_timeout`.
    fn adoptable(
        &self,
        terms: LeaseTerms,
        now: i64,
        include_stalled: bool,
    ) -> StoreFuture<'_, Vec<JobId>>;

    /// Active jobs some engine should be working on (not stalled), leased or not.
    fn in_flight(&self) -> StoreFuture<'_, Vec<JobId>>;

    /// `owner`'s heartbeat: extends every lease it holds by `lease` and answers which of
    /// `held` it no longer holds (another process took them over or cancelled them).
    fn renew_leases(
        &self,
        owner: &str,
        lease: Duration,
        held: Vec<JobId>,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobId>>;

    /// Lets go of `id` if `owner` holds it, and answers the job as it now is.
    fn release(&self, id: JobId, owner: &str) -> StoreFuture<'_, Option<JobView>>;

    /// Lets go of everything `owner` holds (engine shutdown).
    fn release_all(&self, owner: &str) -> StoreFuture<'_, usize>;

    // Results nobody fetched (Kling deletes them after 30 days).

    /// Claims up to `limit` orphans asked for no later than `created_before` (the caller's
    /// Unix ms), oldest first, each leased to `owner` for `lease` so that no other engine
    /// fetches it too. An orphan's task succeeded (`downloading`) and no machine has a
    /// complete file of it; one stalled (a fetch that was refused) or held by a live
    /// engine is not claimed. One bounded query over the jobs in `downloading`, never a
    /// scan of the history.
    fn claim_orphans(
        &self,
        created_before: i64,
        limit: usize,
        owner: &str,
        lease: Duration,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobId>>;

    /// Orphans (as [`Self::claim_orphans`] says, stalled or held included: no machine has
    /// them yet) asked for between `from` and `to` (Unix ms), oldest first, at most
    /// `limit`: what `jobs` warns about before Kling deletes them.
    fn unfetched(&self, from: i64, to: i64, limit: usize) -> StoreFuture<'_, Vec<JobId>>;

    // A worker's writes, each under `owner`'s lease (`None`/`false`: the lease was lost).

    /// Applies `change` (its phase through the state machine) with a history row when the
    /// phase changes or a note is given.
    fn apply(
        &self,
        id: JobId,
        owner: &str,
        change: JobChange,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>>;

    /// Records the videos a finished task produced; existing rows keep their progress.
    fn set_files(
        &self,
        id: JobId,
        owner: &str,
        files: Vec<FileTarget>,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>>;

    fn file_progress(
        &self,
        id: JobId,
        owner: &str,
        idx: usize,
        progress: FileProgress,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>>;

    /// A complete video's length from its MP4 header.
    fn file_media_seconds(
        &self,
        id: JobId,
        owner: &str,
        idx: usize,
        seconds: f64,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>>;

    /// When the lease holder last polled the job (not a change anyone needs to see).
    fn note_poll(&self, id: JobId, owner: &str, at: i64) -> StoreFuture<'_, bool>;

    /// A create's answer that came after the lease was lost: the task id is recorded
    /// whoever holds the job, as long as it has none. `None` when it had one.
    fn record_late_task(
        &self,
        id: JobId,
        task_id: &str,
        now: i64,
    ) -> StoreFuture<'_, Option<JobView>>;

    // The user's word, from any process.

    /// The task id the user found for a job in `needs_attention`, or "lost".
    fn resolve_attention(
        &self,
        id: JobId,
        resolution: Resolution,
        owner: &str,
        now: i64,
    ) -> StoreFuture<'_, JobView, ResolveError>;

    /// Fails an unfinished job as cancelled, taking its lease from whoever holds it.
    fn cancel(&self, id: JobId, owner: &str, now: i64) -> StoreFuture<'_, JobView, CancelError>;

    /// Makes `id` its board's keeper (moving the mark) or clears it; answers every job
    /// whose mark changed.
    fn set_keeper(
        &self,
        id: JobId,
        keep: bool,
        now: i64,
    ) -> StoreFuture<'_, Vec<JobView>, KeeperError>;

    // Reads.

    fn view(&self, id: JobId) -> StoreFuture<'_, Option<JobView>>;

    /// The whole record: request, board, lease and history.
    fn record(&self, id: JobId) -> StoreFuture<'_, Option<JobRecord>>;

    fn history(&self, id: JobId) -> StoreFuture<'_, Vec<PhaseEvent>>;

    /// These jobs' views, in the order given; missing ones are left out.
    fn views(&self, ids: Vec<JobId>) -> StoreFuture<'_, Vec<JobView>>;

    /// What a front end starts with: the newest `limit` jobs and every older unfinished one,
    /// newest first.
    fn first_views(&self, limit: usize) -> StoreFuture<'_, Vec<JobView>>;

    /// Jobs not yet done or failed (needing attention included), oldest first.
    fn unfinished(&self) -> StoreFuture<'_, Vec<JobView>>;

    /// A page of the history, filtered by the query (never by loading the history).
    fn page(&self, query: PageQuery) -> StoreFuture<'_, JobPage>;

    /// How many jobs each board has, and the newest id.
    fn counts(&self) -> StoreFuture<'_, JobCounts>;

    /// Where the changes stand now: every change committed after this call is in the next
    /// [`Self::changed_since`] from it.
    fn change_cursor(&self) -> StoreFuture<'_, ChangeCursor>;

    /// Jobs changed (by any process) since `cursor`, and where to read from next. No
    /// change committed after `cursor` was taken is ever skipped, whatever the writers'
    /// clocks or the order their transactions committed in.
    fn changed_since(&self, cursor: ChangeCursor) -> StoreFuture<'_, Changes>;

    /// A wake-up whenever another process may have changed a job (a new job, a new
    /// phase), so an idle engine can read [`Self::changed_since`] without polling. This
    /// process's own writes do not wake it (it knows them). `None`: the store has no such
    /// feed (SQLite; the engine reads on its tick only).
    fn watch(&self) -> StoreFuture<'_, Option<Arc<dyn ChangeFeed>>> {
        Box::pin(async { Ok(None) })
    }

    /// The longest task id among `filter`'s jobs (0 when none has one); `None`: no job.
    fn widest_task_id(&self, filter: ListFilter) -> StoreFuture<'_, Option<usize>>;

    /// The machine this store records jobs as asked from (a team's store: this host). An
    /// engine downloads only the jobs its own machine asked for; another machine's are left
    /// for it. `None`: a store of one machine, where every job is this machine's.
    fn host(&self) -> Option<String> {
        None
    }

    // Money.

    /// What the ledger counts since the store's local midnight before `now`, every board.
    fn spent_today(&self, now: i64, unit_prices: UnitPrices) -> StoreFuture<'_, f64>;

    /// Every job since `since_ms` (all when `None`), oldest first, on one board or all.
    fn ledger(
        &self,
        since_ms: Option<i64>,
        board: Option<PathBuf>,
        unit_prices: UnitPrices,
    ) -> StoreFuture<'_, Vec<LedgerEntry>>;

    /// Unix milliseconds of the store's local midnight starting `date` (`YYYY-MM-DD`);
    /// `None` when it is not such a date.
    fn local_date_ms(&self, date: &str) -> StoreFuture<'_, Option<i64>>;

    // The account.

    /// The account this store's jobs go to, as it is now. `None`: the store keeps no
    /// account (one machine's SQLite store).
    fn account(&self) -> StoreFuture<'_, Option<AccountView>> {
        Box::pin(async { Ok(None) })
    }

    /// Changes the account's settings (each value checked first, the bad one named) and
    /// answers the account as it now is. A store without accounts refuses.
    fn set_account(&self, change: AccountChange) -> StoreFuture<'_, AccountView, AccountError> {
        let _ = change;
        Box::pin(async { Err(AccountError::NoAccount) })
    }
}
