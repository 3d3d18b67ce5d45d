//! The terminal UI: one event loop over engine events and terminal input, six panes, a
//! keymap table that drives dispatch, help, footer hints and the command palette.
//!
//! Entry points: [`run`] (generic over backend and input stream, used by tests) and
//! [`run_terminal`] (the real terminal, panic hook, input from crossterm). The job engine is
//! reached only through the `JobCmd` sender and `JobEvent` receiver in [`UiDeps`].
//!
//! The modules form a DAG (tests/ui_layering.rs holds it): the leaves (`keymap`, `theme`,
//! `labels`, `wrap`, `widgets`, `host`, `notify`) ← `model` (the editor's data) ← `panes` and
//! `overlays` (each owns its view state and drawing, never the app) ← `app` (focus, the
//! layer stack, the model; dispatch; the event loop) ← `terminal` (the real terminal).
//! This file only names modules and re-exports.

pub mod app;
pub mod host;
pub mod keymap;
mod labels;
pub mod model;
pub mod notify;
mod overlays;
pub mod panes;
pub mod terminal;
pub mod theme;
mod widgets;
mod wrap;

pub use app::App;
pub use app::deps::{History, LateStart, PaidCheck, UiDeps};
pub use app::event_loop::{ExitReason, Outside, StopSignal, run};
pub use host::{Host, HostError, SystemHost};
pub use keymap::Keymap;
pub use keymap::action::Action;
pub use model::doc::{OpenedBoard, RescueSlot};
pub use model::exit_save::take_rescue_notes;
pub use model::msg::PaneId;
pub use shotdeck_files::logging::{init_logging, log_path};
pub use terminal::DiffBackend;
pub use terminal::run_terminal;
pub use theme::{Styles, ThemeColors};
