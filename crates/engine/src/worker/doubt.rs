//! A v2 create in doubt (its answer lost: a timeout, a dropped connection, an unreadable
//! answer) at Kling, which is asked with `GET /tasks?external_task_ids=<ours>`.
//!
//! Found: the task is adopted and polled (`remote.rs`). "No such task" (an empty list) is
//! believed only once the create's whole request timeout (`Tuning::create_grace`, the
//! store's rule for adopting a create in doubt) has passed since this worker sent it: a
//! create still being handled may not be listed yet, and sending again then would make a
//! second paid task. Before that, and after any other answer, the doubt stands: the task
//! is asked again later, never sent again. A job adopted in doubt was left alone by the
//! store for that timeout (PostgreSQL) or its sender is gone with its process (SQLite).

use std::time::Duration;

use shotdeck_core::kling_v2::is_v2_path;
use shotdeck_providers::ProviderError;
use shotdeck_store::JobChange;
use tokio::time::Instant;

use super::words::{error_of, retry_words};
use super::{Next, Request, Step, Worker};

/// What a job shows while Kling does not list the task of its lost create yet.
pub(super) const NOT_LISTED_YET: &str =
    "the create's answer was lost and Kling does not list the task yet: asking again";

impl Worker {
    /// How long an empty lookup is still not "no such task": the rest of the create's
    /// timeout since this worker sent it (v2 only; legacy keeps its own rules).
    pub(super) fn absence_unsettled(&self) -> Option<Duration> {
        if !is_v2_path(&self.create_path) {
            return None;
        }
        let settled = self.create_sent? + self.shared.tuning.create_grace;
        let left = settled.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    /// Whether an error while the create is in doubt keeps it in doubt (never fails the
    /// job): on v2, whose lookup is new and whose odd answers must cost nothing.
    pub(super) fn doubt_is_kept(&self) -> bool {
        self.create_in_doubt && is_v2_path(&self.create_path)
    }

    /// An empty lookup within the create's timeout: say so once and ask again when the
    /// poll schedule says, or when the timeout has passed, whichever comes first.
    pub(super) async fn not_listed_yet(&mut self, left: Duration) -> Step {
        if self.view.status_msg.as_deref() != Some(NOT_LISTED_YET) {
            let change = JobChange {
                status_msg: Some(Some(NOT_LISTED_YET.into())),
                note: Some(NOT_LISTED_YET.into()),
                ..JobChange::default()
            };
            self.change(change).await?;
        }
        let interval = self.shared.tuning.poll.base_interval(self.polls);
        Ok(Next::After(left.min(interval)))
    }

    /// The create's or the lookup's error while a v2 create is in doubt. A retryable one
    /// is retried as any create error is (the next step looks before it sends); any other
    /// answer is odd: asked again after a backoff, and after `odd_answer_limit` of them in
    /// a row the job waits for the user (`needs_attention`: attach the task, or mark the
    /// job lost). The job is never failed here and nothing is sent on a guess.
    pub(super) async fn doubt_stands(&mut self, e: &ProviderError) -> Step {
        if e.is_retryable() {
            return self.on_error(e, Request::Create).await;
        }
        if self.odd + 1 >= self.shared.tuning.odd_answer_limit {
            return self.needs_attention(Some(e)).await;
        }
        self.odd = self.odd.saturating_add(1);
        let attempt = self.errors.saturating_add(self.odd);
        let wait = self
            .shared
            .tuning
            .poll
            .backoff(attempt, None, &mut rand::rng());
        tracing::warn!(job = self.id, error = %e, ?wait, "create still in doubt; looking again");
        let error = shotdeck_core::jobs::JobError {
            message: format!(
                "{e}; the create stays in doubt, nothing is re-sent; {}",
                retry_words("lookup", attempt, wait, None)
            ),
            ..error_of(e, true)
        };
        let note = format!("submit: {}", error.message);
        self.change(JobChange::default().with_error(Some(error)).with_note(note))
            .await?;
        Ok(Next::After(wait))
    }
}
