//! shotdeck: a terminal storyboard editor for Kling v3 multi-shot video generation.
//!
//! `core` is pure (no I/O); `files`, `providers`, `engine`, `sim` and `ui` wrap it.

pub mod cli;
pub mod core;
pub mod engine;
pub mod files;
pub mod providers;
pub mod sim;
pub mod ui;
