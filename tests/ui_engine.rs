//! The UI on the real job engine and the simulated backend: submit from the editor, watch
//! the job reach `done` in the queue, and find the video on disk.

mod ui_support;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shotdeck::core::Provider;
use shotdeck::engine::schedule::PollSchedule;
use shotdeck::engine::{ClientFactory, Engine, EngineConfig, EngineSettings, Tuning};
use shotdeck::files::board_file;
use shotdeck::files::config::Config;
use shotdeck::providers::{Client, ProviderSettings};
use shotdeck::sim::{Faults, SimConfig, SimKeys, SimServer};
use shotdeck::ui::{ExitReason, OpenedBoard, UiDeps, run};

fn key(c: char) -> std::io::Result<Event> {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Ok(Event::Key(KeyEvent::new(KeyCode::Char(c), m)))
}

fn fast_tuning() -> Tuning {
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
        ..Tuning::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_from_the_editor_and_watch_the_job_finish() {
    let keys = SimKeys::demo();
    let sim = SimServer::start(
        SimConfig {
            keys: keys.clone(),
            task_seconds: 0.3,
            faults: Faults::default(),
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let board_path = dir.path().join("noir.json");
    board_file::save(&board_path, &ui_support::noir()).unwrap();

    let settings = ProviderSettings {
        kling_base: Some(sim.base_url()),
        gateway_base: Some(sim.base_url()),
        request_timeout: Duration::from_secs(5),
        ..ProviderSettings::default()
    };
    let no_file = dir.path().join("no-credentials.toml");
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
    let cfg = EngineConfig::new(
        shotdeck::engine::store::open(&dir.path().join("data/jobs.sqlite3")).unwrap(),
        EngineSettings::default(),
        ProviderSettings::default(),
    )
    .with_clients(factory)
    .with_tuning(fast_tuning());
    let engine = Engine::start(cfg).await.unwrap();

    let mut deps = UiDeps::new(engine.cmd_tx, engine.event_rx, Config::default());
    deps.initial_jobs = engine.initial_jobs;
    let opened = OpenedBoard::open(&board_path, "std").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let (tx, rx) = mpsc::unbounded();
    let video = dir.path().join("noir.renders");

    let drive = async {
        for c in "S".chars().chain("y6".chars()) {
            tx.unbounded_send(key(c)).unwrap();
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let done = std::fs::read_dir(&video)
                .map(|d| {
                    d.flatten()
                        .any(|e| e.path().extension().is_some_and(|x| x == "mp4"))
                })
                .unwrap_or(false);
            if done {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no video downloaded"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Let the final `done` event reach the UI before quitting.
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.unbounded_send(key('q')).unwrap();
    };
    let (reason, ()) = tokio::join!(run(&mut terminal, rx, opened, deps), drive);
    assert_eq!(reason.unwrap(), ExitReason::Quit);
    let _ = engine.task.await;

    let screen = terminal.backend().to_string();
    assert!(screen.contains("✓ done"), "{screen}");
    let file = std::fs::read_dir(&video)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".mp4"))
        .unwrap();
    assert!(screen.contains(&file), "the queue names {file}:\n{screen}");
}
