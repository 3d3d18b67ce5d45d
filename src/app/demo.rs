//! `--demo`: the whole app against the embedded simulated backend, so a new user sees every
//! part work with no key, no network and no cost.
//!
//! The demo keeps its own job store in a fresh temporary folder: simulated tasks must never
//! mix with the user's real history (the real engine would later poll them at Kling).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::provider_settings;
use crate::core::Provider;
use crate::engine::{Engine, EngineConfig, EngineHandle};
use crate::files::config::Config;
use crate::files::credentials::{ENV_ACCESS_KEY, ENV_API_KEY, ENV_SECRET_KEY};
use crate::providers::Client;
use crate::sim::{DEFAULT_TASK_SECONDS, Faults, SimConfig, SimKeys, SimServer};

/// The board a demo opens when none is named: the shipped noir example.
const DEMO_BOARD: &str = include_str!("../../examples/noir-3-shot.json");

/// Seconds a simulated task takes unless `--sim-task-seconds` says otherwise.
pub const DEMO_TASK_SECONDS: f64 = DEFAULT_TASK_SECONDS;

pub struct Demo {
    pub sim: SimServer,
    /// Holds the demo's job store (and its board, when none was named).
    pub dir: PathBuf,
    /// The demo's job store (the engine has it too).
    pub store: Arc<dyn crate::engine::store::JobStore>,
}

const DIR_PREFIX: &str = "shotdeck-demo-";

/// A new folder for this demo session. Folders of earlier demos whose process has ended are
/// removed first, so demos don't pile up in the temp dir while the last one's video stays
/// available after it quits.
pub fn demo_dir() -> std::io::Result<PathBuf> {
    let tmp = std::env::temp_dir();
    remove_finished_demos(&tmp);
    let dir = tmp.join(format!("{DIR_PREFIX}{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Best effort: only where the system tells which processes are alive (Linux).
fn remove_finished_demos(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        if let Ok(pid) = pid.parse::<u32>()
            && crate::files::process_alive(pid) == Some(false)
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes the example board into `dir`, with the demo's sequence around it (see
/// [`super::demo_sequence`]), and returns its path.
pub fn write_demo_board(dir: &Path) -> std::io::Result<PathBuf> {
    let path = dir.join("noir-demo.json");
    if !path.exists() {
        std::fs::write(&path, DEMO_BOARD)?;
    }
    super::demo_sequence::write(dir, DEMO_BOARD)?;
    Ok(path)
}

/// Starts the simulated backend on a free loopback port and an engine whose clients talk
/// to it with the keys the sim accepts (the same variables the real clients read, or the
/// documented demo defaults).
pub async fn start(
    config: &Config,
    dir: PathBuf,
    task_seconds: f64,
) -> anyhow::Result<(Demo, EngineHandle)> {
    let keys = SimKeys::from_env();
    let sim = SimServer::start(
        SimConfig {
            keys: keys.clone(),
            task_seconds,
            faults: Faults::default(),
        },
        "127.0.0.1:0".parse().expect("a literal address"),
    )
    .await?;
    let mut settings = provider_settings(config);
    settings.kling_base = Some(sim.base_url());
    settings.gateway_base = Some(sim.base_url());
    let settings_for_clients = settings.clone();
    // Only the key variables are answered; base URLs come from the settings above, so an
    // exported KLING_API_BASE cannot send demo traffic to a real provider.
    let keys = Arc::new(keys);
    let clients = Arc::new(move |provider: Provider| {
        let keys = Arc::clone(&keys);
        let env = move |name: &str| match name {
            n if n == ENV_ACCESS_KEY => Some(keys.access_key.clone()),
            n if n == ENV_SECRET_KEY => Some(keys.secret_key.clone()),
            n if n == ENV_API_KEY => Some(keys.api_key.clone()),
            _ => None,
        };
        Client::from_sources(
            provider,
            &settings_for_clients,
            &env,
            Path::new("/nonexistent"),
        )
    });
    // Nothing is charged here: a broken `[budget]` is said at start but does not stop
    // the demo's simulated submits.
    let mut config = config.clone();
    config.problems.retain(|p| !p.money);
    crate::sim::describe_relay(&mut config.profiles);
    // The data dir's file name, so `SHOTDECK_DATA_DIR=<demo folder> shotdeck cut <demo
    // folder>` cuts the demo's keepers.
    let store = crate::engine::store::open(&dir.join(crate::engine::store::STORE_FILE))?;
    let engine_config = EngineConfig::new(
        Arc::clone(&store),
        super::engine_settings(&config),
        settings,
    )
    .with_clients(clients);
    let engine = Engine::start(engine_config).await?;
    Ok((Demo { sim, dir, store }, engine))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_demo_folders_are_removed_and_live_ones_kept() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let dead = tmp.path().join(format!("{DIR_PREFIX}{}", u32::MAX - 1));
        let live = tmp
            .path()
            .join(format!("{DIR_PREFIX}{}", std::process::id()));
        let other = tmp.path().join("shotdeck-demo-notes");
        for d in [&dead, &live, &other] {
            std::fs::create_dir_all(d).unwrap();
        }
        remove_finished_demos(tmp.path());
        assert!(!dead.exists());
        assert!(live.exists());
        assert!(other.exists());
    }
}
