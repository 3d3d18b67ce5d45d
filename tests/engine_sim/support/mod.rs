//! A simulated backend on 127.0.0.1, a temp store and board folder, and an engine wired to
//! both with every interval shrunk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use shotdeck::core::compare::TakeFacts;
use shotdeck::core::elements::{LibraryItem, PreviewFetch};
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{
    JobEvent, JobPhase, JobView, Refusal, SubmitOptions, SubmitRequest, SubmitTicket,
};
use shotdeck::engine::schedule::PollSchedule;
use shotdeck::engine::store::{JobRecord, JobStore};
use shotdeck::engine::{ClientFactory, Engine, EngineConfig, EngineHandle, Tuning};
use shotdeck::files::board_file;
use shotdeck::files::config::Config;
use shotdeck::providers::{Client, ProviderSettings};
use shotdeck::sim::{Faults, SimConfig, SimKeys, SimServer};
use tempfile::TempDir;

mod backend;
mod user;
#[allow(unused_imports)]
pub use backend::Backend;
// Three test binaries include this module and each uses a part of it.
#[allow(unused_imports)]
pub use user::{ask_library, attach, settle_as_user, shutdown, submit};

/// Generous bound for anything the tests wait for; success takes a fraction of it.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Harness {
    pub sim: SimServer,
    pub keys: SimKeys,
    pub dir: TempDir,
    /// The store `store`, `config_on` and `engine_on` use (`config` is always SQLite).
    pub backend: Backend,
}

impl Harness {
    pub async fn start(task_seconds: f64) -> Harness {
        Self::with_keys(task_seconds, SimKeys::demo()).await
    }

    /// A harness whose engines (`engine_on`) keep their jobs on `backend`.
    pub async fn on(backend: Backend, task_seconds: f64) -> Harness {
        Harness {
            backend,
            ..Self::start(task_seconds).await
        }
    }

    pub async fn with_keys(task_seconds: f64, keys: SimKeys) -> Harness {
        let config = SimConfig {
            keys: keys.clone(),
            task_seconds,
            faults: Faults::default(),
        };
        let sim = SimServer::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        Harness {
            sim,
            keys,
            dir: tempfile::tempdir().unwrap(),
            backend: Backend::Sqlite,
        }
    }

    pub fn store_path(&self) -> PathBuf {
        self.dir.path().join("data/jobs.sqlite3")
    }

    /// An engine config using the harness's own keys.
    pub fn config(&self) -> EngineConfig {
        self.config_with_keys(self.keys.clone())
    }

    /// The harness's store as one more process holds it, on the harness's backend.
    pub async fn store(&self, host: &str) -> Arc<dyn JobStore> {
        self.backend.open(&self.store_path(), host).await
    }

    /// An engine config on `store`, with the harness's keys.
    pub fn config_on(&self, store: Arc<dyn JobStore>) -> EngineConfig {
        EngineConfig {
            store,
            ..self.config()
        }
    }

    /// An engine on the harness's backend, as on machine `host`.
    pub async fn engine_on(&self, host: &str) -> EngineHandle {
        Engine::start(self.config_on(self.store(host).await))
            .await
            .unwrap()
    }

    /// An engine config whose clients sign with `keys` (which may be wrong on purpose).
    pub fn config_with_keys(&self, keys: SimKeys) -> EngineConfig {
        let settings = ProviderSettings {
            kling_base: Some(self.sim.base_url()),
            gateway_base: Some(self.sim.base_url()),
            request_timeout: Duration::from_secs(5),
            ..ProviderSettings::default()
        };
        let no_file = self.dir.path().join("no-credentials.toml");
        let factory: ClientFactory = Arc::new(move |p: Provider| {
            let keys = keys.clone();
            let env = move |name: &str| match name {
                "KLING_ACCESS_KEY" => Some(keys.access_key.clone()),
                "KLING_SECRET_KEY" => Some(keys.secret_key.clone()),
                "KLING_API_KEY" => Some(keys.api_key.clone()),
                _ => None,
            };
            Client::from_sources(p, &settings, &env, &no_file)
        });
        let mut config = Config::default();
        shotdeck::sim::describe_relay(&mut config.profiles);
        EngineConfig::new(
            shotdeck::engine::store::open(&self.store_path()).unwrap(),
            shotdeck::app::engine_settings(&config),
            ProviderSettings::default(),
        )
        .with_clients(factory)
        .with_tuning(fast_tuning())
    }

    pub async fn engine(&self) -> EngineHandle {
        Engine::start(self.config()).await.unwrap()
    }

