//! Assembling the app: config, the job engine (or the demo's simulator and an engine
//! pointed at it) and the tokio runtime, then handing the editor its engine channels.
//!
//! The dependency direction is `cli` → `app` → `ui`/`engine`/`sim`/`files`: the UI only
//! receives [`crate::ui::UiDeps`] and never builds provider clients or the simulator, and
//! the helpers both `cli` and `app` need (config loading, exit codes) live here so neither
//! reaches back into the other.

pub mod demo;
mod demo_sequence;
pub mod launch;
pub mod runtime;
pub mod sequence;
mod session;
pub mod store;

use crate::files::config::{self, Config};

/// Exit code when the board file cannot be read or parsed.
pub const EXIT_UNREADABLE: u8 = 2;

/// Loads config.toml; a bad key is left at its default and listed in `problems` (the CLI
/// prints them once per command, the editor shows them), so a headless command still
/// validates a board with a bad config. Paid actions check [`Config::money_refusal`].
pub fn load_config() -> Config {
    config::load()
}

/// The part of the user's config the engine uses: prices, limits, profiles, the render
/// folder rule and whether the money keys read cleanly (not the theme, keys or notify).
pub fn engine_settings(config: &Config) -> crate::engine::EngineSettings {
    crate::engine::EngineSettings {
        prices: config.prices.clone(),
        usd_per_unit: config.usd_per_unit.clone(),
        budget: config.budget,
        profiles: config.profiles.clone(),
        money_refusal: config.money_refusal(),
        render_dir: config.render_dir.clone(),
        project_here: None,
        fetch_dir: None,
        orphans_after_days: config.team.fetch_orphans_after_days,
        orphans_dir: Some(crate::files::paths::data_dir().join("orphans")),
    }
}

/// The base URLs the user configured, as provider settings (the environment still wins
/// inside `Client::from_env`).
pub fn provider_settings(config: &Config) -> crate::providers::ProviderSettings {
    crate::providers::ProviderSettings {
        kling_base: config.kling_api_base.clone(),
        gateway_base: config.gateway_url.clone(),
        profiles: config.profiles.clone(),
        ..crate::providers::ProviderSettings::default()
    }
}
