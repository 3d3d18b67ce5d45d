//! The job engine: submit, poll, back off, persist and download, as one tokio task.

pub mod db;
pub mod download;
pub mod events;
pub mod gate;
pub mod job;
pub mod schedule;
pub mod store;
