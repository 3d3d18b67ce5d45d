//! Assembling the app: config, the job engine (or the demo's simulator and an engine
//! pointed at it) and the tokio runtime, then handing the editor its engine channels.
//!
//! The dependency direction is `cli` → `app` → `ui`/`engine`/`sim`/`files`: the UI only
//! receives [`crate::ui::UiDeps`] and never builds provider clients or the simulator, and
//! the helpers both `cli` and `app` need (config loading, exit codes) live here so neither
//! reaches back into the other.

pub mod demo;
pub mod launch;
pub mod runtime;
mod session;

use crate::files::config::{self, Config};

/// Exit code when the board file cannot be read or parsed.
pub const EXIT_UNREADABLE: u8 = 2;

/// Loads config.toml; a bad key is left at its default and listed in `problems` (the CLI
/// prints them once per command, the editor shows them), so a headless command still
/// validates a board with a bad config. Paid actions check [`Config::money_refusal`].
pub fn load_config() -> Config {
    config::load()
}
