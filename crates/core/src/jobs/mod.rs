//! What the UI and CLI say to the job engine, and what it says back.
//!
//! The engine is a tokio task that owns the provider clients and the job store; front ends
//! hold a `JobCmd` sender and a `JobEvent` receiver and never touch engine state directly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::provider::Provider;

pub mod machine;
mod record;
mod refusal;
mod submit;

pub use machine::TaskState;
pub use record::{CANCELLED_CODE, CANCELLED_IN_DOUBT_CODE, JobRecord, LOST_CODE, PhaseEvent};
pub use refusal::{Action, Asked, Refusal, Step};
pub use submit::{MAX_TAKES, SubmitOptions, SubmitRequest, SubmitTicket};

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
    /// A create at a gateway may or may not have arrived (timeout, 5xx, dropped connection,
    /// unreadable answer) and the gateway cannot look it up by our id: nothing is re-sent.
    /// The user checks the gateway's dashboard, then `jobs attach` (enter the task id,
    /// polling resumes) or `jobs lost` (failed; it may have been charged).
    NeedsAttention,
    /// Recorded by a submit that was interrupted before anything was sent (its process
    /// stopped or crashed while the job was `queued`). No engine sends it by itself: the
    /// user sends it (`jobs send`, or the editor after a confirmation) or cancels it.
    NotSent,
}

impl JobPhase {
    /// Not finished: the engine (or, in `needs_attention`, the user) has more to do.
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
            JobPhase::NeedsAttention => "needs_attention",
            JobPhase::NotSent => "not_sent",
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

impl JobError {
    /// `code: message`, saying the code once: provider messages often start with it.
    pub fn summary(&self) -> String {
        match &self.code {
            Some(code) if !self.message.contains(code.as_str()) => {
                format!("{code}: {}", self.message)
            }
            _ => self.message.clone(),
        }
    }
}

/// One downloaded (or downloading) video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobFile {
    pub url: String,
    pub path: PathBuf,
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    pub complete: bool,
    /// The video's length from its MP4 header, once complete (`None`: not read, or not an
    /// MP4 shotdeck could read).
    #[serde(default)]
    pub media_seconds: Option<f64>,
}

/// How far a video's length may be from the length asked for before it is reported.
pub const DURATION_TOLERANCE_SECS: f64 = 0.5;

/// Everything a front end shows about one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: JobId,
    /// The board on the machine that asked for the job (its files land beside it there).
    pub board_path: PathBuf,
    /// The board as every machine names it (project and path inside it): takes, the
    /// keeper and the board's budget are counted by it.
    #[serde(default)]
    pub board_key: crate::BoardKey,
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
    /// What the provider says it charged, as sent (Kling's `final_unit_deduction`, in
    /// units; gateways send none).
    #[serde(default)]
    pub units_charged: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    /// Which submit of its board this job is: 1, 2, … per board (a retry is a take too).
    #[serde(default)]
    pub take: u32,
    /// The board's chosen take (at most one per board).
    #[serde(default)]
    pub keeper: bool,
    /// The take this job retries, when it is a retry.
    #[serde(default)]
    pub retry_of_take: Option<u32>,
    /// Who recorded the job (`user@host`) when the store is shared by a team; `None` on a
    /// store of one's own, where it is always the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_by: Option<String>,
}

impl JobView {
    /// The machine that asked for the job (the host of `submitted_by`, `user@host`), when
    /// the store is shared by a team.
    pub fn asked_on(&self) -> Option<&str> {
        let by = self.submitted_by.as_deref()?;
        Some(by.rsplit_once('@').map_or(by, |(_, host)| host))
    }

    /// On a team's store, a done job with no files on this machine (a view's files are this
    /// machine's): where it is done and how to get it here.
    pub fn fetch_hint(&self) -> Option<String> {
        let asker = self.asked_on()?;
        (self.phase == JobPhase::Done && self.files.is_empty()).then(|| done_on(asker, self.id))
    }

