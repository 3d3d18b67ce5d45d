//! The job engine: submit, poll, back off, persist and download, as one tokio task.
//!
//! - [`runner`]: the engine task ([`Engine::start`] → [`EngineHandle`]).
//! - [`intake`]: a submit's board validated, priced, keyed and composed into a job.
//! - `worker`: one task per job this engine holds the lease of.
//! - The job store is an `Arc<dyn shotdeck_store::JobStore>` the binary opens (the engine
//!   never names a backend); the job state machine and the messages front ends exchange are `shotdeck_core::jobs`.
//! - [`schedule`]: poll timing; `list_poll`: one list request per interval for the in-flight
//!   tasks of one endpoint kind.
//! - [`download`]: resumable, size-checked downloads; [`media`] reads a video's length and
//!   [`sidecar`] writes what made it beside it.

pub mod config;
pub mod continue_from;
pub mod cut;
pub mod download;
pub mod frames;
pub mod gate;
pub mod intake;
mod list_poll;
pub mod media;
pub mod runner;
pub mod schedule;
pub mod sequence;
mod settings;
pub mod sidecar;
pub mod takes;
mod worker;

pub use config::{ClientFactory, EngineConfig, JobScope, Tuning};
pub use runner::{COMMAND_CAPACITY, EVENT_CAPACITY, Engine, EngineHandle, new_external_task_id};
pub use settings::{EngineSettings, ProjectHere};
