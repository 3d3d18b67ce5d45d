//! shotdeck: a terminal storyboard editor for Kling v3 multi-shot video generation.
//!
//! The workspace's crates are its layers, arrows pointing inward (README "Layout"):
//! `shotdeck-core` is pure; `files`, `providers`, `store`, `engine`, `sim` and `tui` wrap
//! it. This crate is the binary's wiring: `app` assembles config, store, engine and the
//! demo's simulator and starts the editor; `cli` parses the command line and runs `app` or a
//! headless command. The layers are re-exported under their old module names so the
//! integration tests and benches name one crate.

#![warn(unreachable_pub)]

pub mod app;
pub mod cli;

pub use shotdeck_core as core;
pub use shotdeck_files as files;
pub use shotdeck_providers as providers;
pub use shotdeck_sim as sim;
pub use shotdeck_tui as ui;

/// The job engine, its store and the messages front ends exchange with it.
pub mod engine {
    pub use shotdeck_core::jobs as events;
    pub use shotdeck_core::jobs::machine as job;
    pub use shotdeck_engine::*;

    /// The job store, and where the binary keeps it.
    pub mod store {
        pub use shotdeck_store::*;

        /// The data dir's `jobs.sqlite3`: every shotdeck process of the user shares it.
        pub fn default_path() -> std::path::PathBuf {
            shotdeck_files::paths::data_dir().join(STORE_FILE)
        }

        /// The SQLite store at `path` (created and migrated if need be) as the engine and
        /// the CLI hold it.
        pub fn open(path: &std::path::Path) -> Result<std::sync::Arc<dyn JobStore>, StoreError> {
            Ok(std::sync::Arc::new(SqliteStore::open(path)?))
        }
    }
}
