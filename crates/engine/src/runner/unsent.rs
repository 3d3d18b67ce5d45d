//! Jobs nobody is sending: a submit interrupted before it sent anything leaves its job
//! `queued`; the next engine parks it as `not_sent` instead of paying for it unasked, and
//! only the user's `Send` sends it. `Cancel` stops work on any unfinished job.

use super::EngineLoop;
use shotdeck_core::jobs::{Action, JobId, JobPhase, JobView, Refusal, Step};
use shotdeck_store::{CancelError, JobChange, Store, StoreError, now_ms};

/// What an engine writes on a `queued` job whose submitter is gone.
pub(super) fn park_unsent(s: &mut Store, id: JobId, owner: &str) -> Result<JobView, StoreError> {
    let change = JobChange {
        stalled: Some(false),
        ..JobChange::phase(JobPhase::NotSent).with_note(format!(
            "the submit that recorded it stopped before sending; nothing was sent. Send it \
             with `shotdeck jobs send {id}` (or from the editor), or cancel it"
        ))
    };
    s.apply(id, owner, &change, now_ms())?
        .ok_or(StoreError::NotFound(id))
}

impl EngineLoop {
    /// Sends a job that was recorded but never sent, on the user's word: it is queued
    /// again under our lease and its worker sends it (recording `submitting` first).
    pub(super) async fn send(&mut self, id: JobId) {
        if let Some(why) = self.money_refusal() {
            return self.reject(why);
        }
        let (budget, unit_prices) = (
            self.shared.settings.budget,
            self.shared.settings.usd_per_unit.clone(),
        );
        self.restart(id, move |s, owner, view| {
            let change = match view.phase {
                JobPhase::NotSent | JobPhase::Queued => {
                    // A queued job's submitter has stopped (its lease was free to take).
                    // Either way it is checked as a new job today, whenever recorded.
                    if let Err(over) =
                        s.date_send_within_budget(id, &budget, &unit_prices, now_ms())?
                    {
                        return Ok(Err(Refusal::OverBudget {
                            job: Some(id),
                            over,
                        }));
                    }
                    if view.phase == JobPhase::NotSent {
                        JobChange::phase(JobPhase::Queued)
                    } else {
                        JobChange::default()
                    }
                }
                phase => {
                    return Ok(Err(Refusal::WrongPhase {
                        id,
                        phase,
                        action: Action::Send,
                    }));
                }
            };
            let change = JobChange {
                stalled: Some(false),
                ..change.with_error(None).with_note("sent by the user")
            };
            Ok(Ok(s.apply(id, owner, &change, now_ms())?))
        })
        .await;
    }

    /// Stops our worker on the job, if any, and fails it as cancelled (see [`Store::cancel`]).
    pub(super) async fn cancel(&mut self, id: JobId) {
        if let Some(worker) = self.workers.remove(&id) {
            worker.abort();
            let _ = worker.await;
        }
        let owner = self.shared.owner.clone();
        let cancelled = self
            .shared
            .db
            .call(move |s| match s.cancel(id, &owner, now_ms()) {
                Ok(view) => Ok(Ok(view)),
                Err(CancelError::Store(e)) => Err(e),
                Err(CancelError::Finished { id, phase }) => Ok(Err(Refusal::WrongPhase {
                    id,
                    phase,
                    action: Action::Cancel,
                })),
            })
            .await;
        match cancelled {
            Ok(Ok(view)) => self.report(view),
            Ok(Err(reason)) => self.reject(reason),
            Err(e) => self.reject(Refusal::Failed {
                step: Step::Cancel(id),
                error: e.to_string(),
            }),
        }
        self.refresh_watching().await;
    }
}
