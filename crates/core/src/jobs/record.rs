//! Everything the store knows about one job, as plain data: the store fills it, `jobs show`,
//! the details overlay and Retry read it.

use serde::{Deserialize, Serialize};

use super::{JobId, JobPhase, JobView};
use crate::compose::ComposedRequest;
use crate::model::Board;

/// The error code of a job the user stopped waiting for.
pub const CANCELLED_CODE: &str = "cancelled";
/// The error code of a job cancelled while its create was in doubt (possibly charged).
pub const CANCELLED_IN_DOUBT_CODE: &str = "cancelled_in_doubt";
/// The error code of an in-doubt create the user marked lost.
pub const LOST_CODE: &str = "lost";

/// One phase change (or note) in a job's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseEvent {
    /// Unix milliseconds.
    pub at: i64,
    pub phase: JobPhase,
    pub note: Option<String>,
}

/// Everything the store knows about one job (for `shotdeck jobs show` and Retry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    #[serde(flatten)]
    pub view: JobView,
    pub board: Board,
    pub request: ComposedRequest,
    /// The create path; the task is queried below it.
    pub create_path: String,
    pub retry_of: Option<JobId>,
    pub stalled: bool,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    /// Unix milliseconds of the lease holder's last poll.
    pub last_polled_at: Option<i64>,
    pub history: Vec<PhaseEvent>,
}
