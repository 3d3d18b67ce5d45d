//! The application state and what changes it: the app (focus, overlays, toasts), the board
//! being edited with its undo history and derived findings, board edits as pure functions,
//! the UI's view of the jobs, the message log, and `dispatch`, where actions and engine events land.

pub mod app;
mod change_label;
pub mod derived;
pub mod disk;
mod dispatch;
pub mod doc;
mod doc_disk;
pub mod edit;
pub mod exit_save;
pub mod file_guard;
mod filters;
pub mod history;
pub mod jobs;
pub mod messages;
mod mouse;
pub mod paid;
pub mod previews;
pub mod quit;
