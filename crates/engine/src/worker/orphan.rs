//! A worker fetching results nobody fetched (claimed by the engine's sweep, see
//! `runner/orphans.rs`): it asks the task for its videos once and downloads them. An
//! answer that says the results are gone (not found, unreadable, not a success — Kling
//! deletes a task's videos after 30 days) is shown on the job and parks it for the user,
//! never asked again by itself; a passing failure (the network, a busy provider, keys
//! missing on this machine) lets the job go for the next sweep, on any machine.

use super::{Next, Step, Worker};
use shotdeck_core::jobs::JobError;
use shotdeck_providers::ProviderError;

impl Worker {
    /// The provider's answer refused the fetch: parked with why when the results look gone,
    /// let go (nothing written) when the failure may pass.
    pub(super) async fn orphan_refused(&mut self, e: &ProviderError) -> Step {
        if e.is_retryable() {
            tracing::info!(job = self.id, error = %e, "results nobody fetched: will look again at the next sweep");
            return Ok(Next::Stop);
        }
        self.orphan_gone(e.to_string()).await
    }

    /// Parks the job with `why`: the sweep passes over a stalled job, so it is not asked
    /// again until the user does (`jobs fetch`, the editor's `d`).
    pub(super) async fn orphan_gone(&mut self, why: String) -> Step {
        tracing::warn!(
            job = self.id,
            "results nobody fetched could not be fetched: {why}"
        );
        let error = JobError {
            code: None,
            message: format!(
                "its videos could not be fetched for the team (the provider deletes them \
                 after 30 days): {why}"
            ),
            retryable: true,
        };
        self.stall(error).await
    }
}
