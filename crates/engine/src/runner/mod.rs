//! The engine task: takes commands, runs one worker per leased job, watches the store for
//! other processes' changes, and reports every change as an event.
//!
//! Idle costs nothing: with no job in flight the task waits on its channels only. While
//! any job in scope is in flight a housekeeping tick renews this engine's leases, re-reads
//! rows other processes changed, and adopts jobs whose lease is free or expired.

mod commands;
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
use super::worker::{Shared, WorkerMsg};
use shotdeck_core::jobs::{
    JobCmd, JobCounts, JobEvent, JobId, JobPhase, JobView, Refusal, SubmitTicket,
};
use shotdeck_store::db::Db;
use shotdeck_store::{StoreError, now_ms};

/// How far back each watch re-reads: a row written by another process carries the time
/// its writer took before waiting for the write lock (up to the busy timeout).
const WATCH_SLACK_MS: i64 = 6_000;

/// How many of the newest jobs a front end starts with: a screenful or two of the queue
/// whatever the history's length.
pub const FIRST_PAGE: usize = 50;

/// What a front end holds: commands in, events out, and the jobs as they were at start.
pub struct EngineHandle {
    pub cmd_tx: mpsc::UnboundedSender<JobCmd>,
    pub event_rx: mpsc::UnboundedReceiver<JobEvent>,
    /// The jobs in scope a front end starts with, newest first: every unfinished one and
    /// the newest [`FIRST_PAGE`] (older ones on request: [`JobCmd::Page`]).
    pub initial_jobs: Vec<JobView>,
    /// How many jobs each board has in the store at start.
    pub counts: JobCounts,
    /// This engine's lease owner id.
    pub instance: String,
    /// Ends after `Shutdown` (or once every command sender is dropped), leases released.
    pub task: JoinHandle<()>,
}

pub struct Engine;

impl Engine {
    /// Opens the store, takes over in-scope jobs no live engine holds (a crashed run's
    /// included) and starts the engine task. Must be called inside a tokio runtime.
    pub async fn start(cfg: EngineConfig) -> Result<EngineHandle, StoreError> {
        let db = Db::open(&cfg.store_path).await?;
        let instance = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
        let (out_tx, worker_rx) = mpsc::unbounded_channel();
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (event_tx, event_rx) = mpsc::unbounded_channel();
        let (db_for_spend, event_tx_for_spend) = (db.clone(), event_tx.clone());
        let shared = Arc::new(Shared::new(
            db,
            instance.clone(),
            cfg.tuning.clone(),
            cfg.settings.clone(),
            cfg.clients.clone(),
            out_tx,
        ));
        let mut engine = EngineLoop {
            known: HashMap::new(),
            shared,
            scope: cfg.scope,
            events: event_tx,
            workers: HashMap::new(),
            lost: HashSet::new(),
            watching: false,
            last_seen: now_ms(),
            next_tick: Instant::now(),
            spend: spend::start(
                db_for_spend,
                cfg.settings.usd_per_unit.clone(),
                event_tx_for_spend,
            ),
        };
        engine.adopt(true).await;
        // Read after adopting, so a job resumed from a stall shows without its old error.
        let initial_jobs = views_in_scope(&engine.shared.db, &engine.scope).await?;
        let mut counts = engine.shared.db.call(|s| s.counts()).await?;
        counts.listed_from = listed_from(&initial_jobs);
        for v in &initial_jobs {
            engine.known.insert(v.id, v.clone());
        }
        engine.refresh_watching().await;
        let task = tokio::spawn(engine.run(cmd_rx, worker_rx));
        Ok(EngineHandle {
            cmd_tx,
            event_rx,
            initial_jobs,
            counts,
            instance,
            task,
        })
    }
}

/// A fresh idempotency key: `shotdeck-<uuid v4>`.
pub fn new_external_task_id() -> String {
    format!("shotdeck-{}", uuid::Uuid::new_v4())
}

struct EngineLoop {
    shared: Arc<Shared>,
    scope: JobScope,
    events: mpsc::UnboundedSender<JobEvent>,
    workers: HashMap<JobId, JoinHandle<()>>,
    /// The last view reported per job, so re-reads only report real changes.
    known: HashMap<JobId, JobView>,
    /// Some in-scope job is in flight that no worker of ours runs (another process has it,
    /// or it waits for adoption).
    watching: bool,
    last_seen: i64,
    next_tick: Instant,
    /// Asks the spend reporter to sum today's spend again.
    spend: mpsc::UnboundedSender<()>,
    /// Jobs a worker of ours still runs whose lease another process took.
    lost: HashSet<JobId>,
}

