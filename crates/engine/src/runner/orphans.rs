//! Results nobody fetched: Kling deletes a task's videos 30 days after it made them, and
//! on a team the machine that asked may not come back in time (a laptop away, a
//! colleague gone). Every engine that follows the whole store looks at start and then
//! hourly for jobs whose task succeeded but whose videos no machine has, once older than
//! `[team] fetch_orphans_after_days`; it claims them in the store (so two engines never
//! fetch one) and downloads them into the project's `.shotdeck/orphans/` when this
//! machine has the project, else the data dir's `orphans/`. Recorded as this machine's
//! files, so `jobs` stops warning and `jobs fetch` elsewhere still works from the URL.

use tokio::time::Instant;

use super::EngineLoop;
use crate::config::JobScope;

/// Orphans claimed per sweep: each is one download; the rest wait for the next sweep.
const PER_SWEEP: usize = 16;

const DAY_MS: i64 = 86_400_000;

impl EngineLoop {
    /// Whether this engine looks for orphans: it follows the whole store (a command about
    /// one job does not take on others') and the setting is not 0.
    pub(super) fn sweeps_orphans(&self) -> bool {
        self.shared.settings.orphans_after_days > 0 && self.scope == JobScope::All
    }

    /// One sweep: a bounded claim in the store, then a worker per orphan claimed.
    pub(super) async fn sweep_orphans(&mut self) {
        self.next_sweep = Instant::now() + self.shared.tuning.orphan_sweep_every;
        if !self.sweeps_orphans() {
            return;
        }
        let days = i64::from(self.shared.settings.orphans_after_days);
        let now = self.shared.now();
        let before = now.saturating_sub(days.saturating_mul(DAY_MS));
        let (owner, lease) = (self.shared.owner.clone(), self.shared.tuning.lease_ttl);
        let claimed = self
            .shared
            .store
            .claim_orphans(before, PER_SWEEP, &owner, lease, now)
            .await;
        let ids = match claimed {
            Ok(ids) => ids,
            Err(e) => {
                return tracing::error!(error = %e, "looking for results nobody fetched failed");
            }
        };
        for id in ids {
            if self.workers.contains_key(&id) {
                continue;
            }
            tracing::info!(
                job = id,
                "fetching results nobody fetched before the provider deletes them"
            );
            self.shared.fetch_orphan(id);
            self.spawn_worker(id).await;
        }
    }
}