    /// Copies an example board (and the images it uses) into the temp folder.
    pub fn board(&self, example: &str) -> PathBuf {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let boards = self.dir.path().join("boards");
        std::fs::create_dir_all(boards.join("images")).unwrap();
        for img in ["detective.png", "umbrella.png", "street-first-frame.png"] {
            let to = boards.join("images").join(img);
            if !to.exists() {
                std::fs::copy(examples.join("images").join(img), to).unwrap();
            }
        }
        let to = boards.join(example);
        std::fs::copy(examples.join(example), &to).unwrap();
        to
    }

    /// What a front end asks for to submit `board_path` (the engine embeds the images).
    pub fn submit_request(&self, board_path: &Path, provider: Provider) -> SubmitRequest {
        let board = board_file::load(board_path).unwrap();
        SubmitRequest::new(board_path, board, provider, SubmitOptions::default())
    }
}

/// Every interval in tens of milliseconds; polls at a fixed ~100 ms so per-interval
/// request counts are easy to bound.
pub fn fast_tuning() -> Tuning {
    Tuning {
        poll: PollSchedule {
            first: Duration::from_millis(100),
            max: Duration::from_millis(100),
            growth: 1.0,
            backoff_base: Duration::from_millis(50),
            backoff_max: Duration::from_millis(400),
        },
        lease_ttl: Duration::from_millis(900),
        watch_interval: Duration::from_millis(100),
        progress_interval: Duration::from_millis(50),
        download: shotdeck::engine::download::DownloadLimits {
            stall: Duration::from_millis(500),
            ..Default::default()
        },
        create_grace: Duration::from_secs(10),
        // Four request slots, two download slots, three tries per file and per odd answer.
        ..Tuning::default()
    }
}

/// An engine's events, remembered: the latest view of every job, and rejections.
pub struct Events {
    rx: tokio::sync::mpsc::Receiver<JobEvent>,
    pub latest: HashMap<i64, JobView>,
    /// Every view in arrival order.
    pub history: Vec<JobView>,
    pub rejections: Vec<Refusal>,
    /// The job recorded for each submit, by its ticket.
    pub submitted: HashMap<SubmitTicket, i64>,
    /// Why each refused submit was refused, by its ticket.
    pub refused: HashMap<SubmitTicket, Refusal>,
    /// The latest `JobEvent::Spend`.
    pub spend_today: Option<f64>,
    /// Records sent for `JobCmd::Details`, in arrival order.
    pub details: Vec<JobRecord>,
    /// Answers to `JobCmd::Page`, in arrival order.
    pub pages: Vec<JobEvent>,
    /// Takes sent for `JobCmd::Compare`, in arrival order.
    pub compared: Vec<[TakeFacts; 2]>,
    /// Answers to `JobCmd::Elements`, in arrival order.
    pub libraries: Vec<Result<Vec<LibraryItem>, String>>,
    /// Answers to `JobCmd::ElementPreview`, in arrival order.
    pub pictures: Vec<(String, PreviewFetch)>,
}

impl Events {
    pub fn new(engine: &mut EngineHandle) -> Events {
        let (_, empty) = tokio::sync::mpsc::channel(1);
        Events {
            rx: std::mem::replace(&mut engine.event_rx, empty),
            latest: HashMap::new(),
            history: Vec::new(),
            rejections: Vec::new(),
            submitted: HashMap::new(),
            refused: HashMap::new(),
            spend_today: None,
            details: Vec::new(),
            pages: Vec::new(),
            compared: Vec::new(),
            libraries: Vec::new(),
            pictures: Vec::new(),
        }
    }

