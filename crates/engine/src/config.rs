//! What an engine is started with: where the store is, how to reach the providers, which
//! jobs it looks after, and its timing (tests shrink every interval).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use super::download::DownloadLimits;
use super::schedule::PollSchedule;
use super::settings::EngineSettings;
use shotdeck_core::jobs::JobId;
use shotdeck_core::provider::Provider;
use shotdeck_providers::{Client, ProviderError, ProviderSettings};
use shotdeck_store::JobStore;

/// Builds the client for a provider; called at most once per provider per engine.
pub type ClientFactory = Arc<dyn Fn(Provider) -> Result<Client, ProviderError> + Send + Sync>;

/// Which stored jobs this engine works on and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobScope {
    /// Every job in the store (the TUI).
    All,
    /// Only these jobs, plus any this engine submits (CLI commands about one job).
    Only(BTreeSet<JobId>),
}

impl JobScope {
    pub fn only(ids: impl IntoIterator<Item = JobId>) -> Self {
        JobScope::Only(ids.into_iter().collect())
    }

    pub fn contains(&self, id: JobId) -> bool {
        match self {
            JobScope::All => true,
            JobScope::Only(ids) => ids.contains(&id),
        }
    }

    pub fn add(&mut self, id: JobId) {
        if let JobScope::Only(ids) = self {
            ids.insert(id);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    pub poll: PollSchedule,
    /// Provider requests in flight at once, across all jobs.
    pub max_concurrent_requests: usize,
    pub max_concurrent_downloads: usize,
    /// How long a lease outlives its last renewal: a crashed engine's jobs are taken over
    /// this long after it stopped renewing.
    pub lease_ttl: Duration,
    /// How often an engine with active jobs renews its leases and re-reads rows other
    /// processes changed. Clamped below a third of `lease_ttl`.
    pub watch_interval: Duration,
    /// Least time between two progress events of one download.
    pub progress_interval: Duration,
    /// Tries per file before a download waits for the user (`Redownload`).
    pub download_attempts: u32,
    /// Redirects, stall timeout, size cap and free-space reserve of every download.
    pub download: DownloadLimits,
    /// Consecutive unreadable or not-found answers to a create before the job fails (a poll
    /// is never given up: the task exists).
    pub odd_answer_limit: u32,
    /// How long a stopping engine waits for creates already sent to be answered and
    /// recorded (the provider's request timeout): aborting them would throw the task id
    /// away while the task runs and is charged.
    pub create_grace: Duration,
    /// Added to this host's clock wherever the engine dates something: 0, except in a
    /// test playing a machine whose clock is wrong (leases on a shared store must not
    /// care; they are timed by the database).
    pub clock_offset_ms: i64,
    /// How often an engine looks for results nobody fetched (also once at start).
    pub orphan_sweep_every: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            poll: PollSchedule::default(),
            max_concurrent_requests: 4,
            max_concurrent_downloads: 2,
            lease_ttl: Duration::from_secs(30),
            watch_interval: Duration::from_secs(2),
            progress_interval: Duration::from_millis(250),
            download_attempts: 3,
            download: DownloadLimits::default(),
            odd_answer_limit: 3,
            create_grace: shotdeck_providers::DEFAULT_REQUEST_TIMEOUT,
            clock_offset_ms: 0,
            orphan_sweep_every: Duration::from_secs(3600),
        }
    }
}

impl Tuning {
    /// The engine's housekeeping period: watching and lease renewal.
    pub fn tick(&self) -> Duration {
        self.watch_interval.min(self.lease_ttl / 3)
    }

    /// The lease terms this engine asks the store for: `lease_ttl`, and the create's whole
    /// request timeout before a create in doubt is adopted.
    pub fn lease_terms(&self) -> shotdeck_store::LeaseTerms {
        shotdeck_store::LeaseTerms {
            ttl: self.lease_ttl,
            create_timeout: self.create_grace,
        }
    }
}

#[derive(Clone)]
pub struct EngineConfig {
    /// The job store (the binary opens SQLite's `files::paths::data_dir()/jobs.sqlite3`).
    pub store: Arc<dyn JobStore>,
    /// What the engine uses of the user's settings (prices, limits, profiles, render dir).
    pub settings: EngineSettings,
    pub clients: ClientFactory,
    pub scope: JobScope,
    pub tuning: Tuning,
}

impl EngineConfig {
    /// Clients from the environment and `credentials.toml`, every job in scope.
    pub fn new(
        store: Arc<dyn JobStore>,
        settings: EngineSettings,
        providers: ProviderSettings,
    ) -> Self {
        EngineConfig {
            store,
            settings,
            clients: Arc::new(move |p| Client::from_env(p, &providers)),
            scope: JobScope::All,
            tuning: Tuning::default(),
        }
    }

    pub fn with_clients(mut self, clients: ClientFactory) -> Self {
        self.clients = clients;
        self
    }

    pub fn with_scope(mut self, scope: JobScope) -> Self {
        self.scope = scope;
        self
    }

    pub fn with_tuning(mut self, tuning: Tuning) -> Self {
        self.tuning = tuning;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_grow_only_when_limited() {
        let mut all = JobScope::All;
        all.add(3);
        assert_eq!(all, JobScope::All);
        let mut some = JobScope::only([1]);
        assert!(!some.contains(2));
        some.add(2);
        assert!(some.contains(1) && some.contains(2));
    }

    #[test]
    fn the_tick_renews_leases_well_before_they_expire() {
        let t = Tuning {
            lease_ttl: Duration::from_secs(3),
            watch_interval: Duration::from_secs(2),
            ..Tuning::default()
        };
        assert_eq!(t.tick(), Duration::from_secs(1));
        assert_eq!(Tuning::default().tick(), Duration::from_secs(2));
    }
}
