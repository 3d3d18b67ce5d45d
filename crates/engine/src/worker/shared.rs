//! What every worker of one engine shares: the store, the lease owner, the request gate,
//! the download slots and the provider clients.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, mpsc};

use super::WorkerMsg;
use crate::config::{ClientFactory, Tuning};
use crate::download::Downloader;
use crate::gate::RequestGate;
use crate::list_poll::ListGroups;
use shotdeck_core::jobs::JobId;
use shotdeck_core::provider::Provider;
use shotdeck_providers::{Client, ProviderError};
use shotdeck_store::JobStore;

/// What every worker of one engine shares.
pub(crate) struct Shared {
    pub store: Arc<dyn JobStore>,
    /// This machine as the store names it (`None`: a store of one machine). Jobs another
    /// machine asked for are polled here but downloaded there.
    pub host: Option<String>,
    /// Jobs whose videos the user asked for on this machine (`download`, `jobs fetch`):
    /// fetched here whoever asked for the job.
    fetch_here: Mutex<HashSet<JobId>>,
    /// Jobs this engine claimed as results nobody fetched (see `runner/orphans.rs`).
    orphans: Mutex<HashSet<JobId>>,
    /// This engine instance's lease owner id.
    pub owner: String,
    pub gate: RequestGate,
    pub downloads: Semaphore,
    /// This engine's jobs waiting for a slot; only the first asks the store, when a slot
    /// may have been given back (see `slot`).
    pub slot_line: super::slot::SlotLine,
    /// The account's limit as this engine learned it from refusals (see `local_gate`).
    pub(super) local_gate: Arc<super::local_gate::LocalGate>,
    /// Built on the first download (its TLS setup reads the system's certificates, tens of
    /// milliseconds that would otherwise hold up the editor's history at start); its error
    /// (an HTTP client that cannot be built) is shown on the job.
    downloader: std::sync::OnceLock<Result<Downloader, String>>,
    pub tuning: Tuning,
    pub settings: crate::EngineSettings,
    /// Bounded: a worker whose message finds it full waits for the loop.
    pub out: mpsc::Sender<WorkerMsg>,
    /// In-flight tasks polled together by one list request per endpoint kind.
    pub lists: ListGroups,
    factory: ClientFactory,
    clients: Mutex<HashMap<Provider, Arc<Client>>>,
}

impl Shared {
    pub(crate) fn new(
        store: Arc<dyn JobStore>,
        owner: String,
        tuning: Tuning,
        settings: crate::EngineSettings,
        factory: ClientFactory,
        out: mpsc::Sender<WorkerMsg>,
    ) -> Self {
        Shared {
            host: store.host(),
            fetch_here: Mutex::new(HashSet::new()),
            orphans: Mutex::new(HashSet::new()),
            store,
            owner,
            gate: RequestGate::new(tuning.max_concurrent_requests),
            downloads: Semaphore::new(tuning.max_concurrent_downloads.max(1)),
            slot_line: super::slot::SlotLine::default(),
            local_gate: Arc::default(),
            downloader: std::sync::OnceLock::new(),
            tuning,
            settings,
            out,
            lists: ListGroups::default(),
            factory,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The user asked for `id`'s videos on this machine.
    pub(crate) fn fetch_here(&self, id: JobId) {
        let mut ids = self.fetch_here.lock().unwrap_or_else(|e| e.into_inner());
        ids.insert(id);
    }

    /// `id` was claimed as a result nobody fetched: fetched here, into the orphans folder.
    pub(crate) fn fetch_orphan(&self, id: JobId) {
        let mut ids = self.orphans.lock().unwrap_or_else(|e| e.into_inner());
        ids.insert(id);
    }

    /// Whether `id` is fetched as a result nobody fetched (once: its worker asks at load).
    pub(crate) fn take_orphan(&self, id: JobId) -> bool {
        let mut ids = self.orphans.lock().unwrap_or_else(|e| e.into_inner());
        ids.remove(&id)
    }

    /// Whether this machine asked for a job `asker` (a host) asked for: always on a store
    /// of one machine.
    pub(crate) fn asked_here(&self, asker: Option<&str>) -> bool {
        match (self.host.as_deref(), asker) {
            (Some(here), Some(asker)) => here == asker,
            _ => true,
        }
    }

    /// Whether `id`'s videos land on this machine: it asked for the job, or the user asked
    /// for its videos here.
    pub(crate) fn fetches_here(&self, id: JobId, asker: Option<&str>) -> bool {
        self.asked_here(asker) || {
            let ids = self.fetch_here.lock().unwrap_or_else(|e| e.into_inner());
            ids.contains(&id)
        }
    }

    /// The downloader, built on first use and shared by all jobs.
    pub(crate) fn downloader(&self) -> &Result<Downloader, String> {
        self.downloader.get_or_init(|| {
            Downloader::new(self.tuning.download.clone()).map_err(|e| e.to_string())
        })
    }

    /// The provider's client, built on first use and shared by all jobs.
    pub(crate) fn client(&self, provider: Provider) -> Result<Arc<Client>, ProviderError> {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = clients.get(&provider) {
            return Ok(c.clone());
        }
        let client = Arc::new((self.factory)(provider)?);
        clients.insert(provider, client.clone());
        Ok(client)
    }
}