    /// Waits until `take` finds the answer a command asked for among the events noted.
    async fn answer<T>(&mut self, what: &str, take: impl Fn(&mut Events) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(found) = take(self) {
                return found;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                _ => panic!("no {what} came; rejected: {:?}", self.rejections),
            }
        }
    }

    /// Waits for the record a `JobCmd::Details` asked for.
    pub async fn details(&mut self) -> JobRecord {
        self.answer("job details", |e| e.details.pop()).await
    }

    /// Waits for the answer to a `JobCmd::Page`.
    pub async fn page(&mut self) -> JobEvent {
        self.answer("page", |e| e.pages.pop()).await
    }

    /// Waits for the takes a `JobCmd::Compare` asked for.
    pub async fn compared(&mut self) -> [TakeFacts; 2] {
        self.answer("comparison", |e| e.compared.pop()).await
    }

    /// Waits for the answer to a `JobCmd::Elements`.
    pub async fn library(&mut self) -> Result<Vec<LibraryItem>, String> {
        self.answer("element library", |e| e.libraries.pop()).await
    }

    /// Waits for the answer to a `JobCmd::ElementPreview`: the element's id and the outcome.
    pub async fn picture(&mut self) -> (String, PreviewFetch) {
        self.answer("element picture", |e| e.pictures.pop()).await
    }

    /// Waits until the latest view of some job satisfies `pred`, and returns it.
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&JobView) -> bool) -> JobView {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(v) = self.latest.values().find(|v| pred(v)) {
                return v.clone();
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                Ok(None) => panic!("engine stopped while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; latest: {:#?}; rejected: {:?}",
                    self.latest, self.rejections
                ),
            }
        }
    }

    /// Waits for a rejection and returns its reason.
    pub async fn rejection(&mut self) -> Refusal {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(r) = self.rejections.pop() {
                return r;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(JobEvent::Rejected { reason, .. })) => return reason,
                Ok(Some(event)) => self.note(event),
                _ => panic!("no rejection came"),
            }
        }
    }

    fn note(&mut self, event: JobEvent) {
        match event {
            JobEvent::Submitted { ticket, job } => {
                self.submitted.insert(ticket, job.id);
                self.history.push(job.clone());
                self.latest.insert(job.id, job);
            }
            JobEvent::Updated(v) => {
                self.history.push(v.clone());
                self.latest.insert(v.id, v);
            }
            JobEvent::Rejected { reason, ticket } => {
                if let Some(ticket) = ticket {
                    self.refused.insert(ticket, reason.clone());
                }
                self.rejections.push(reason);
            }
            JobEvent::Spend { today_usd } => self.spend_today = Some(today_usd),
            JobEvent::Details(record) => self.details.push(*record),
            page @ JobEvent::Page { .. } => self.pages.push(page),
            JobEvent::Compared(takes) => self.compared.push(*takes),
            JobEvent::Elements(answer) => self.libraries.push(answer),
            JobEvent::ElementPreview { id, outcome } => self.pictures.push((id, outcome)),
        }
    }

    /// Why the engine refused the submit named by `ticket`.
    pub async fn refusal(&mut self, ticket: SubmitTicket) -> Refusal {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(reason) = self.refused.get(&ticket) {
                return reason.clone();
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                _ => panic!("no refusal of {ticket:?}; latest: {:#?}", self.latest),
            }
        }
    }

    /// The engine's answer to the submit named by `ticket`: its job, or why it was refused.
    pub async fn outcome(&mut self, ticket: SubmitTicket) -> Result<JobView, Refusal> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(reason) = self.refused.get(&ticket) {
                return Err(reason.clone());
            }
            if self.submitted.contains_key(&ticket) {
                return Ok(self.job_for(ticket).await);
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                _ => panic!("no answer to {ticket:?}; latest: {:#?}", self.latest),
            }
        }
    }

    /// The job recorded for the submit named by `ticket` (as it was when recorded).
    pub async fn job_for(&mut self, ticket: SubmitTicket) -> JobView {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(id) = self.submitted.get(&ticket) {
                let first = self.history.iter().find(|v| v.id == *id);
                return first.expect("recorded views are kept").clone();
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                Ok(None) => panic!("engine stopped before recording {ticket:?}"),
                Err(_) => panic!(
                    "no job recorded for {ticket:?}; rejected: {:?}",
                    self.rejections
                ),
            }
        }
    }

    /// Waits until job `id` is done or failed.
    pub async fn finished(&mut self, id: i64) -> JobView {
        self.wait_for(&format!("job {id} to finish"), |v| {
            v.id == id && !v.phase.is_active()
        })
        .await
    }

    /// Waits until job `id` is done, failed or waiting for the user.
    pub async fn settled(&mut self, id: i64) -> JobView {
        self.wait_for(&format!("job {id} to settle"), |v| {
            v.id == id && (!v.phase.is_active() || v.phase == JobPhase::NeedsAttention)
        })
        .await
    }

    /// Waits until job `id` reaches `phase`.
    pub async fn reached(&mut self, id: i64, phase: JobPhase) -> JobView {
        self.wait_for(&format!("job {id} to reach {phase:?}"), |v| {
            v.id == id && v.phase == phase
        })
        .await
    }

    /// Whatever arrived without waiting; counts the events about jobs (not the spend
    /// summary that follows a job's last change).
    pub fn drain(&mut self) -> usize {
        let mut n = 0;
        while let Ok(ev) = self.rx.try_recv() {
            n += usize::from(!matches!(ev, JobEvent::Spend { .. }));
            self.note(ev);
        }
        n
    }
}
