//! `config.toml` in the config dir. Every field is optional; a missing file means defaults.
//! A malformed one is read key by key (`config_parse`): each problem names the key, file,
//! line and column, and a problem with the money keys refuses every paid action.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use shotdeck_core::budget::{Budget, UnitPrices};
use shotdeck_core::cost::{PriceTable, default_prices};
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::provider::Provider;
use shotdeck_core::store_url::{StoreUrl, StoreUrlError};

/// The environment variable that names a shared job store; it wins over `[store] url`.
pub const STORE_URL_ENV: &str = "SHOTDECK_STORE_URL";

/// The environment variable that names the Kling account a shared store sends to; it wins
/// over `[store] account`.
pub const ACCOUNT_ENV: &str = "SHOTDECK_ACCOUNT";

/// The account a shared store sends to unless told otherwise.
pub const DEFAULT_ACCOUNT: &str = "default";

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
    /// The job store: `[store] url = "postgres://…"` shares one with a team (env
    /// `SHOTDECK_STORE_URL` wins); unset, the local SQLite store.
    pub store: StoreSettings,
    /// What a team's machines do for each other: `[team] fetch_orphans_after_days`.
    pub team: TeamSettings,
    /// What was wrong with the file as it was read (each bad key was left at its default).
    #[serde(skip)]
    pub problems: Vec<ConfigProblem>,
}

/// One thing wrong with config.toml, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The dotted key (`budget.per_day`); empty for the file's syntax or the file itself.
    pub key: String,
    /// `PATH: line L, column C: KEY: what is wrong`.
    pub message: String,
    /// In a money key (or the file could not be read whole): paid actions are refused.
    pub money: bool,
}

impl ConfigProblem {
    /// `detail` is `line L, column C: why` (or just why); the key goes after the place.
    pub fn new(path: &Path, key: &str, detail: String, money: bool) -> Self {
        let detail = match (key.is_empty(), detail.split_once(": ")) {
            (true, _) => detail,
            (false, Some((at, why))) if at.starts_with("line ") => format!("{at}: {key}: {why}"),
            (false, _) => format!("{key}: {detail}"),
        };
        ConfigProblem {
            key: key.to_string(),
            message: format!("{}: {detail}", path.display()),
            money,
        }
    }
}

/// `[store]`: where the job store lives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// A PostgreSQL URL; its password never shows (see `StoreUrl`).
    #[serde(deserialize_with = "store_url_field")]
    pub url: Option<StoreUrl>,
    /// The Kling account the team's jobs go to (a label, never a secret): its row holds
    /// the concurrency limit and the day budget everyone on it shares.
    #[serde(deserialize_with = "account_field")]
    pub account: Option<String>,
}

/// `[team]`: what each machine of a team does for the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamSettings {
    /// A done job whose videos no machine has is fetched by any engine of the team once it
    /// is this many days old (Kling deletes results after 30); 0: never.
    #[serde(deserialize_with = "orphan_days_field")]
    pub fetch_orphans_after_days: u32,
}

/// Seven days before Kling's 30-day expiry: a week for the asker to come back first.
pub const DEFAULT_FETCH_ORPHANS_AFTER_DAYS: u32 = 23;

impl Default for TeamSettings {
    fn default() -> Self {
        TeamSettings {
            fetch_orphans_after_days: DEFAULT_FETCH_ORPHANS_AFTER_DAYS,
        }
    }
}

/// 0 (never) or a day before Kling's 30: a later sweep would only find deleted results.
fn orphan_days_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    // Any value, so a wrong type is named by its key too.
    let value = toml::Value::deserialize(d)?;
    match value.as_integer().map(u32::try_from) {
        Some(Ok(days)) if days <= 29 => Ok(days),
        _ => Err(serde::de::Error::custom(format!(
            "team.fetch_orphans_after_days: 0 (never) or 1 to 29 days, before Kling deletes \
             results at 30 (got {value})"
        ))),
    }
}

/// `account`'s errors say which key of `[store]` they are about.
fn account_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    check_account(&text)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("store.account: {e}")))
}

/// An account label: 1 to 64 letters, digits, `.`, `_` or `-` (it is shown in every
/// waiting job's text, so nothing that could disguise it).
pub fn check_account(name: &str) -> Result<String, String> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    match ok {
        true => Ok(name.to_string()),
        false => Err(format!(
            "an account is 1 to 64 letters, digits, '.', '_' or '-' (got {:?})",
            shotdeck_core::printable(name)
        )),
    }
}

