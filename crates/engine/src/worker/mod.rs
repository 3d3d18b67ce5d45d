//! One job's life while this engine holds its lease: submit (or reconcile), poll, download.
//!
//! A worker is a tokio task. It reads and writes the job only through the store, always
//! conditionally on its lease, and reports every change to the engine loop. When the job
//! finishes, stalls (waits for the user) or the lease is lost, the worker exits and the
//! engine releases the lease.

mod attention;
mod clock;
mod doubt;
mod explain;
mod fetch;
mod listing;
mod local_gate;
mod odd;
mod orphan;
mod remote;
mod shared;
mod slot;
mod targets;
mod words;

pub(crate) use shared::Shared;
pub(crate) use slot::SlotWatch;

use std::sync::Arc;
use std::time::Duration;

use super::list_poll::Membership;
use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::jobs::machine::is_remote;
use shotdeck_core::jobs::{JobError, JobId, JobPhase, JobView};
use shotdeck_core::provider::Provider;
use shotdeck_providers::{Client, ProviderError};
use shotdeck_store::{JobChange, StoreError};
use words::{error_of, retry_words};

/// What workers tell the engine loop.
// Views are forwarded as events unchanged; boxing them here would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum WorkerMsg {
    Updated(JobView),
    Exited(JobId),
}

/// What a step asks the run loop to do next.
enum Next {
    Now,
    After(Duration),
    /// Until a slot on the job's account may have freed (see `slot`).
    Slot,
    Stop,
}

/// Which provider request an error answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Create,
    Poll,
}

impl Request {
    fn as_str(self) -> &'static str {
        match self {
            Request::Create => "submit",
            Request::Poll => "poll",
        }
    }
}

/// Why a worker stops without finishing its job.
enum Halt {
    /// Another engine took the job over after our lease expired.
    LeaseLost,
    Store(StoreError),
}

impl From<StoreError> for Halt {
    fn from(e: StoreError) -> Self {
        Halt::Store(e)
    }
}

type Step = Result<Next, Halt>;

pub(crate) struct Worker {
    shared: Arc<Shared>,
    id: JobId,
    provider: Provider,
    create_path: String,
    request: ComposedRequest,
    view: JobView,
    units_charged: Option<String>,
    /// The board asked for a watermark: the provider's watermarked copy is fetched too.
    watermark: bool,
    /// An earlier create of this job may have reached the provider: look before sending.
    /// A job loaded in `submitting` starts in doubt (a crash may have cut the answer off).
    create_in_doubt: bool,
    /// When this worker last sent the create (`None`: never here; a job adopted in doubt
    /// was left alone by the store's rules for the create's whole timeout). See `doubt.rs`.
    create_sent: Option<tokio::time::Instant>,
    /// Polls made so far (sets the next interval).
    polls: u32,
    /// Consecutive retryable errors, and consecutive unreadable or not-found answers (a
    /// create fails after `odd_answer_limit` of these; a poll keeps asking).
    errors: u32,
    odd: u32,
    /// Wait before the first step: the rest of an interval another engine already polled in.
    first_wait: Duration,
    /// The job's place among the in-flight tasks polled by one list request, while its
    /// task is in flight with a provider that lists tasks.
    listing: Option<Membership>,
    /// The last list answer did not show this task: it is queried on its own when due.
    off_the_list: bool,
    /// The task was asked again for its videos (see `fetch.rs`).
    files_asked: bool,
    /// Its place in the engine's line for a slot while it waits for one.
    in_line: Option<slot::InLine>,
    /// Its create, then its task, counted among this engine's out at the provider (see
    /// `local_gate`), from the send until the task ends or the create is refused.
    out: Option<local_gate::Out>,
    /// Claimed as a result nobody fetched (see `orphan`): fetched here, asked once.
    orphan: bool,
}

impl Worker {
    pub(crate) async fn load(shared: Arc<Shared>, id: JobId) -> Result<Worker, StoreError> {
        let rec = shared
            .store
            .record(id)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        let now = shared.now();
        let schedule = &shared.tuning.poll;
        let age = Duration::from_millis((now - rec.view.created_at).max(0) as u64);
        let polls = schedule.polls_for_age(age);
        let first_wait = match rec.last_polled_at {
            Some(at) if is_remote(rec.view.phase) => {
                // `at` may be another machine's clock: wait one interval at most.
                let interval = schedule.base_interval(polls).as_millis() as i64;
                Duration::from_millis((at + interval - now).clamp(0, interval) as u64)
            }
            _ => Duration::ZERO,
        };
        let units_charged = rec.view.units_charged.clone();
        Ok(Worker {
            create_in_doubt: rec.view.phase == JobPhase::Submitting,
            create_sent: None,
            provider: rec.view.provider,
            create_path: rec.create_path,
            request: rec.request,
            view: rec.view,
            units_charged,
            watermark: rec.board.watermark,
            polls,
            errors: 0,
            odd: 0,
            first_wait,
            listing: None,
            off_the_list: false,
            files_asked: false,
            in_line: None,
            out: None,
            orphan: shared.take_orphan(id),
            shared,
            id,
        })
    }