    /// Seen from machine `here` on a team's store: the task is done and none of its
    /// videos are on this machine — done, or polled to the end and left for the machine
    /// that asked — so a wait here is over: where it is done and how to get it here.
    pub fn done_elsewhere(&self, here: Option<&str>) -> Option<String> {
        let asker = self.asked_on()?;
        let left = self.phase == JobPhase::Downloading
            && self.error.is_none()
            && here.is_some_and(|h| h != asker);
        if !left {
            return self.fetch_hint();
        }
        self.files.is_empty().then(|| done_on(asker, self.id))
    }

    /// Each downloaded video whose header length is off the requested length by more than
    /// the tolerance, described for the user (`video.mp4 is 1.0 s, 12 s were asked for`).
    pub fn duration_mismatches(&self) -> Vec<String> {
        self.files
            .iter()
            .filter_map(|f| self.duration_mismatch(f))
            .collect()
    }

    /// `file`'s mismatch, if its header length is known and off (see above).
    pub fn duration_mismatch(&self, file: &JobFile) -> Option<String> {
        let actual = file.media_seconds?;
        let off = (actual - self.seconds).abs() > DURATION_TOLERANCE_SECS;
        off.then(|| {
            let name = file.path.file_name().unwrap_or_default().to_string_lossy();
            format!("{name} is {actual:.1} s, {} s were asked for", self.seconds)
        })
    }
}

/// What a front end asks of the engine.
// A handful of these cross the channel per minute; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum JobCmd {
    /// Validate, record and send a new job (see [`SubmitRequest`]).
    Submit(SubmitRequest),
    /// Send a failed job's stored request again as a new job (new idempotency key). Refused
    /// if the job was already retried (see [`SubmitOptions::retry_of`] for the board variant).
    Retry(JobId),
    /// Ask the provider about a job's task again instead of paying for a new one: reopens a
    /// failed job that has a task id, or restarts an active one the engine stopped on.
    Repoll(JobId),
    /// Download a finished job's videos again (resuming partial files; files complete on
    /// disk are kept). Also resumes an active job the engine stopped working on.
    Redownload(JobId),
    /// Send a job that was recorded but never sent (`not_sent`, or `queued` with no live
    /// submitter): the user's yes for a paid create. Refused for any other phase.
    Send(JobId),
    /// Stop working on an unfinished job: it fails with code [`CANCELLED_CODE`].
    /// The provider is not asked to stop anything (neither API can cancel a task).
    Cancel(JobId),
    /// Re-read the store (another process may have added jobs) and re-emit the jobs a
    /// front end starts with: the unfinished ones and the newest page.
    Refresh,
    /// Read one job's whole record (history, request, files), answered by
    /// [`JobEvent::Details`]; the front end has no store of its own.
    Details(JobId),
    /// Read `limit` jobs newest first with ids below `below`, `board`'s only or every
    /// board's: answered with [`JobEvent::Page`]. Keyed by id, not offset, so jobs added
    /// meanwhile neither shift nor repeat the page. With `filter`, only the jobs it
    /// matches (see the store's `page_matching`), read by the query.
    Page {
        board: Option<PathBuf>,
        below: JobId,
        limit: usize,
        filter: Option<String>,
    },
    /// Make a done job its board's keeper (`keep`, moving the mark from the take that had
    /// it) or clear its mark. Answered with [`JobEvent::Updated`] for every job whose mark
    /// changed, or [`JobEvent::Rejected`].
    SetKeeper { id: JobId, keep: bool },
    /// Gather what comparing two takes needs (boards as sent, cost, files on disk, image
    /// hashes): answered with [`JobEvent::Compared`].
    Compare(JobId, JobId),
    /// List the account's element library for a board on `provider` (free; the official
    /// API's only): answered with [`JobEvent::Elements`]. The front end stays off HTTP.
    Elements { provider: crate::Provider },
    /// Fetch element `id`'s picture into `into` (the front end's cache file for it; kept
    /// when already there): the board's `url` (the library's frontal image, stored when the
    /// element was chosen), else the library's own. Free, and answered with
    /// [`JobEvent::ElementPreview`]: the front end stays off HTTP.
    ElementPreview {
        provider: crate::Provider,
        id: String,
        url: Option<String>,
        into: PathBuf,
    },
    /// Stop polling and exit the engine task; in-flight jobs resume on the next start.
    Shutdown,
}

