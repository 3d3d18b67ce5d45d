//! A simulated backend on 127.0.0.1, a temp store and board folder, and an engine wired to
//! both with every interval shrunk.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{SubmitOptions, SubmitRequest};
use shotdeck::engine::schedule::PollSchedule;
use shotdeck::engine::store::JobStore;
use shotdeck::engine::{ClientFactory, Engine, EngineConfig, EngineHandle, Tuning};
use shotdeck::files::board_file;
use shotdeck::files::config::Config;
use shotdeck::providers::{Client, ProviderSettings};
use shotdeck::sim::{Faults, SimConfig, SimKeys, SimServer};
use tempfile::TempDir;

mod backend;
mod events;
mod user;
#[allow(unused_imports)]
pub use backend::Backend;
pub use events::Events;
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