/// `url`'s errors say which key of `[store]` they are about (the problem's key is `store`).
fn store_url_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<StoreUrl>, D::Error> {
    let text = String::deserialize(d)?;
    StoreUrl::parse(&text)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("store.url: {e}")))
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
            render_dir: DEFAULT_RENDER_DIR.into(),
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
            store: StoreSettings::default(),
            team: TeamSettings::default(),
            problems: Vec::new(),
        }
    }
}

/// Where videos go unless config.toml says otherwise: beside the board.
pub const DEFAULT_RENDER_DIR: &str = "{board}.renders";

/// The folder a board's videos are downloaded into under the rule `template`: `{board}`
/// becomes the board file's stem; a relative result is taken from the board's folder.
pub fn render_dir_for(template: &str, board_path: &Path) -> PathBuf {
    let stem = board_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "board".into());
    let rel = template.replace("{board}", &stem);
    let p = Path::new(&rel);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        super::board_file::board_dir(board_path).join(p)
    }
}

pub fn config_path() -> PathBuf {
    super::paths::config_dir().join("config.toml")
}

/// Loads `path`, or defaults when it does not exist. Never fails: what could not be read
/// is in [`Config::problems`] (an unreadable file refuses paid actions: its `[budget]` is
/// unknown).
pub fn load_from(path: &Path) -> Config {
    // Through the special-file and size check: a FIFO named config.toml is refused.
    let text = match super::safe_read::read_string(path, super::safe_read::MAX_SETTINGS_BYTES) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return Config::default(),
        Err(e) => {
            return Config {
                problems: vec![ConfigProblem::new(
                    path,
                    "",
                    format!("cannot read it ({e})"),
                    true,
                )],
                ..Config::default()
            };
        }
    };
    let mut cfg = super::config_parse::parse(path, &text);
    // User prices overlay the defaults rather than replacing the whole table.
    let mut prices = default_prices();
    for (provider, models) in std::mem::take(&mut cfg.prices) {
        let slot = prices.entry(provider).or_default();
        for (model, qualities) in models {
            slot.entry(model).or_default().extend(qualities);
        }
    }
    cfg.prices = prices;
    cfg
}

pub fn load() -> Config {
    load_from(&config_path())
}

impl Config {
    /// The problems as warnings, one per problem, saying what each costs.
    pub fn warnings(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| {
                let effect = if p.money {
                    "paid actions are refused until it is fixed"
                } else {
                    "using the default for it"
                };
                format!("config: {} ({effect})", p.message)
            })
            .collect()
    }

    /// Why paid actions are refused, when a money key (`[budget]`, `[usd_per_unit]`,
    /// `[prices]`) could not be read: sending with a lost limit or price could overspend.
    pub fn money_refusal(&self) -> Option<String> {
        let p = self.problems.iter().find(|p| p.money)?;
        Some(format!(
            "config.toml must be fixed before anything paid is sent ([budget], \
             [usd_per_unit], [prices] and [store] must read cleanly): {}",
            p.message
        ))
    }

    /// The shared store to use, if any: `SHOTDECK_STORE_URL` (when set and not empty), else
    /// `[store] url`. A bad variable is an error naming it, never its value.
    pub fn store_url(&self) -> Result<Option<StoreUrl>, String> {
        self.store_url_with(std::env::var(STORE_URL_ENV).ok())
    }

    /// [`Config::store_url`] with the variable's value given (tests do not touch the env).
    pub fn store_url_with(&self, env: Option<String>) -> Result<Option<StoreUrl>, String> {
        match env.filter(|v| !v.trim().is_empty()) {
            Some(v) => StoreUrl::parse(&v)
                .map(Some)
                .map_err(|e: StoreUrlError| format!("{STORE_URL_ENV}: {e}")),
            None => Ok(self.store.url.clone()),
        }
    }

    /// The account a shared store sends to: `SHOTDECK_ACCOUNT` (when set and not empty),
    /// else `[store] account`, else `default`. A bad variable is an error naming it.
    pub fn account(&self) -> Result<String, String> {
        self.account_with(std::env::var(ACCOUNT_ENV).ok())
    }

    /// [`Config::account`] with the variable's value given (tests do not touch the env).
    pub fn account_with(&self, env: Option<String>) -> Result<String, String> {
        match env.filter(|v| !v.trim().is_empty()) {
            Some(v) => check_account(v.trim()).map_err(|e| format!("{ACCOUNT_ENV}: {e}")),
            None => Ok(self
                .store
                .account
                .clone()
                .unwrap_or_else(|| DEFAULT_ACCOUNT.to_string())),
        }
    }

    /// The folder a board's videos are downloaded into.
    pub fn render_dir_for(&self, board_path: &Path) -> PathBuf {
        render_dir_for(&self.render_dir, board_path)
    }
}