/// What the engine reports. Progress is coalesced: at most a few updates per second per job.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum JobEvent {
    /// A job was recorded for the submit named by `ticket`: the first event about it.
    Submitted { ticket: SubmitTicket, job: JobView },
    /// A job changed (or appeared: a retry, another process's submit, a refresh).
    Updated(JobView),
    /// A command was refused and nothing was sent: a board with errors or over its cost
    /// ceiling, images that could not be read, a submit that could not be recorded, a retry
    /// of a job still in progress or already retried, a redownload of a failed job or of one another process
    /// is working on. `ticket` names the refused submit, if it was one.
    Rejected {
        reason: Refusal,
        ticket: Option<SubmitTicket>,
    },
    /// What the ledger counts as spent since local midnight, in USD (an estimate): sent
    /// when the engine starts and after a job appears, changes phase or reports a charge.
    Spend { today_usd: f64 },
    /// The record asked for by [`JobCmd::Details`] (boxed: it carries the board and request).
    Details(Box<JobRecord>),
    /// The answer to [`JobCmd::Compare`], in the order asked.
    Compared(Box<[crate::compare::TakeFacts; 2]>),
    /// The answer to [`JobCmd::Elements`]: the library's elements, or why it could not be
    /// read (no keys, a provider without a library, the API's error), in one line.
    Elements(Result<Vec<crate::elements::LibraryItem>, String>),
    /// The answer to [`JobCmd::ElementPreview`] for element `id`.
    ElementPreview {
        id: String,
        outcome: crate::elements::PreviewFetch,
    },
    /// The answer to [`JobCmd::Page`]: the jobs below `below`, newest first; fewer than
    /// asked (`ended`) at the end of the list. A filtered page echoes its `filter` and,
    /// on the first page (`below` at `JobId::MAX`), how many jobs match in all.
    Page {
        board: Option<PathBuf>,
        below: JobId,
        jobs: Vec<JobView>,
        ended: bool,
        filter: Option<String>,
        matching: Option<usize>,
    },
}

/// How many jobs the store holds per board when counted, and the newest id then: a
/// front end lists the history a page at a time and counts itself the jobs it learns of
/// later (those newer than `newest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub per_board: HashMap<PathBuf, usize>,
    pub newest: JobId,
    /// The jobs the front end starts with include every job with this id or above.
    pub listed_from: JobId,
}

impl JobCounts {
    /// The counts of a history that is all in `views`.
    pub fn of_views(views: &[JobView]) -> JobCounts {
        let mut counts = JobCounts::default();
        for v in views {
            *counts.per_board.entry(v.board_path.clone()).or_default() += 1;
            counts.newest = counts.newest.max(v.id);
        }
        counts
    }

    /// `board`'s jobs, or every board's.
    pub fn of(&self, board: Option<&Path>) -> usize {
        match board {
            Some(b) => self.per_board.get(b).copied().unwrap_or(0),
            None => self.per_board.values().sum(),
        }
    }

    /// Counts a job the caller sees for the first time unless the counting included it.
    pub fn add_new(&mut self, job: &JobView) -> bool {
        if job.id <= self.newest {
            return false;
        }
        *self.per_board.entry(job.board_path.clone()).or_default() += 1;
        true
    }
}

/// Where a job is done and how to get its videos here.
fn done_on(asker: &str, id: JobId) -> String {
    format!("done on {asker}; `shotdeck jobs fetch {id}` to get it here")
}

#[cfg(test)]
mod view_tests;
