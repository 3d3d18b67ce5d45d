//! The commands front ends send: submit, redownload, refresh (retries: `retries.rs`).

use std::path::PathBuf;

use super::{EngineLoop, views_in_scope};
use shotdeck_core::jobs::{
    Action, JobCmd, JobEvent, JobId, JobPhase, JobView, Refusal, Step, SubmitRequest, SubmitTicket,
};

/// A restarted job's new view (`None`: the lease was lost meanwhile), or why it was not
/// restarted.
pub(super) type Restarted = Result<Option<JobView>, Refusal>;
use crate::intake;
use shotdeck_store::{JobChange, NewJob, Store, StoreError, now_ms};

impl EngineLoop {
    pub(super) async fn command(&mut self, cmd: JobCmd) {
        match cmd {
            JobCmd::Submit(req) => self.submit(req).await,
            JobCmd::Retry(id) => self.retry(id).await,
            JobCmd::Repoll(id) => self.repoll(id).await,
            JobCmd::Redownload(id) => self.redownload(id).await,
            JobCmd::Send(id) => self.send(id).await,
            JobCmd::Cancel(id) => self.cancel(id).await,
            JobCmd::Refresh => self.refresh().await,
            JobCmd::Details(id) => self.details(id).await,
            JobCmd::Page {
                board,
                below,
                limit,
                filter,
            } => self.page(board, below, limit, filter).await,
            JobCmd::SetKeeper { id, keep } => self.set_keeper(id, keep).await,
            JobCmd::Compare(a, b) => self.compare(a, b).await,
            JobCmd::Shutdown => {}
        }
    }

    /// Turns a front end's board into a job (see [`intake::prepare`]) and records it. The
    /// loop waits for the preparation, but on a blocking thread: reading and encoding the
    /// images never stalls the runtime's workers.
    async fn submit(&mut self, req: SubmitRequest) {
        let ticket = req.ticket;
        let retry_of = req.options.retry_of;
        if let Some(of) = retry_of
            && let Err(reason) = self.not_yet_retried(of).await
        {
            return self.refuse(Some(ticket), reason);
        }
        let prices = self.shared.settings.prices.clone();
        let profiles = self.shared.settings.profiles.clone();
        let prepared =
            tokio::task::spawn_blocking(move || intake::prepare(req, &prices, &profiles)).await;
        match prepared {
            Ok(Ok(job)) => {
                let job = NewJob { retry_of, ..job };
                tracing::info!(external_task_id = %job.external_task_id, provider = %job.provider, "submitting");
                self.record(job, Some(ticket)).await;
            }
            Ok(Err(refusal)) => self.refuse(Some(ticket), refusal),
            Err(e) => self.refuse(
                Some(ticket),
                Refusal::Failed {
                    step: Step::Prepare,
                    error: e.to_string(),
                },
            ),
        }
    }

    /// Records the job (leased to us, nothing sent yet) and starts its worker. `ticket`
    /// names the front end's submit this job answers, if any.
    pub(super) async fn record(&mut self, job: NewJob, ticket: Option<SubmitTicket>) {
        if let Err(reason) = intake::ensure_keyed(&job) {
            return self.refuse(ticket, reason);
        }
        if let Some(why) = self.money_refusal() {
            return self.refuse(ticket, why);
        }
        let owner = self.shared.owner.clone();
        let until = now_ms() + self.lease_ms();
        let (budget, unit_prices) = (
            self.shared.settings.budget,
            self.shared.settings.usd_per_unit.clone(),
        );
        let inserted = self
            .shared
            .db
            .call(move |s| {
                let within = s.insert_job_within_budget(
                    &job,
                    &budget,
                    &unit_prices,
                    &owner,
                    until,
                    now_ms(),
                )?;
                match within {
                    Ok(id) => Ok(Ok(s.view(id)?)),
                    Err(over) => Ok(Err(over)),
                }
            })
            .await;
        match inserted {
            Ok(Err(over)) => self.refuse(ticket, Refusal::OverBudget { job: None, over }),
            Ok(Ok(Some(view))) => {
                let id = view.id;
                self.scope.add(id);
                match ticket {
                    Some(ticket) => self.announce(ticket, view),
                    None => self.report(view),
                }
                self.spawn_worker(id).await;
            }
            Ok(Ok(None)) => self.refuse(ticket, Refusal::Vanished),
            Err(e) => self.refuse(
                ticket,
                Refusal::Failed {
                    step: Step::Record,
                    error: e.to_string(),
                },
            ),
        }
    }