    pub(crate) async fn run(mut self) {
        if !self.first_wait.is_zero() {
            tokio::time::sleep(self.first_wait).await;
        }
        // A step taken while waiting: a list answer that showed this job's task.
        let mut answered = None;
        loop {
            let step = match answered.take() {
                Some(step) => step,
                None => match self.view.phase {
                    JobPhase::Queued | JobPhase::Submitting => self.submit().await,
                    JobPhase::Submitted | JobPhase::Processing => self.poll().await,
                    JobPhase::Downloading => self.download().await,
                    // Only the user's `Send` moves a job out of `not_sent` (back to `queued`).
                    JobPhase::Done
                    | JobPhase::Failed
                    | JobPhase::NeedsAttention
                    | JobPhase::NotSent => Ok(Next::Stop),
                },
            };
            self.sync_listing();
            match step {
                Ok(Next::Now) => {}
                Ok(Next::After(wait)) => answered = self.pause(wait).await,
                Ok(Next::Slot) => self.await_slot().await,
                Ok(Next::Stop) => break,
                Err(Halt::LeaseLost) => {
                    tracing::info!(job = self.id, "lease taken over by another engine");
                    break;
                }
                Err(Halt::Store(e)) => {
                    tracing::error!(job = self.id, error = %e, "job store write failed; worker stops");
                    break;
                }
            }
        }
        let _ = self.shared.out.send(WorkerMsg::Exited(self.id)).await;
    }

    /// Writes `change` under our lease and reports the new view.
    async fn change(&mut self, change: JobChange) -> Result<(), Halt> {
        let view = self
            .shared
            .store
            .apply(self.id, &self.shared.owner, change, self.shared.now())
            .await?
            .ok_or(Halt::LeaseLost)?;
        self.publish(view).await;
        Ok(())
    }

    async fn publish(&mut self, view: JobView) {
        let freed = slot::holds_slot(self.view.phase) && !slot::holds_slot(view.phase);
        self.view = view.clone();
        if freed {
            self.out = None;
            self.shared.slot_line.freed_here(self.id);
        }
        let _ = self.shared.out.send(WorkerMsg::Updated(view)).await;
    }

    /// The client for this job's provider. Without one (keys removed since the submit)
    /// a job that may already exist remotely waits for the user instead of failing.
    async fn client(&mut self) -> Result<Result<Arc<Client>, Next>, Halt> {
        match self.shared.client(self.provider) {
            Ok(c) => Ok(Ok(c)),
            // Another machine with keys may fetch it: nothing is written here.
            Err(e) if self.orphan => {
                tracing::info!(job = self.id, error = %e, "results nobody fetched: no client here");
                Ok(Err(Next::Stop))
            }
            Err(e) if self.view.phase == JobPhase::Queued => {
                Ok(Err(self.fail(error_of(&e, false), "cannot submit").await?))
            }
            Err(e) => Ok(Err(self.stall(error_of(&e, false)).await?)),
        }
    }

    async fn fail(&mut self, error: JobError, what: &str) -> Step {
        let note = format!("{what}: {}", error.message);
        let change = JobChange::phase(JobPhase::Failed)
            .with_error(Some(error))
            .with_note(note);
        self.change(change).await?;
        Ok(Next::Stop)
    }

    /// Parks the job with `error` shown until the user acts (or the next engine start).
    async fn stall(&mut self, error: JobError) -> Step {
        let change = JobChange {
            stalled: Some(true),
            note: Some(format!("waiting for the user: {}", error.message)),
            ..JobChange::default().with_error(Some(error))
        };
        self.change(change).await?;
        Ok(Next::Stop)
    }

    /// Decides what a provider error means for the job: wait and try again, or fail. The
    /// wait happens in the run loop, after the request slot was given back.
    ///
    /// A poll is never given up: the task exists and may be charged, and only the provider's
    /// explicit failure ends it. Unreadable answers, not-found, auth and balance refusals on
    /// a poll are shown on the job and asked again with backoff (Kling's client re-signs its
    /// token on every new attempt that is refused as expired).
    async fn on_error(&mut self, e: &ProviderError, request: Request) -> Step {
        let what = request.as_str();
        let odd = matches!(
            e,
            ProviderError::Malformed(_)
                | ProviderError::NotFound { .. }
                | ProviderError::Conflict { .. }
        );
        let again = request == Request::Poll
            || e.is_retryable()
            || (odd && self.odd + 1 < self.shared.tuning.odd_answer_limit);
        if !again {
            return self
                .fail(error_of(e, false), &format!("{what} failed"))
                .await;
        }
        if odd {
            self.odd = self.odd.saturating_add(1);
        } else {
            self.errors = self.errors.saturating_add(1);
        }
        let attempt = self.errors.saturating_add(self.odd);
        let schedule = &self.shared.tuning.poll;
        let mut wait = schedule.backoff(attempt, e.retry_after(), &mut rand::rng());
        if request == Request::Poll {
            // Never faster than the poll schedule: one request per job per interval.
            wait = wait.max(schedule.base_interval(self.polls));
        }
        // A rate-limited poll holds every request off. A rate-limited create delays only
        // its own job: "too many tasks in parallel" says nothing against polls, and polls
        // are what let the running tasks finish.
        if request == Request::Poll && matches!(e, ProviderError::RateLimited { .. }) {
            self.shared.gate.hold_off(wait);
        }
        // A rate-limited create is the account's business: shared through the store.
        if request == Request::Create
            && matches!(e, ProviderError::RateLimited { .. })
            && let Some(next) = self.refused_for_account(e, wait).await?
        {
            return Ok(next);
        }
        tracing::info!(job = self.id, error = %e, ?wait, "{what} will be retried");
        let error = JobError {
            message: format!("{e}; {}", retry_words(what, attempt, wait, e.retry_after())),
            ..error_of(e, true)
        };
        let note = format!("{what}: {}", error.message);
        self.change(JobChange::default().with_error(Some(error)).with_note(note))
            .await?;
        Ok(Next::After(wait))
    }

    /// A good answer ends any run of errors.
    fn reset_errors(&mut self) {
        self.errors = 0;
        self.odd = 0;
    }
}
