//! Second chances for a job, each asked for by the user: send its stored request again as a
//! new job (paid), or poll the task the provider already accepted (free). A job is retried
//! at most once; a second retry is refused naming the job the first one made.

use super::{EngineLoop, new_external_task_id};
use crate::intake;
use shotdeck_core::jobs::{Action, JobId, Refusal, Step};
use shotdeck_store::{NewJob, Restart};

impl EngineLoop {
    /// `Err` with the reason when `id` already has a retry: sending it again would pay for
    /// the same failure twice. Commands run one at a time, so two quick retries of one job
    /// from this engine see each other.
    pub(super) async fn not_yet_retried(&self, id: JobId) -> Result<(), Refusal> {
        let retries = self
            .shared
            .store
            .retries_of(id)
            .await
            .map_err(|e| Refusal::Failed {
                step: Step::CheckRetries(id),
                error: e.to_string(),
            })?;
        match retries.last() {
            None => Ok(()),
            Some(&(retry, retry_phase)) => Err(Refusal::AlreadyRetried {
                id,
                retry,
                retry_phase,
            }),
        }
    }

    /// A finished job's stored request as a new job with a fresh idempotency key.
    pub(super) async fn retry(&mut self, id: JobId) {
        let rec = match self.shared.store.record(id).await {
            Ok(Some(rec)) => rec,
            Ok(None) => {
                return self.reject(Refusal::NotFound {
                    id,
                    action: Action::Retry,
                });
            }
            Err(e) => {
                return self.reject(Refusal::Failed {
                    step: Step::Retry(id),
                    error: e.to_string(),
                });
            }
        };
        if rec.view.phase.is_active() {
            return self.reject(Refusal::WrongPhase {
                id,
                phase: rec.view.phase,
                action: Action::Retry,
            });
        }
        if let Err(reason) = self.not_yet_retried(id).await {
            return self.reject(reason);
        }
        // A video reference past Kling's 30 days names a deleted video: refused before
        // anything is recorded, pointing to the board as it is now.
        if let Some(c) = &rec.board.continues
            && let Some(days) = shotdeck_core::sequence::continuation::expired_reference(
                c,
                rec.view.created_at,
                self.shared.now(),
            )
        {
            return self.reject(Refusal::ExpiredReference {
                id,
                from: format!("{} take {}", c.board, c.take),
                days,
            });
        }
        let ext = new_external_task_id();
        let mut request = rec.request;
        // Wherever this provider's body carries the key (top level, `metadata`, or both):
        // the record check refuses a body that still carries the old one anywhere.
        if let Err(why) = intake::rekey(&mut request.body, &ext, id) {
            return self.reject(why);
        }
        let job = NewJob {
            board_path: rec.view.board_path,
            // The retry is a take of the same board on every machine.
            board_key: Some(rec.view.board_key),
            board: rec.board,
            provider: rec.view.provider,
            request,
            external_task_id: ext,
            estimated_usd: rec.view.estimated_usd,
            retry_of: Some(id),
        };
        self.record(job, None).await;
    }

    /// Polls a job's task again: a failed job with a task id is reopened, an active one the
    /// engine stopped on is restarted. Nothing is created, so nothing is paid.
    pub(super) async fn repoll(&mut self, id: JobId) {
        self.restart(id, Restart::Repoll).await;
    }
}
