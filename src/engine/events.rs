//! What the UI and CLI say to the job engine, and what it says back.
//!
//! The engine is a tokio task that owns the provider clients and the job store; front ends
//! hold a `JobCmd` sender and a `JobEvent` receiver and never touch engine state directly.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::core::compose::ComposedRequest;
use crate::core::model::Board;
use crate::core::provider::Provider;

/// Row id in the job store; stable across restarts.
pub type JobId = i64;

/// Where a job is in its life. Stored as snake_case text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobPhase {
    /// Recorded, not yet sent.
    Queued,
    /// The create request is in flight (or its answer was lost and is being reconciled).
    Submitting,
    /// The provider has the task; it has not started.
    Submitted,
    /// The provider is generating.
    Processing,
    /// The task succeeded; videos are being downloaded.
    Downloading,
    /// Every video is on disk.
    Done,
    /// The provider (or a non-retryable error) ended the job.
    Failed,
}

impl JobPhase {
    /// Still needs the engine's attention (polling, reconciling or downloading).
    pub fn is_active(self) -> bool {
        !matches!(self, JobPhase::Done | JobPhase::Failed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobPhase::Queued => "queued",
            JobPhase::Submitting => "submitting",
            JobPhase::Submitted => "submitted",
            JobPhase::Processing => "processing",
            JobPhase::Downloading => "downloading",
            JobPhase::Done => "done",
            JobPhase::Failed => "failed",
        }
    }
}

/// An error as the user sees it: the provider's code and message (and param, if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobError {
    pub code: Option<String>,
    pub message: String,
    /// False for errors that must not be retried as is (balance, auth, bad request).
    pub retryable: bool,
}

/// One downloaded (or downloading) video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobFile {
    pub url: String,
    pub path: PathBuf,
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    pub complete: bool,
}

/// Everything a front end shows about one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: JobId,
    pub board_path: PathBuf,
    pub board_title: String,
    pub provider: Provider,
    pub external_task_id: String,
    pub task_id: Option<String>,
    pub phase: JobPhase,
    /// Provider's status text (`task_status_msg`), if any.
    pub status_msg: Option<String>,
    /// On a failed job, why. On an active job: with `retryable` the engine is backing off
    /// and will try again by itself; in `downloading` (or with `retryable: false`) the
    /// engine has stopped and waits for `Redownload` (or the next engine start).
    pub error: Option<JobError>,
    pub files: Vec<JobFile>,
    /// Seconds of video requested.
    pub seconds: f64,
    pub estimated_usd: Option<f64>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// What a front end asks of the engine.
// A handful of these cross the channel per minute; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum JobCmd {
    /// Record and send a new job. `request` already carries `external_task_id` and embedded images.
    Submit {
        board_path: PathBuf,
        board: Board,
        provider: Provider,
        request: ComposedRequest,
        external_task_id: String,
        estimated_usd: Option<f64>,
    },
    /// Send a failed job's request again as a new job (new idempotency key).
    Retry(JobId),
    /// Download a finished job's videos again (resuming partial files; files complete on
    /// disk are kept). Also resumes an active job the engine stopped working on.
    Redownload(JobId),
    /// Re-read the store (another process may have added jobs) and re-emit every job.
    Refresh,
    /// Stop polling and exit the engine task; in-flight jobs resume on the next start.
    Shutdown,
}

/// What the engine reports. Progress is coalesced: at most a few updates per second per job.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum JobEvent {
    /// A job was created or changed.
    Updated(JobView),
    /// A command was refused and nothing was sent: a submit that could not be recorded, a
    /// retry of a job still in progress, a redownload of a failed job or of one another
    /// process is working on.
    Rejected { reason: String },
}
