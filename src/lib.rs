//! shotdeck: a terminal storyboard editor for Kling v3 multi-shot video generation.
//!
//! `core` is pure (no I/O); `files`, `providers`, `engine`, `sim` and `ui` wrap it. `app`
//! assembles them (config, engine, the demo's simulator, the runtime) and starts the editor;
//! `cli` parses the command line and calls `app` or its headless commands. `ui` imports
//! nothing from `app`, `cli`, `providers` or `sim`.

pub mod app;
pub mod cli;
pub mod core;
pub mod engine;
pub mod files;
pub mod providers;
pub mod sim;
pub mod ui;
