//! `config.toml` in the config dir. Every field is optional; a missing file means defaults,
//! and a malformed one is an error naming the line, never silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::budget::{Budget, UnitPrices};
use crate::core::cost::{PriceTable, default_prices};
use crate::core::gateway_profile::Profiles;
use crate::core::provider::Provider;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The provider submits go to unless `--provider` says otherwise.
    pub provider: Provider,
    /// Quality given to new boards.
    pub default_quality: String,
    /// A built-in theme name (dark, light, high-contrast, ansi16) or a file in themes/.
    pub theme: String,
    /// Where videos go; relative paths are resolved against the board's folder.
    /// `{board}` is replaced by the board file's stem. Default: `{board}.renders`.
    pub render_dir: String,
    /// Official API base URL (env KLING_API_BASE wins).
    pub kling_api_base: Option<String>,
    /// Gateway base URL (env SHOTDECK_GATEWAY_URL wins).
    pub gateway_url: Option<String>,
    /// Gateway profiles: `[profiles.gateway]` and `[profiles.kling-relay]` (paths, where the
    /// shot list goes, status words, URL fields; see core::gateway_profile).
    pub profiles: Profiles,
    /// USD per second, by provider → model → quality. Defaults are the official list
    /// prices and are estimates.
    pub prices: PriceTable,
    /// USD per charged unit, by model (Kling bills in units and publishes no unit price):
    /// `[usd_per_unit]` with `kling-v3 = 0.14`. Without one, charges show in units only.
    pub usd_per_unit: UnitPrices,
    /// Spending limits checked before every submit: `[budget]` `per_job`, `per_day`,
    /// `per_board` (USD, estimates).
    pub budget: Budget,
    /// Key overrides for the TUI, per context and action:
    /// `[keys.shot_list]` with `delete_shot = ["x", "delete"]` (same shape as keymap.toml).
    pub keys: BTreeMap<String, BTreeMap<String, KeyList>>,
    /// How the editor tells you a job ended while you look at another window: `"both"`
    /// (bell and desktop notification, the default), `"bell"`, `"osc"` or `"off"`.
    pub notify: NotifyMode,
    /// Mouse reporting in the editor (click to focus, wheel to move). `false` leaves the
    /// mouse to tmux or the terminal, so their text selection works.
    pub mouse: bool,
    /// Image previews in the settings pane: `"auto"` (the terminal's best graphics
    /// protocol, half-blocks where it has none), `"halfblocks"` or `"off"`.
    pub images: ImagesMode,
}

/// How the settings pane previews images.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImagesMode {
    /// Kitty, Sixel or iTerm2 when the terminal answers the query, else half-blocks.
    #[default]
    Auto,
    /// Coloured half-block characters: every terminal, tmux and SSH included.
    Halfblocks,
    /// No previews (the dimensions, size and format are still shown).
    Off,
}

/// How a finished job is announced (see `ui::notify`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyMode {
    /// BEL only: tmux flags the window, most terminals flash or mark the tab.
    Bell,
    /// OSC 9 and OSC 777 desktop notifications only.
    Osc,
    /// Both; terminals that understand neither OSC ignore it.
    #[default]
    Both,
    Off,
}

/// One key or a list of keys, as keymap files write them (`"j"` or `["j", "down"]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn as_slice(&self) -> &[String] {
        match self {
            KeyList::One(k) => std::slice::from_ref(k),
            KeyList::Many(v) => v,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            provider: Provider::Kling,
            default_quality: "std".into(),
            theme: "dark".into(),
            render_dir: "{board}.renders".into(),
            kling_api_base: None,
            gateway_url: None,
            profiles: Profiles::default(),
            prices: default_prices(),
            usd_per_unit: UnitPrices::new(),
            budget: Budget::default(),
            keys: BTreeMap::new(),
            notify: NotifyMode::default(),
            mouse: true,
            images: ImagesMode::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
}

pub fn config_path() -> PathBuf {
    super::paths::config_dir().join("config.toml")
}

/// Loads `path`, or defaults when it does not exist.
pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
    // Through the special-file and size check: a FIFO named config.toml is refused.
    let text = match super::safe_read::read_string(path, super::safe_read::MAX_SETTINGS_BYTES) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return Ok(Config::default()),
        Err(e) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source: std::io::Error::other(e.to_string()),
            });
        }
    };
    let mut cfg: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        // Line and column only: people paste keys into config.toml too.
        message: super::toml_error::describe(&text, &e),
    })?;
    // User prices overlay the defaults rather than replacing the whole table.
    let mut prices = default_prices();
    for (provider, models) in std::mem::take(&mut cfg.prices) {
        let slot = prices.entry(provider).or_default();
        for (model, qualities) in models {
            slot.entry(model).or_default().extend(qualities);
        }
    }
    cfg.prices = prices;
    Ok(cfg)
}

pub fn load() -> Result<Config, ConfigError> {
    load_from(&config_path())
}

impl Config {
    /// The folder a board's videos are downloaded into.
    pub fn render_dir_for(&self, board_path: &Path) -> PathBuf {
        let stem = board_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "board".into());
        let rel = self.render_dir.replace("{board}", &stem);
        let p = Path::new(&rel);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            super::board_file::board_dir(board_path).join(p)
        }
    }
}
