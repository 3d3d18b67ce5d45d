//! What panes and overlays hand the app: pane identities, status-bar messages and the
//! requests a pane makes of the app (`Msg`, wrapped in `Flow`). Plain data, no drawing.

use std::path::PathBuf;

use crate::keymap::Context;
use crate::model::edit::Refusal;
use shotdeck_core::FieldPath;
use shotdeck_core::jobs::{JobCmd, JobId};

/// The six panes, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneId {
    Shots,
    Prompt,
    Settings,
    Timeline,
    Preview,
    Queue,
}

impl PaneId {
    pub const ALL: [PaneId; 6] = [
        PaneId::Shots,
        PaneId::Prompt,
        PaneId::Settings,
        PaneId::Timeline,
        PaneId::Preview,
        PaneId::Queue,
    ];

    pub fn next(self) -> PaneId {
        let i = PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0);
        PaneId::ALL[(i + 1) % PaneId::ALL.len()]
    }

    pub fn prev(self) -> PaneId {
        let i = PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0);
        PaneId::ALL[(i + PaneId::ALL.len() - 1) % PaneId::ALL.len()]
    }

    pub fn context(self) -> Context {
        match self {
            PaneId::Shots => Context::ShotList,
            PaneId::Prompt => Context::Prompt,
            PaneId::Settings => Context::Settings,
            PaneId::Timeline => Context::Timeline,
            PaneId::Preview => Context::Preview,
            PaneId::Queue => Context::Queue,
        }
    }

    pub fn of_context(c: Context) -> Option<PaneId> {
        PaneId::ALL.into_iter().find(|p| p.context() == c)
    }

    /// The digit that focuses it (see keymap.toml) and its name.
    pub fn label(self) -> &'static str {
        match self {
            PaneId::Shots => "1 Shots",
            PaneId::Prompt => "2 Prompt",
            PaneId::Settings => "3 Settings",
            PaneId::Timeline => "4 Timeline",
            PaneId::Preview => "5 Request",
            PaneId::Queue => "6 Jobs",
        }
    }
}

/// A one-line message for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
}

impl Toast {
    pub fn info(text: impl Into<String>) -> Toast {
        Toast {
            text: text.into(),
            error: false,
        }
    }
    pub fn error(text: impl Into<String>) -> Toast {
        Toast {
            text: text.into(),
            error: true,
        }
    }
}

/// What a pane asks of the app: panes never reach into each other.
#[derive(Debug)]
pub enum Msg {
    Focus(PaneId),
    /// Focus the prompt editor on the prompt (false) or the negative prompt (true).
    EditPrompt {
        negative: bool,
    },
    Toast(Toast),
    /// Boxed: a submit carries a whole board and request.
    Job(Box<JobCmd>),
    /// Ask how to retry this job (poll again, or send a new one); nothing is sent yet.
    AskRetry(JobId),
    /// Fetch the videos of a job done on another machine (`asker`) onto this one.
    FetchHere {
        id: JobId,
        asker: String,
    },
    Open(PathBuf),
    Copy(String),
    /// Compare two takes side by side (the engine gathers them).
    Compare(JobId, JobId),
    /// Show what a finding path (`shots[1].prompt`, `first_frame`) refers to.
    Jump(FieldPath),
    /// Insert `<<<image_N>>>` (N from 1) at the prompt cursor of the selected shot.
    InsertImageToken(usize),
}

impl Msg {
    pub fn job(cmd: JobCmd) -> Msg {
        Msg::Job(Box::new(cmd))
    }
}

/// The result of handling an action.
#[derive(Debug)]
pub enum Flow {
    /// Done; redraw.
    Handled,
    /// Not this pane's business: nothing changed.
    Ignored,
    Msg(Msg),
}

impl Flow {
    pub fn toast_err(text: impl Into<String>) -> Flow {
        Flow::Msg(Msg::Toast(Toast::error(text)))
    }
}

impl From<Result<(), Refusal>> for Flow {
    fn from(r: Result<(), Refusal>) -> Flow {
        match r {
            Ok(()) => Flow::Handled,
            Err(refusal) => Flow::toast_err(refusal.to_string()),
        }
    }
}
