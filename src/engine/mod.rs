//! The job engine: submit, poll, back off, persist and download, as one tokio task.
//!
//! - [`runner`]: the engine task ([`Engine::start`] → [`EngineHandle`]).
//! - [`intake`]: a submit's board validated, priced, keyed and composed into a job.
//! - `worker`: one task per job this engine holds the lease of.
//! - [`store`]: the SQLite job store (also read directly by `shotdeck jobs`).
//! - [`job`], [`schedule`]: pure state transitions and poll timing.
//! - [`download`]: resumable, size-checked downloads; [`media`] reads a video's length and
//!   [`sidecar`] writes what made it beside it.

pub mod config;
pub mod db;
pub mod download;
pub mod events;
pub mod gate;
pub mod intake;
pub mod job;
pub mod media;
pub mod runner;
pub mod schedule;
pub mod sidecar;
pub mod store;
pub mod takes;
mod worker;

pub use config::{ClientFactory, EngineConfig, JobScope, Tuning, provider_settings};
pub use runner::{Engine, EngineHandle, new_external_task_id};
