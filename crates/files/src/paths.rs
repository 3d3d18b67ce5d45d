//! Where shotdeck keeps its config, job store and logs.
//!
//! XDG locations from `directories`, each overridable by an environment variable so tests,
//! CI and users with unusual setups can point shotdeck elsewhere:
//! `SHOTDECK_CONFIG_DIR` (config.toml, credentials.toml, keymap.toml, themes/),
//! `SHOTDECK_DATA_DIR` (jobs.sqlite3), `SHOTDECK_STATE_DIR` (shotdeck.log).

use std::path::PathBuf;

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "shotdeck")
}

fn dir(var: &str, pick: fn(&directories::ProjectDirs) -> PathBuf) -> PathBuf {
    if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return PathBuf::from(v);
    }
    project()
        .map(|p| pick(&p))
        .unwrap_or_else(|| std::env::temp_dir().join("shotdeck"))
}

pub fn config_dir() -> PathBuf {
    dir("SHOTDECK_CONFIG_DIR", |p| p.config_dir().to_path_buf())
}

pub fn data_dir() -> PathBuf {
    dir("SHOTDECK_DATA_DIR", |p| p.data_dir().to_path_buf())
}

pub fn state_dir() -> PathBuf {
    dir("SHOTDECK_STATE_DIR", |p| {
        p.state_dir()
            .unwrap_or_else(|| p.data_local_dir())
            .to_path_buf()
    })
}