    /// Resumes (or redoes) a job's downloads; also restarts a stalled job in any phase.
    pub(super) async fn redownload(&mut self, id: JobId) {
        self.restart(id, move |s, owner, view| {
            let change = match view.phase {
                phase @ JobPhase::Failed => {
                    return Ok(Err(Refusal::WrongPhase {
                        id,
                        phase,
                        action: Action::Redownload,
                    }));
                }
                JobPhase::Done | JobPhase::Downloading => JobChange::phase(JobPhase::Downloading),
                _ => JobChange::default(),
            };
            let change = JobChange {
                stalled: Some(false),
                ..change.with_error(None).with_note("resumed by the user")
            };
            Ok(Ok(s.apply(id, owner, &change, now_ms())?))
        })
        .await;
    }

    /// Puts a job back to work on the user's word: takes its lease, lets `change` (on the
    /// store thread) move the job or say why not (the lease is then given back), and starts
    /// its worker. A job one of our workers already runs is left alone.
    pub(super) async fn restart(
        &mut self,
        id: JobId,
        change: impl FnOnce(&mut Store, &str, JobView) -> Result<Restarted, StoreError> + Send + 'static,
    ) {
        self.scope.add(id);
        if self.workers.contains_key(&id) {
            return;
        }
        let (owner, until, now) = (
            self.shared.owner.clone(),
            now_ms() + self.lease_ms(),
            now_ms(),
        );
        let taken = self
            .shared
            .db
            .call(move |s| {
                if !s.take_lease(id, &owner, until, now)? {
                    return Ok(Err(Refusal::LeaseHeld { id }));
                }
                let Some(view) = s.view(id)? else {
                    return Ok(Err(Refusal::NotFound {
                        id,
                        action: Action::Resume,
                    }));
                };
                let changed = change(s, &owner, view)?;
                if changed.is_err() {
                    s.release_lease(id, &owner)?;
                }
                Ok(changed)
            })
            .await;
        match taken {
            Ok(Ok(Some(view))) => {
                self.report(view);
                self.spawn_worker(id).await;
            }
            Ok(Ok(None)) => self.reject(Refusal::LeaseLost { id }),
            Ok(Err(reason)) => self.reject(reason),
            Err(e) => self.reject(Refusal::Failed {
                step: Step::Resume(id),
                error: e.to_string(),
            }),
        }
    }

    /// Re-reports every job in scope and picks up any that wait for an engine.
    /// Answers a front end's page request; the rows are not remembered (a watch reports
    /// their later changes anyway), so the engine holds no more for a long history.
    async fn page(
        &mut self,
        board: Option<PathBuf>,
        below: JobId,
        limit: usize,
        filter: Option<String>,
    ) {
        let (query_board, query) = (board.clone(), filter.clone());
        let read = self
            .shared
            .db
            .call(move |s| {
                let board = query_board.as_deref();
                let Some(text) = query else {
                    return Ok((s.page(board, below, limit)?, None));
                };
                let jobs = s.page_matching(board, below, limit, &text)?;
                // Counted once, with the first page: `k of n` in the queue's title.
                let matching = match below {
                    JobId::MAX => Some(s.count_matching(board, &text)?),
                    _ => None,
                };
                Ok::<_, shotdeck_store::StoreError>((jobs, matching))
            })
            .await;
        match read {
            Ok((jobs, matching)) => {
                let ended = jobs.len() < limit;
                let scope = &self.scope;
                let jobs = jobs.into_iter().filter(|v| scope.contains(v.id)).collect();
                self.events.push(JobEvent::Page {
                    board,
                    below,
                    jobs,
                    ended,
                    filter,
                    matching,
                });
            }
            Err(e) => tracing::error!(error = %e, "reading a page of jobs failed"),
        }
    }

    pub(super) async fn refresh(&mut self) {
        match views_in_scope(&self.shared.db, &self.scope).await {
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

    /// Sends one job's whole record, or says why there is none.
    async fn details(&mut self, id: JobId) {
        match self.shared.db.call(move |s| s.record(id)).await {
            Ok(Some(record)) => {
                self.events.push(JobEvent::Details(Box::new(record)));
            }
            Ok(None) => self.reject(Refusal::NotFound {
                id,
                action: Action::Read,
            }),
            Err(e) => self.reject(Refusal::Failed {
                step: Step::Read(id),
                error: e.to_string(),
            }),
        }
    }
}
