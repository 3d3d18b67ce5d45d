//! A job engine in a child process (this test binary, re-executed), so the parent can
//! SIGKILL it at any moment and check what it left behind.
//!
//! The child talks in lines on stdout: `started`, then `phase <phase> <bytes on disk>` for
//! every update of its job, then `finished <phase>`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use shotdeck::app::engine_settings;
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobEvent, JobView, SubmitOptions, SubmitRequest};
use shotdeck::engine::{ClientFactory, Engine, EngineConfig};
use shotdeck::files::board_file;
use shotdeck::files::config::Config;
use shotdeck::providers::{Client, ProviderSettings};
use shotdeck::sim::SimKeys;

use shotdeck::engine::store::JobStore;

use crate::support::{Backend, fast_tuning};

/// Set (to the store path) only in a child.
pub const STORE_ENV: &str = "SHOTDECK_RELIAB_CHILD_STORE";
const BASE_ENV: &str = "SHOTDECK_RELIAB_CHILD_BASE";
const BOARD_ENV: &str = "SHOTDECK_RELIAB_CHILD_BOARD";
/// Set only in a child whose store is PostgreSQL: the server, and the parent's schema.
const PG_ENV: &str = "SHOTDECK_RELIAB_CHILD_PG";
const SCHEMA_ENV: &str = "SHOTDECK_RELIAB_CHILD_SCHEMA";

/// A crashed child's lease lapses this soon, so the next child takes the job over quickly.
const CHILD_LEASE: Duration = Duration::from_millis(600);

/// What a child works on: the one job of `board` in `store`, submitted by whichever child
/// gets there first (the engine mints its idempotency key).
pub struct ChildJob {
    /// The SQLite file (on PostgreSQL only its folder is used, for the credentials file).
    pub store: PathBuf,
    pub backend: Backend,
    pub sim_base: String,
    pub board: PathBuf,
}

impl ChildJob {
    /// Re-executes the current test binary running only `test_name`, in child mode.
    pub fn spawn(&self, test_name: &str) -> RunningChild {
        let mut command = Command::new(std::env::current_exe().unwrap());
        if let Backend::Postgres { server, schema } = &self.backend {
            command.env(PG_ENV, server).env(SCHEMA_ENV, schema);
        }
        let mut child = command
            .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
            .env(STORE_ENV, &self.store)
            .env(BASE_ENV, &self.sim_base)
            .env(BOARD_ENV, &self.board)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        RunningChild { child, lines }
    }
}

pub struct RunningChild {
    child: Child,
    lines: Receiver<String>,
}

impl RunningChild {
    /// The first line starting with `prefix`, or `None` when the child exited first or
    /// `within` passed.
    pub fn line_starting(&mut self, prefix: &str, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return Some(line),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// SIGKILL (on unix): no destructor, no lease release, no flush.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        self.child.wait().unwrap();
    }

    /// Waits for a clean exit.
    pub fn wait(mut self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the child exited with {status}");
                return;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the child did not exit within {within:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RunningChild {
    fn drop(&mut self) {
        // A failed assertion in the parent must not leave a child running.
        let _ = self.child.kill();
        let _ = self.child.try_wait();
    }
}

/// In a child (the store env var is set): run the engine until the job ends, then exit.
/// Returns normally in the parent.
pub fn run_if_child() {
    let Some(store) = std::env::var_os(STORE_ENV) else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let backend = match (std::env::var(PG_ENV), std::env::var(SCHEMA_ENV)) {
        (Ok(server), Ok(schema)) => Backend::Postgres { server, schema },
        _ => Backend::Sqlite,
    };
    let job = ChildJob {
        backend,
        store: PathBuf::from(store),
        sim_base: var(BASE_ENV),
        board: PathBuf::from(var(BOARD_ENV)),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(child_main(job));
    std::process::exit(0);
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn child_main(job: ChildJob) {
    // Every child is the same machine, started again.
    let store = job.backend.open(&job.store, "host-a").await;
    let mut engine = Engine::start(child_config(&job, store)).await.unwrap();
    // libtest has already printed `test NAME ... ` without a newline: start afresh.
    say("\nstarted");
    let known = engine
        .initial_jobs
        .iter()
        .find(|v| v.board_path == job.board);
    match known {
        None => engine.cmd_tx.try_send(submit_cmd(&job)).unwrap(),
        // An earlier child finished it: there is nothing left to wait for.
        Some(v) if !v.phase.is_active() => {
            say(&format!("finished {}", v.phase.as_str()));
            let _ = engine.cmd_tx.try_send(JobCmd::Shutdown);
            let _ = engine.task.await;
            return;
        }
        Some(v) => send_if_never_sent(&engine, v),
    }
    while let Some(event) = engine.event_rx.recv().await {
        let (JobEvent::Updated(v) | JobEvent::Submitted { job: v, .. }) = event else {
            continue;
        };
        if v.board_path != job.board {
            continue;
        }
        say(&format!("phase {} {}", v.phase.as_str(), bytes_on_disk(&v)));
        send_if_never_sent(&engine, &v);
        if !v.phase.is_active() {
            say(&format!("finished {}", v.phase.as_str()));
            break;
        }
    }
    let _ = engine.cmd_tx.try_send(JobCmd::Shutdown);
    let _ = engine.task.await;
}

/// A kill between recording the job and sending it leaves it `not_sent`; the child is the
/// user who asked for the submit, so it says "send" (the engine never sends it unasked).
fn send_if_never_sent(engine: &shotdeck::engine::EngineHandle, v: &JobView) {
    if v.phase == shotdeck::engine::events::JobPhase::NotSent {
        let _ = engine.cmd_tx.try_send(JobCmd::Send(v.id));
    }
}

/// What is on disk for the job's files (partial or whole), as the child sees it.
fn bytes_on_disk(v: &JobView) -> u64 {
    v.files
        .iter()
        .map(|f| {
            let part = shotdeck::engine::download::part_path(&f.path);
            std::fs::metadata(&f.path)
                .or_else(|_| std::fs::metadata(part))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum()
}

fn submit_cmd(job: &ChildJob) -> JobCmd {
    let board = board_file::load(&job.board).unwrap();
    let options = SubmitOptions::default();
    JobCmd::Submit(SubmitRequest::new(
        &job.board,
        board,
        Provider::Kling,
        options,
    ))
}

fn child_config(job: &ChildJob, store: Arc<dyn JobStore>) -> EngineConfig {
    let settings = ProviderSettings {
        kling_base: Some(job.sim_base.clone()),
        gateway_base: Some(job.sim_base.clone()),
        request_timeout: Duration::from_secs(5),
        ..ProviderSettings::default()
    };
    let no_file = job.store.with_file_name("no-credentials.toml");
    let keys = SimKeys::demo();
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
    let mut tuning = fast_tuning();
    tuning.lease_ttl = CHILD_LEASE;
    let mut config = Config::default();
    shotdeck::sim::describe_relay(&mut config.profiles);
    EngineConfig::new(store, engine_settings(&config), ProviderSettings::default())
        .with_clients(factory)
        .with_tuning(tuning)
}

/// Whether `path` is a prefix of (or all of) the sample video.
pub fn is_sample_prefix(path: &Path) -> Option<usize> {
    let bytes = std::fs::read(path).ok()?;
    let sample = shotdeck::sim::SAMPLE_MP4;
    assert!(
        bytes.len() <= sample.len() && bytes[..] == sample[..bytes.len()],
        "{} is not a prefix of the served video ({} bytes)",
        path.display(),
        bytes.len()
    );
    Some(bytes.len())
}