impl EngineLoop {
    async fn run(
        mut self,
        mut cmds: mpsc::UnboundedReceiver<JobCmd>,
        mut worker_rx: mpsc::UnboundedReceiver<WorkerMsg>,
    ) {
        loop {
            let busy = !self.workers.is_empty() || self.watching;
            tokio::select! {
                cmd = cmds.recv() => match cmd {
                    None | Some(JobCmd::Shutdown) => break,
                    Some(cmd) => self.command(cmd).await,
                },
                Some(msg) = worker_rx.recv() => self.worker_msg(msg).await,
                // Not even constructed into a timer when idle: no wakeups.
                _ = tokio::time::sleep_until(self.next_tick), if busy => self.tick().await,
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
                self.lost.remove(&id);
                let owner = self.shared.owner.clone();
                match self
                    .shared
                    .db
                    .call(move |s| {
                        s.release_lease(id, &owner)?;
                        s.view(id)
                    })
                    .await
                {
                    // A worker that stopped because its lease went elsewhere (a cancel from
                    // another process) leaves the store's word as the last one.
                    Ok(Some(view)) if self.known.get(&id) != Some(&view) => self.report(view),
                    Ok(_) => {}
                    Err(e) => tracing::error!(job = id, error = %e, "could not release a lease"),
                }
                self.refresh_watching().await;
            }
        }
    }

    fn report(&mut self, view: JobView) {
        self.remember(view.clone());
        let _ = self.events.send(JobEvent::Updated(view));
    }

    /// The first event about a job recorded for a front end's submit.
    fn announce(&mut self, ticket: SubmitTicket, job: JobView) {
        self.remember(job.clone());
        let _ = self.events.send(JobEvent::Submitted { ticket, job });
    }

    /// Keeps the view as last reported; a change the ledger counts makes the spend stale.
    fn remember(&mut self, view: JobView) {
        let counted = |v: &JobView| (v.phase, v.task_id.clone(), v.units_charged.clone());
        let before = self.known.get(&view.id).map(counted);
        if before.as_ref() != Some(&counted(&view)) {
            let _ = self.spend.send(());
        }
        self.known.insert(view.id, view);
    }

    fn reject(&self, reason: Refusal) {
        self.refuse(None, reason);
    }

    /// Reports a refused command; `ticket` names the submit it was, if one.
    fn refuse(&self, ticket: Option<SubmitTicket>, reason: Refusal) {
        tracing::warn!(%reason, "command rejected");
        let _ = self.events.send(JobEvent::Rejected { reason, ticket });
    }

    /// Why nothing paid may be sent: config.toml's money keys did not read cleanly, so a
    /// limit or price may be missing (submit, retry and send all check it).
    fn money_refusal(&self) -> Option<Refusal> {
        self.shared.settings.money_refusal()
    }

    fn lease_ms(&self) -> i64 {
        self.shared.tuning.lease_ttl.as_millis() as i64
    }

    /// Lets creates already sent be answered and recorded (see [`Self::finish_creates`]),
    /// stops every worker, then releases our leases so another engine can continue at once.
    async fn shutdown(mut self, worker_rx: &mut mpsc::UnboundedReceiver<WorkerMsg>) {
        self.finish_creates(worker_rx).await;
        for (_, handle) in self.workers.drain() {
            handle.abort();
            let _ = handle.await;
        }
        let owner = self.shared.owner.clone();
        if let Err(e) = self.shared.db.call(move |s| s.release_leases(&owner)).await {
            tracing::error!(error = %e, "releasing leases at shutdown failed");
        }
    }
}

impl EngineLoop {
    /// A worker whose job is `submitting` may have sent its create: aborting it would throw
    /// the answer (the task id) away while the task runs and is charged. Each such worker
    /// is given until `create_grace` (the request timeout) to record its answer, its leases
    /// renewed meanwhile; once its job leaves `submitting` it is stopped like the others.
    async fn finish_creates(&mut self, worker_rx: &mut mpsc::UnboundedReceiver<WorkerMsg>) {
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
                    let (owner, until) = (self.shared.owner.clone(), now_ms() + self.lease_ms());
                    let _ = self.shared.db.call(move |s| s.renew_leases(&owner, until)).await;
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
async fn views_in_scope(db: &Db, scope: &JobScope) -> Result<Vec<JobView>, StoreError> {
    match scope.clone() {
        JobScope::All => {
            db.call(|s| {
                let mut views = s.page(None, JobId::MAX, FIRST_PAGE)?;
                let oldest_listed = views.last().map_or(JobId::MAX, |v| v.id);
                let older_unfinished = s.unfinished()?.into_iter().rev();
                views.extend(older_unfinished.filter(|v| v.id < oldest_listed));
                Ok(views)
            })
            .await
        }
        JobScope::Only(ids) => {
            db.call(move |s| {
                let mut views = Vec::new();
                for id in ids.into_iter().rev() {
                    views.extend(s.view(id)?);
                }
                Ok(views)
            })
            .await
        }
    }
}
