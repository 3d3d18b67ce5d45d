//! The commands front ends send: submit, redownload, refresh (retries: `retries.rs`).

use std::path::PathBuf;

use super::{EngineLoop, views_in_scope};
use shotdeck_core::jobs::{
    Action, JobCmd, JobEvent, JobId, Refusal, Step, SubmitRequest, SubmitTicket,
};

use crate::intake;
use shotdeck_store::{JobPage, NewJob, PageQuery, Restart};

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
            JobCmd::Elements { provider } => self.elements(provider),
            JobCmd::ElementPreview {
                provider,
                id,
                url,
                into,
            } => self.element_preview(super::library::PreviewAsk {
                provider,
                id,
                url,
                into,
            }),
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
        // Before anything is prepared or recorded: a board that continues from another's
        // keeper is sent with the continuation on it, or refused, never as if it did not.
        let store = self.shared.store.clone();
        let profiles = self.shared.settings.profiles.clone();
        let continuation = match crate::sequence::continuation(
            &req.board_path,
            &req.board,
            req.provider,
            &profiles,
            &*store,
        )
        .await
        {
            Ok(c) => c,
            Err(refusal) => return self.refuse(Some(ticket), refusal),
        };
        let prices = self.shared.settings.prices.clone();
        let mut req = req;
        // A board file may say `continues`; only its sequence decides.
        req.board.continues = None;
        let prepared = tokio::task::spawn_blocking(move || {
            if let Some(c) = continuation {
                let ffmpeg = crate::cut::find_ffmpeg();
                crate::continue_from::apply(&mut req, c, ffmpeg.as_deref())?;
            }
            intake::prepare_takes(req, &prices, &profiles)
        })
        .await;
        match prepared {
            Ok(Ok(jobs)) => {
                let jobs = jobs
                    .into_iter()
                    .map(|job| NewJob { retry_of, ..job })
                    .inspect(|job| tracing::info!(external_task_id = %job.external_task_id, provider = %job.provider, "submitting"))
                    .collect();
                self.record_takes(jobs, Some(ticket)).await;
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
        self.record_takes(vec![job], ticket).await;
    }

    /// Records the takes of one submit together (all within the budget, or none) and starts
    /// a worker for each; every take is announced under the submit's `ticket`.
    async fn record_takes(&mut self, jobs: Vec<NewJob>, ticket: Option<SubmitTicket>) {
        if let Some(reason) = jobs.iter().find_map(|j| intake::ensure_keyed(j).err()) {
            return self.refuse(ticket, reason);
        }
        if let Some(why) = self.money_refusal() {
            return self.refuse(ticket, why);
        }
        let owner = self.shared.owner.clone();
        let (lease, now) = (self.shared.tuning.lease_ttl, self.shared.now());
        let (budget, unit_prices) = (
            self.shared.settings.budget,
            self.shared.settings.usd_per_unit.clone(),
        );
        let inserted = self
            .shared
            .store
            .insert_takes_within_budget(jobs, budget, unit_prices, &owner, lease, now)
            .await;
        match inserted {
            Ok(Err(over)) => self.refuse(ticket, Refusal::OverBudget { job: None, over }),
            Ok(Ok(views)) => {
                for view in views {
                    let id = view.id;
                    self.scope.add(id);
                    match ticket {
                        Some(ticket) => self.announce(ticket, view),
                        None => self.report(view),
                    }
                    self.spawn_worker(id).await;
                }
            }
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
        // Asked for on this machine: the videos land here, whichever machine asked first.
        self.shared.fetch_here(id);
        if self.workers.contains_key(&id) {
            // Its worker may already have decided to leave the job to the machine that
            // asked (it read where files land before this request): ask again once it
            // exits, or the request would be lost with the job left in `downloading`.
            self.fetch_after_exit.insert(id);
        }
        self.restart(id, Restart::Redownload).await;
    }

    /// A job whose videos were asked for here while its worker ran: once that worker has
    /// exited, put it back to work if it was left without its files (still
    /// `downloading`); a worker that downloaded them here already ended it `done`.
    pub(super) async fn fetch_if_left(&mut self, id: JobId) {
        match self.shared.store.view(id).await {
            Ok(Some(v)) if v.phase == shotdeck_core::jobs::JobPhase::Downloading => {
                self.restart(id, Restart::Redownload).await;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(job = id, error = %e, "reading a job to fetch failed"),
        }
    }

    /// Puts a job back to work on the user's word: the store takes its lease and applies
    /// `how` (or says why not, giving the lease back), and its worker starts. A job one of
    /// our workers already runs is left alone.
    pub(super) async fn restart(&mut self, id: JobId, how: Restart) {
        self.scope.add(id);
        if self.workers.contains_key(&id) {
            return;
        }
        let (lease, now) = (self.shared.tuning.lease_ttl, self.shared.now());
        let taken = self
            .shared
            .store
            .restart(id, how, &self.shared.owner, lease, now)
            .await;
        match taken {
            Ok(Ok(Some(view))) => {
                self.report(view);
                self.spawn_worker(id).await;
            }
            Ok(Ok(None)) => self.reject(Refusal::LeaseLost { id }),
            Ok(Err(refusal)) => self.reject(refusal),
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
        let query = PageQuery {
            board: board.clone(),
            below,
            limit,
            filter: filter.clone(),
        };
        let read = self.shared.store.page(query).await;
        match read {
            Ok(JobPage { jobs, matching }) => {
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
        match views_in_scope(&*self.shared.store, &self.scope).await {
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
        match self.shared.store.record(id).await {
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
