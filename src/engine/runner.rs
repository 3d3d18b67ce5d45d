//! The engine task: takes commands, runs one worker per leased job, watches the store for
//! other processes' changes, and reports every change as an event.
//!
//! Idle costs nothing: with no job in flight the task waits on its channels only. While
//! any job in scope is in flight a housekeeping tick renews this engine's leases, re-reads
//! rows other processes changed, and adopts jobs whose lease is free or expired.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::config::{EngineConfig, JobScope};
use super::db::Db;
use super::events::{JobCmd, JobEvent, JobId, JobPhase, JobView};
use super::store::{JobChange, ListFilter, NewJob, StoreError, now_ms};
use super::worker::{Ctx, Worker, WorkerMsg};

/// How far back each watch re-reads: a row written by another process carries the time
/// its writer took before waiting for the write lock (up to the busy timeout).
const WATCH_SLACK_MS: i64 = 6_000;

/// What a front end holds: commands in, events out, and the jobs as they were at start.
pub struct EngineHandle {
    pub cmd_tx: mpsc::UnboundedSender<JobCmd>,
    pub event_rx: mpsc::UnboundedReceiver<JobEvent>,
    /// Every job in scope, newest first, when the engine started.
    pub initial_jobs: Vec<JobView>,
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
        let ctx = Arc::new(Ctx::new(
            db,
            instance.clone(),
            cfg.tuning.clone(),
            cfg.config.clone(),
            cfg.clients.clone(),
            out_tx,
        ));
        let initial_jobs = views_in_scope(&ctx.db, &cfg.scope).await?;
        let mut engine = EngineLoop {
            known: initial_jobs.iter().map(|v| (v.id, v.clone())).collect(),
            ctx,
            scope: cfg.scope,
            events: event_tx,
            workers: HashMap::new(),
            watching: false,
            last_seen: now_ms(),
            next_tick: Instant::now(),
        };
        engine.adopt(true).await;
        engine.refresh_watching().await;
        let task = tokio::spawn(engine.run(cmd_rx, worker_rx));
        Ok(EngineHandle {
            cmd_tx,
            event_rx,
            initial_jobs,
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
    ctx: Arc<Ctx>,
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
                self.next_tick = Instant::now() + self.ctx.tuning.tick();
            }
        }
        self.shutdown().await;
    }

    async fn command(&mut self, cmd: JobCmd) {
        match cmd {
            JobCmd::Submit {
                board_path,
                board,
                provider,
                request,
                external_task_id,
                estimated_usd,
            } => {
                let job = NewJob {
                    board_path,
                    board,
                    provider,
                    request,
                    external_task_id,
                    estimated_usd,
                    retry_of: None,
                };
                self.submit(job).await;
            }
            JobCmd::Retry(id) => self.retry(id).await,
            JobCmd::Redownload(id) => self.redownload(id).await,
            JobCmd::Refresh => self.refresh().await,
            JobCmd::Shutdown => {}
        }
    }

    /// Records the job (leased to us, nothing sent yet) and starts its worker.
    async fn submit(&mut self, job: NewJob) {
        let in_body = job.request.body.get("external_task_id");
        if in_body.and_then(|v| v.as_str()) != Some(job.external_task_id.as_str()) {
            return self.reject(format!(
                "the request's external_task_id must be the job's ({}); nothing was sent",
                job.external_task_id
            ));
        }
        let owner = self.ctx.owner.clone();
        let until = now_ms() + self.lease_ms();
        let inserted = self
            .ctx
            .db
            .call(move |s| {
                let id = s.insert_job(&job, &owner, until, now_ms())?;
                s.view(id)
            })
            .await;
        match inserted {
            Ok(Some(view)) => {
                let id = view.id;
                self.scope.add(id);
                self.report(view);
                self.spawn_worker(id).await;
            }
            Ok(None) => self.reject("the new job vanished from the store".into()),
            Err(e) => self.reject(format!("could not record the job, nothing was sent: {e}")),
        }
    }

    /// A finished job's stored request as a new job with a fresh idempotency key.
    async fn retry(&mut self, id: JobId) {
        let rec = match self.ctx.db.call(move |s| s.record(id)).await {
            Ok(Some(rec)) => rec,
            Ok(None) => return self.reject(format!("no job {id} to retry")),
            Err(e) => return self.reject(format!("cannot retry job {id}: {e}")),
        };
        if rec.view.phase.is_active() {
            return self.reject(format!(
                "job {id} is still {}; retry it once it has finished",
                rec.view.phase.as_str()
            ));
        }
        let ext = new_external_task_id();
        let mut request = rec.request;
        match request.body.as_object_mut() {
            Some(body) => {
                body.insert("external_task_id".into(), ext.clone().into());
            }
            None => return self.reject(format!("job {id}'s stored request has no JSON body")),
        }
        self.submit(NewJob {
            board_path: rec.view.board_path,
            board: rec.board,
            provider: rec.view.provider,
            request,
            external_task_id: ext,
            estimated_usd: rec.view.estimated_usd,
            retry_of: Some(id),
        })
        .await;
    }

    /// Resumes (or redoes) a job's downloads; also restarts a stalled job in any phase.
    async fn redownload(&mut self, id: JobId) {
        self.scope.add(id);
        if self.workers.contains_key(&id) {
            return;
        }
        let (owner, until, now) = (self.ctx.owner.clone(), now_ms() + self.lease_ms(), now_ms());
        let taken = self
            .ctx
            .db
            .call(move |s| {
                if !s.take_lease(id, &owner, until, now)? {
                    return Ok(Err(format!(
                        "job {id} is being worked on by another shotdeck process"
                    )));
                }
                let Some(view) = s.view(id)? else {
                    return Ok(Err(format!("no job {id}")));
                };
                let change = match view.phase {
                    JobPhase::Failed => {
                        s.release_lease(id, &owner)?;
                        return Ok(Err(format!(
                            "job {id} failed, so it has nothing to download (retry it instead)"
                        )));
                    }
                    JobPhase::Done | JobPhase::Downloading => {
                        JobChange::phase(JobPhase::Downloading)
                    }
                    _ => JobChange::default(),
                };
                let change = JobChange {
                    stalled: Some(false),
                    ..change.with_error(None).with_note("resumed by the user")
                };
                Ok(Ok(s.apply(id, &owner, &change, now_ms())?))
            })
            .await;
        match taken {
            Ok(Ok(Some(view))) => {
                self.report(view);
                self.spawn_worker(id).await;
            }
            Ok(Ok(None)) => self.reject(format!("job {id} was taken over by another process")),
            Ok(Err(reason)) => self.reject(reason),
            Err(e) => self.reject(format!("cannot resume job {id}: {e}")),
        }
    }

    /// Re-reports every job in scope and picks up any that wait for an engine.
    async fn refresh(&mut self) {
        match views_in_scope(&self.ctx.db, &self.scope).await {
            Ok(views) => {
                for v in views {
                    self.report(v);
                }
            }
            Err(e) => tracing::error!(error = %e, "refresh failed"),
        }
        self.adopt(false).await;
        self.refresh_watching().await;
    }

    async fn worker_msg(&mut self, msg: WorkerMsg) {
        match msg {
            WorkerMsg::Updated(view) => self.report(view),
            WorkerMsg::Exited(id) => {
                self.workers.remove(&id);
                let owner = self.ctx.owner.clone();
                if let Err(e) = self.ctx.db.call(move |s| s.release_lease(id, &owner)).await {
                    tracing::error!(job = id, error = %e, "could not release a lease");
                }
                self.refresh_watching().await;
            }
        }
    }

    /// Housekeeping while anything is in flight.
    async fn tick(&mut self) {
        self.next_tick = Instant::now() + self.ctx.tuning.tick();
        let now = now_ms();
        if !self.workers.is_empty() {
            let (owner, until) = (self.ctx.owner.clone(), now + self.lease_ms());
            if let Err(e) = self
                .ctx
                .db
                .call(move |s| s.renew_leases(&owner, until))
                .await
            {
                tracing::error!(error = %e, "lease renewal failed");
            }
        }
        let since = self.last_seen - WATCH_SLACK_MS;
        match self.ctx.db.call(move |s| s.changed_since(since)).await {
            Ok(views) => {
                self.last_seen = now;
                for v in views {
                    let newer = self
                        .known
                        .get(&v.id)
                        .is_none_or(|k| *k != v && v.updated_at >= k.updated_at);
                    // Our own workers report their jobs directly, and fresher.
                    if self.scope.contains(v.id) && !self.workers.contains_key(&v.id) && newer {
                        self.report(v);
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "watching the store failed"),
        }
        self.adopt(false).await;
        self.refresh_watching().await;
    }

    /// Takes the lease of in-scope active jobs no live engine holds, and works on them.
    /// Stalled jobs only on start: otherwise they wait for the user.
    async fn adopt(&mut self, include_stalled: bool) {
        let now = now_ms();
        let ids = match self
            .ctx
            .db
            .call(move |s| s.adoptable(now, include_stalled))
            .await
        {
            Ok(ids) => ids,
            Err(e) => return tracing::error!(error = %e, "looking for jobs to adopt failed"),
        };
        for id in ids {
            if !self.scope.contains(id) || self.workers.contains_key(&id) {
                continue;
            }
            let (owner, until) = (self.ctx.owner.clone(), now + self.lease_ms());
            // Some(view) once the lease is ours; the view only when clearing a stall changed it.
            let adopted = self
                .ctx
                .db
                .call(move |s| {
                    if !s.take_lease(id, &owner, until, now_ms())? {
                        return Ok(None);
                    }
                    let rec = s.record(id)?.ok_or(StoreError::NotFound(id))?;
                    if !rec.stalled {
                        return Ok(Some(None));
                    }
                    let change = JobChange {
                        stalled: Some(false),
                        ..JobChange::default()
                            .with_error(None)
                            .with_note("resumed at engine start")
                    };
                    Ok(Some(s.apply(id, &owner, &change, now_ms())?))
                })
                .await;
            match adopted {
                Ok(Some(changed)) => {
                    if let Some(view) = changed {
                        self.report(view);
                    }
                    tracing::info!(job = id, "adopted");
                    self.spawn_worker(id).await;
                }
                Ok(None) => {}
                Err(e) => tracing::error!(job = id, error = %e, "adopting failed"),
            }
        }
    }

    async fn spawn_worker(&mut self, id: JobId) {
        match Worker::load(self.ctx.clone(), id).await {
            Ok(worker) => {
                self.workers.insert(id, tokio::spawn(worker.run()));
            }
            Err(e) => {
                tracing::error!(job = id, error = %e, "cannot start work on the job");
                let owner = self.ctx.owner.clone();
                let _ = self.ctx.db.call(move |s| s.release_lease(id, &owner)).await;
            }
        }
    }

    /// Whether an in-scope job is in flight beyond our own workers.
    async fn refresh_watching(&mut self) {
        match self.ctx.db.call(|s| s.in_flight()).await {
            Ok(ids) => {
                self.watching = ids
                    .into_iter()
                    .any(|id| self.scope.contains(id) && !self.workers.contains_key(&id));
            }
            Err(e) => tracing::error!(error = %e, "reading in-flight jobs failed"),
        }
    }

    fn report(&mut self, view: JobView) {
        self.known.insert(view.id, view.clone());
        let _ = self.events.send(JobEvent::Updated(view));
    }

    fn reject(&self, reason: String) {
        tracing::warn!(%reason, "command rejected");
        let _ = self.events.send(JobEvent::Rejected { reason });
    }

    fn lease_ms(&self) -> i64 {
        self.ctx.tuning.lease_ttl.as_millis() as i64
    }

    /// Stops every worker, then releases our leases so another engine can continue at once.
    async fn shutdown(mut self) {
        for (_, handle) in self.workers.drain() {
            handle.abort();
            let _ = handle.await;
        }
        let owner = self.ctx.owner.clone();
        if let Err(e) = self.ctx.db.call(move |s| s.release_leases(&owner)).await {
            tracing::error!(error = %e, "releasing leases at shutdown failed");
        }
    }
}

async fn views_in_scope(db: &Db, scope: &JobScope) -> Result<Vec<JobView>, StoreError> {
    match scope.clone() {
        JobScope::All => db.call(|s| s.list(&ListFilter::default())).await,
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
