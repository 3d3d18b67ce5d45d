//! The job engine: submit, poll, back off, persist and download, as one tokio task.

pub mod events;
