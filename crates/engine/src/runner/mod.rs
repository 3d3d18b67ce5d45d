//! The engine task: takes commands, runs one worker per leased job, watches the store for
//! other processes' changes, and reports every change as an event.
//!
//! Idle costs nothing: with no job in flight the task waits on its channels only. While
//! any job in scope is in flight a housekeeping tick re-reads rows other processes changed
//! and adopts jobs whose lease is free or expired; a heartbeat task beside the loop renews
//! this engine's leases, so a busy loop never lets them lapse. A store
//! with a change feed (PostgreSQL's LISTEN) also wakes the task, idle or not, when another
//! process changed a job: a job a teammate submitted shows with nothing in flight here.

mod commands;
mod heartbeat;
mod library;
mod orphans;
mod outbox;
mod retries;
mod spend;
mod takes;
mod unsent;
mod watch;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::config::{EngineConfig, JobScope};
use super::worker::{Shared, SlotWatch, WorkerMsg};
use shotdeck_core::jobs::{
    JobCmd, JobCounts, JobEvent, JobId, JobPhase, JobView, Refusal, SubmitTicket,
};
use shotdeck_store::{ChangeCursor, ChangeFeed, JobStore, StoreError};

/// Commands a front end may have queued before its sends are refused (a front end that
/// must not wait uses `try_send` and says the engine is busy; the CLI awaits room).
pub const COMMAND_CAPACITY: usize = 64;

/// Worker messages waiting for the loop: a worker that finds it full waits (its views are
/// the loop's to coalesce), and the loop never waits for a worker while reading them.
const WORKER_CAPACITY: usize = 256;

pub use outbox::EVENT_CAPACITY;

/// How many of the newest jobs a front end starts with: a screenful or two of the queue
/// whatever the history's length.
pub const FIRST_PAGE: usize = 50;

/// What a front end holds: commands in, events out, and the jobs as they were at start.
pub struct EngineHandle {
    pub cmd_tx: mpsc::Sender<JobCmd>,
    /// Bounded ([`EVENT_CAPACITY`]); a reader that falls behind gets each job's newest view
    /// (see `outbox`), never an unbounded queue.
    pub event_rx: mpsc::Receiver<JobEvent>,
    /// The jobs in scope a front end starts with, newest first: every unfinished one and
    /// the newest [`FIRST_PAGE`] (older ones on request: [`JobCmd::Page`]).
    pub initial_jobs: Vec<JobView>,
    /// How many jobs each board has in the store at start.
    pub counts: JobCounts,
    /// This engine's lease owner id.
    pub instance: String,
    /// This machine as the store names it (`None`: a store of one machine).
    pub host: Option<String>,
    /// Ends after `Shutdown` (or once every command sender is dropped), leases released.
    pub task: JoinHandle<()>,
}

pub struct Engine;

impl Engine {
    /// Opens the store, takes over in-scope jobs no live engine holds (a crashed run's
    /// included) and starts the engine task. Must be called inside a tokio runtime.
    pub async fn start(cfg: EngineConfig) -> Result<EngineHandle, StoreError> {
        let store = cfg.store.clone();
        let instance = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
        let (out_tx, worker_rx) = mpsc::channel(WORKER_CAPACITY);
        let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_CAPACITY);
        let (event_tx, event_rx) = mpsc::channel(EVENT_CAPACITY);
        let (store_for_spend, event_tx_for_spend) = (store.clone(), event_tx.clone());
        // Taken before the first views are read: a change between the two is re-read.
        let cursor = store.change_cursor().await?;
        let shared = Arc::new(Shared::new(
            store,
            instance.clone(),
            cfg.tuning.clone(),
            cfg.settings.clone(),
            cfg.clients.clone(),
            out_tx,
        ));
        let mut engine = EngineLoop {
            known: HashMap::new(),
            heartbeat: heartbeat::Heartbeat::start(shared.clone()),
            shared,
            scope: cfg.scope,
            events: outbox::Outbox::new(event_tx),
            workers: HashMap::new(),
            lost: HashSet::new(),
            fetch_after_exit: HashSet::new(),
            watching: false,
            cursor,
            next_tick: Instant::now(),
            feed_read: Instant::now(),
            next_sweep: Instant::now(),
            feed: None,
            slot_watch: None,
            spend: spend::start(
                store_for_spend,
                cfg.settings.usd_per_unit.clone(),
                event_tx_for_spend,
            ),
        };
        engine.adopt(true).await;
        // After adopting: a job this machine asked for is fetched beside its board.
        engine.sweep_orphans().await;
        // Read after adopting, so a job resumed from a stall shows without its old error.
        let initial_jobs = views_in_scope(&*engine.shared.store, &engine.scope).await?;
        let mut counts = engine.shared.store.counts().await?;
        counts.listed_from = listed_from(&initial_jobs);
        for v in &initial_jobs {
            engine.known.insert(v.id, v.clone());
        }
        engine.refresh_watching().await;
        engine.feed = match engine.shared.store.watch().await {
            Ok(feed) => feed,
            Err(e) => {
                // Without it, other processes' jobs show while ours are in flight only.
                tracing::error!(error = %e, "cannot follow the store's changes");
                None
            }
        };
        let frees = engine.feed.as_ref().and_then(|feed| feed.slots());
        engine.slot_watch = frees.map(|f| SlotWatch::start(engine.shared.clone(), f));
        let host = engine.shared.host.clone();
        let task = tokio::spawn(engine.run(cmd_rx, worker_rx));
        Ok(EngineHandle {
            host,
            cmd_tx,
            event_rx,
            initial_jobs,
            counts,
            instance,
            task,
        })
    }
}

