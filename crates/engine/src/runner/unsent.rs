//! Jobs nobody is sending: a submit interrupted before it sent anything leaves its job
//! `queued`; the next engine parks it as `not_sent` instead of paying for it unasked, and
//! only the user's `Send` sends it. `Cancel` stops work on any unfinished job.

use super::EngineLoop;
use shotdeck_core::jobs::{Action, JobId, Refusal, Step};
use shotdeck_store::{CancelError, Restart};

impl EngineLoop {
    /// Sends a job that was recorded but never sent, on the user's word: it is queued
    /// again under our lease and its worker sends it (recording `submitting` first).
    pub(super) async fn send(&mut self, id: JobId) {
        if let Some(why) = self.money_refusal() {
            return self.reject(why);
        }
        let how = Restart::Send {
            budget: self.shared.settings.budget,
            unit_prices: self.shared.settings.usd_per_unit.clone(),
        };
        self.restart(id, how).await;
    }

    /// Stops our worker on the job, if any, and fails it as cancelled (see [`shotdeck_store::JobStore::cancel`]).
    pub(super) async fn cancel(&mut self, id: JobId) {
        if let Some(worker) = self.workers.remove(&id) {
            self.held_changed();
            worker.abort();
            let _ = worker.await;
        }
        let cancelled = self
            .shared
            .store
            .cancel(id, &self.shared.owner, self.shared.now())
            .await;
        match cancelled {
            Ok(view) => self.report(view),
            Err(CancelError::Finished { id, phase }) => self.reject(Refusal::WrongPhase {
                id,
                phase,
                action: Action::Cancel,
            }),
            Err(CancelError::Store(e)) => self.reject(Refusal::Failed {
                step: Step::Cancel(id),
                error: e.to_string(),
            }),
        }
        self.refresh_watching().await;
    }
}
