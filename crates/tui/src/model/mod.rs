//! The editor's data and the rules that change it: the board being edited with its undo
//! history, derived findings and file state, board edits as pure functions, the settings
//! rows, the UI's view of the jobs (lists, pages, filters), retries sent, the message log
//! and the messages panes send the app. No drawing, no app: panes, overlays and the app
//! all read it; it reads only the keymap and labels.

mod change_label;
pub mod continues;
pub mod derived;
pub mod disk;
pub mod doc;
mod doc_disk;
pub mod edit;
pub mod exit_save;
pub mod history;
pub mod jobs;
pub mod messages;
pub mod msg;
pub mod retries;
pub mod settings_fields;
pub mod vim;

use crate::model::doc::Doc;
use crate::model::jobs::JobBook;
use crate::model::messages::MessageLog;
use crate::model::msg::Toast;
use crate::model::retries::RetryBook;
use shotdeck_core::jobs::{JobId, JobView};

/// Everything the editor knows, apart from how it is shown: the board, the jobs, what
/// was said. Panes and overlays are handed parts of it to draw.
pub struct Model {
    pub doc: Doc,
    pub jobs: JobBook,
    pub retries: RetryBook,
    /// Every toast shown, for the message log (the status bar shows one until a key).
    pub messages: MessageLog,
    pub toast: Option<Toast>,
    /// Today's spend as the engine's ledger counts it (USD, an estimate); `None` until the
    /// engine reports it.
    pub spend_today: Option<f64>,
    /// The keeper change asked of the engine (job, keep), said once the engine writes it.
    pub keeper_asked: Option<(JobId, bool)>,
}

impl Model {
    pub fn new(doc: Doc, jobs: JobBook) -> Model {
        Model {
            doc,
            jobs,
            retries: RetryBook::default(),
            messages: MessageLog::default(),
            toast: None,
            spend_today: None,
            keeper_asked: None,
        }
    }

    /// The keeper the user asked for has been written: what to say, naming the board (once).
    pub fn keeper_written(&mut self, job: &JobView) -> Option<String> {
        if self.keeper_asked != Some((job.id, job.keeper)) {
            return None;
        }
        self.keeper_asked = None;
        let board = if job.board_title.trim().is_empty() {
            crate::labels::file_name(&job.board_path)
        } else {
            job.board_title.clone()
        };
        let take = job.take;
        Some(if job.keeper {
            format!("Take {take} is the keeper of {board}")
        } else {
            format!("Take {take} is no longer the keeper of {board}")
        })
    }
}