/// Least time between two reads the feed wakes: on a team's store every phase change of
/// every engine's job wakes every other engine, and the changes of a gap are one read
/// at its end (the feed keeps its wake-up). Slots given back do not wait for it.
const FEED_GAP: std::time::Duration = std::time::Duration::from_millis(100);

/// The feed's next wake-up, not before `not_before`; never, without one.
async fn changed(feed: Option<&dyn ChangeFeed>, not_before: Instant) {
    match feed {
        Some(feed) => {
            tokio::time::sleep_until(not_before).await;
            feed.changed().await
        }
        None => std::future::pending().await,
    }
}

/// A fresh idempotency key: `shotdeck-<uuid v4>`.
pub fn new_external_task_id() -> String {
    format!("shotdeck-{}", uuid::Uuid::new_v4())
}

struct EngineLoop {
    shared: Arc<Shared>,
    scope: JobScope,
    events: outbox::Outbox,
    workers: HashMap<JobId, JoinHandle<()>>,
    /// The last view reported per job, so re-reads only report real changes.
    known: HashMap<JobId, JobView>,
    /// Some in-scope job is in flight that no worker of ours runs (another process has it,
    /// or it waits for adoption).
    watching: bool,
    /// Where the next read of other processes' changes starts (handed out by the store).
    cursor: ChangeCursor,
    next_tick: Instant,
    /// When the feed last woke a read (see [`FEED_GAP`]).
    feed_read: Instant,
    /// When to look again for results nobody fetched (see `orphans`).
    next_sweep: Instant,
    /// Wakes the loop when another process changed a job (`None`: the store has no feed).
    feed: Option<Arc<dyn ChangeFeed>>,
    /// Rings our first job waiting for a slot when the feed says one was given back
    /// (`None`: the feed does not say; the loop rings on every change it hears instead).
    slot_watch: Option<SlotWatch>,
    /// Asks the spend reporter to sum today's spend again.
    spend: mpsc::Sender<()>,
    /// Jobs a worker of ours still runs whose lease another process took.
    lost: HashSet<JobId>,
    /// Jobs whose videos the user asked for here while a worker of ours still ran them
    /// (one polling another machine's job to its end, about to leave it): asked again
    /// when that worker exits, if the job still has no files here.
    fetch_after_exit: HashSet<JobId>,
    /// Renews our leases beside the loop (see `heartbeat`).
    heartbeat: heartbeat::Heartbeat,
}

impl EngineLoop {
    async fn run(
        mut self,
        mut cmds: mpsc::Receiver<JobCmd>,
        mut worker_rx: mpsc::Receiver<WorkerMsg>,
    ) {
        loop {
            let busy = !self.workers.is_empty() || self.watching;
            // Room in the events channel is waited for beside everything else, never
            // instead of it; commands wait while the front end is far behind.
            let events = self.events.sender();
            let behind = self.events.waiting();
            let feed = self.feed.clone();
            let sweeps = self.sweeps_orphans();
            tokio::select! {
                room = events.reserve(), if behind > 0 => match room {
                    Ok(permit) => self.events.send_reserved(permit),
                    Err(_) => self.events.flush(),
                },
                cmd = cmds.recv(), if behind < outbox::BACKLOG => match cmd {
                    None | Some(JobCmd::Shutdown) => break,
                    Some(cmd) => self.command(cmd).await,
                },
                Some(msg) = worker_rx.recv() => self.worker_msg(msg).await,
                // Not even constructed into a timer when idle: no wakeups.
                _ = tokio::time::sleep_until(self.next_tick), if busy => self.tick().await,
                // Hourly, idle or not: one bounded store query.
                _ = tokio::time::sleep_until(self.next_sweep), if sweeps => self.sweep_orphans().await,
                // Idle or not: the store says something changed (no timer involved).
                _ = changed(feed.as_deref(), self.feed_read + FEED_GAP) => {
                    self.feed_read = Instant::now();
                    self.store_changed().await;
                }
            }
            if !busy && (!self.workers.is_empty() || self.watching) {
                self.next_tick = Instant::now() + self.shared.tuning.tick();
            }
        }
        self.shutdown(&mut worker_rx).await;
    }

