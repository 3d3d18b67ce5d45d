//! A submit as a front end asks for it: the board, the options the user settled (ceiling,
//! retry, takes) and the ticket that names the engine's answer.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::JobId;
use crate::model::Board;
use crate::provider::Provider;

/// Names one submit, so its sender can tell the engine's answer to it from other events.
/// Unique within the process: [`SubmitRequest::new`] draws a fresh one each time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubmitTicket(u64);

impl SubmitTicket {
    fn next() -> SubmitTicket {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        SubmitTicket(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// What the user settled before a submit, beyond the board itself. Later features add
/// fields here (a take label, a spend guard's ceiling), so front ends build it with
/// `..SubmitOptions::default()`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitOptions {
    /// The most the user agreed to spend, in USD: the engine refuses a board whose estimate
    /// is higher. `None`: no ceiling (a board without a price is never refused for cost).
    pub max_usd: Option<f64>,
    /// The job this submit sends again (a retry of the board as it is now). The engine
    /// records the link and refuses the submit if that job was already retried.
    pub retry_of: Option<JobId>,
    /// How many takes (variants) of the board to record and send at once, each with its
    /// own `external_task_id`; 0 and 1 both mean one. At most [`MAX_TAKES`]. The budget
    /// and `max_usd` hold for all of them together.
    pub takes: u32,
}

/// The most takes one submit may ask for: eight variants of a 15 s board is already a
/// large bill, and the confirmation shows them all.
pub const MAX_TAKES: u32 = 8;

/// One take, no ceiling, not a retry: what a plain submit asks for, from any front end.
impl Default for SubmitOptions {
    fn default() -> Self {
        SubmitOptions {
            max_usd: None,
            retry_of: None,
            takes: 1,
        }
    }
}

impl SubmitOptions {
    /// How many takes this submit records: `takes`, at least one.
    pub fn take_count(&self) -> u32 {
        self.takes.max(1)
    }
}

/// A board to send, as a front end asks for it. The engine validates it, estimates its cost,
/// mints its `external_task_id`, composes the request with the local images embedded, and
/// records the job; none of that happens in the front end.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitRequest {
    /// Absolute (front ends pass the path the board was loaded from and saved to); local
    /// images are resolved against its folder.
    pub board_path: PathBuf,
    pub board: Board,
    pub provider: Provider,
    pub options: SubmitOptions,
    /// Echoed in [`super::JobEvent::Submitted`] or [`super::JobEvent::Rejected`].
    pub ticket: SubmitTicket,
}

impl SubmitRequest {
    /// The one way front ends ask for a submit: the editor and `shotdeck submit` build the
    /// same request for the same board.
    pub fn new(
        board_path: &Path,
        board: Board,
        provider: Provider,
        options: SubmitOptions,
    ) -> SubmitRequest {
        SubmitRequest {
            // The engine records it under one name however it was named (`../x.json`, a
            // symlink): see its intake.
            board_path: board_path.to_path_buf(),
            board,
            provider,
            options,
            ticket: SubmitTicket::next(),
        }
    }
}