    async fn worker_msg(&mut self, msg: WorkerMsg) {
        match msg {
            WorkerMsg::Updated(view) => self.report(view),
            WorkerMsg::Exited(id) => {
                self.workers.remove(&id);
                self.held_changed();
                // A job that stopped holding a slot (its lease lost, say) gave it back.
                self.shared.slot_line.wake_first();
                self.lost.remove(&id);
                match self.shared.store.release(id, &self.shared.owner).await {
                    // A worker that stopped because its lease went elsewhere (a cancel from
                    // another process) leaves the store's word as the last one.
                    Ok(Some(view)) if self.known.get(&id) != Some(&view) => self.report(view),
                    Ok(_) => {}
                    Err(e) => tracing::error!(job = id, error = %e, "could not release a lease"),
                }
                if self.fetch_after_exit.remove(&id) {
                    self.fetch_if_left(id).await;
                }
                self.refresh_watching().await;
            }
        }
    }

    /// Tells the heartbeat which jobs our workers run now.
    fn held_changed(&self) {
        self.heartbeat.hold(self.workers.keys().copied().collect());
    }

    fn report(&mut self, view: JobView) {
        self.remember(view.clone());
        self.events.push(JobEvent::Updated(view));
    }

    /// The first event about a job recorded for a front end's submit.
    fn announce(&mut self, ticket: SubmitTicket, job: JobView) {
        self.remember(job.clone());
        self.events.push(JobEvent::Submitted { ticket, job });
    }

    /// Keeps the view as last reported; a change the ledger counts makes the spend stale.
    fn remember(&mut self, view: JobView) {
        let counted = |v: &JobView| (v.phase, v.task_id.clone(), v.units_charged.clone());
        let before = self.known.get(&view.id).map(counted);
        if before.as_ref() != Some(&counted(&view)) {
            // Full: a sum is already due, and it will see this change too.
            let _ = self.spend.try_send(());
        }
        self.known.insert(view.id, view);
    }

    fn reject(&mut self, reason: Refusal) {
        self.refuse(None, reason);
    }

    /// Reports a refused command; `ticket` names the submit it was, if one.
    fn refuse(&mut self, ticket: Option<SubmitTicket>, reason: Refusal) {
        tracing::warn!(%reason, "command rejected");
        self.events.push(JobEvent::Rejected { reason, ticket });
    }

    /// Why nothing paid may be sent: config.toml's money keys did not read cleanly, so a
    /// limit or price may be missing (submit, retry and send all check it).
    fn money_refusal(&self) -> Option<Refusal> {
        self.shared.settings.money_refusal()
    }

    /// Lets creates already sent be answered and recorded (see [`Self::finish_creates`]),
    /// stops every worker, then releases our leases so another engine can continue at once.
    async fn shutdown(mut self, worker_rx: &mut mpsc::Receiver<WorkerMsg>) {
        self.finish_creates(worker_rx).await;
        for (_, handle) in self.workers.drain() {
            handle.abort();
            let _ = handle.await;
        }
        self.heartbeat.stop();
        if let Err(e) = self.shared.store.release_all(&self.shared.owner).await {
            tracing::error!(error = %e, "releasing leases at shutdown failed");
        }
        // What fits still goes; a front end that asked to stop may no longer be reading,
        // so nothing waits for room here.
        self.events.flush();
    }
}

impl EngineLoop {
    /// A worker whose job is `submitting` may have sent its create: aborting it would throw
    /// the answer (the task id) away while the task runs and is charged. Each such worker
    /// is given until `create_grace` (the request timeout) to record its answer, its leases
    /// renewed meanwhile; once its job leaves `submitting` it is stopped like the others.
    async fn finish_creates(&mut self, worker_rx: &mut mpsc::Receiver<WorkerMsg>) {
        let deadline = Instant::now() + self.shared.tuning.create_grace;
        loop {
            while let Ok(msg) = worker_rx.try_recv() {
                self.worker_msg(msg).await;
            }
            let creating = self.workers.keys().any(|id| {
                self.known
                    .get(id)
                    .is_some_and(|v| v.phase == JobPhase::Submitting)
            });
            if !creating {
                return;
            }
            let renew = Instant::now() + self.shared.tuning.tick();
            tokio::select! {
                Some(msg) = worker_rx.recv() => self.worker_msg(msg).await,
                _ = tokio::time::sleep_until(renew.min(deadline)) => {
                    if Instant::now() >= deadline {
                        tracing::warn!("stopping with a create still unanswered");
                        return;
                    }
                    let (lease, now) = (self.shared.tuning.lease_ttl, self.shared.now());
                    let _ = self.shared.store.renew_leases(&self.shared.owner, lease, Vec::new(), now).await;
                }
            }
        }
    }
}

/// The lowest id from which `views_in_scope` listed every job: the oldest of a full
/// first page (older ones are only the unfinished), else all of them.
fn listed_from(initial: &[JobView]) -> JobId {
    match initial.get(FIRST_PAGE - 1) {
        Some(oldest_listed) => oldest_listed.id,
        None => 0,
    }
}

/// The jobs a front end starts with (see [`EngineHandle::initial_jobs`]).
async fn views_in_scope(
    store: &dyn JobStore,
    scope: &JobScope,
) -> Result<Vec<JobView>, StoreError> {
    match scope {
        JobScope::All => store.first_views(FIRST_PAGE).await,
        JobScope::Only(ids) => store.views(ids.iter().rev().copied().collect()).await,
    }
}
