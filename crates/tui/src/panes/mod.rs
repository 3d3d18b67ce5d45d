//! What every pane shares: its identity, what `handle` returns, and what `render` reads.

pub mod filter;
pub mod hits;
pub mod image_preview;
pub mod job_queue;
mod job_takes;
pub mod prompt_editor;
mod prompt_text;
pub mod request_preview;
pub mod settings;
mod settings_complete;
pub mod settings_fields;
pub mod shot_list;
pub mod timeline;

use std::path::PathBuf;
use std::time::Instant;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::state::doc::Doc;
use crate::state::edit::Refusal;
use crate::state::jobs::JobBook;
use crate::theme::Styles;
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

/// What a pane's `handle` may change: the pane context.
pub struct PaneCtx<'a> {
    pub doc: &'a mut Doc,
    pub jobs: &'a JobBook,
    /// For key names in messages ("retry it (r)").
    pub keys: &'a Keymap,
    pub now: Instant,
    /// Rows the pane shows, for paging.
    pub page: usize,
}

/// What `render` reads. Rendering never mutates and never does I/O.
pub struct View<'a> {
    pub doc: &'a Doc,
    pub jobs: &'a JobBook,
    pub styles: &'a Styles,
    pub keymap: &'a Keymap,
    /// Unix milliseconds, set by the loop (fixed in tests) for elapsed times and spinners.
    pub now_ms: i64,
    pub focused: bool,
    /// The focused pane fills the screen (`z`).
    pub zoomed: bool,
    /// The settings pane's image preview.
    pub previews: &'a crate::state::previews::Previews,
}

impl View<'_> {
    /// A pane's frame: the title carries the focus digit, focus shows in the border.
    pub fn block<'t>(&self, id: PaneId, extra: impl Into<Line<'t>>) -> Block<'t> {
        let s = self.styles;
        let (border, title) = if self.focused {
            (s.border_focused, s.title_focused)
        } else {
            (s.border, s.title)
        };
        let mut line = Line::from(vec![Span::styled(format!(" {} ", id.label()), title)]);
        line.spans.extend(extra.into().spans);
        Block::default()
            .borders(Borders::ALL)
            .border_type(if self.focused {
                BorderType::Thick
            } else {
                BorderType::Plain
            })
            .border_style(border)
            .title(line)
            .style(s.base)
    }

    pub fn sel_style(&self, selected: bool) -> Style {
        if selected && self.focused {
            self.styles.selection
        } else if selected {
            self.styles.accent
        } else {
            Style::new()
        }
    }
}

/// Where a list's selection goes for a movement action (next, previous, first, last, a
/// page either way); `None` when `action` is not one. Every list pane moves the same way.
pub fn moved_selection(action: Action, selected: usize, len: usize, page: usize) -> Option<usize> {
    let last = len.saturating_sub(1);
    let selected = selected.min(last);
    Some(match action {
        Action::SelectNext => (selected + 1).min(last),
        Action::SelectPrev => selected.saturating_sub(1),
        Action::SelectFirst => 0,
        Action::SelectLast => last,
        Action::PageDown => (selected + page).min(last),
        Action::PageUp => selected.saturating_sub(page),
        _ => return None,
    })
}

/// The first `rows` lines from `offset`, where `offset` keeps `selected` visible.
pub fn scroll_window(len: usize, selected: usize, rows: usize) -> std::ops::Range<usize> {
    if rows == 0 {
        return 0..0;
    }
    let start = selected
        .saturating_sub(rows - 1)
        .min(len.saturating_sub(rows));
    start..(start + rows).min(len)
}

/// Shrinks a rect by one cell on the left and right, for text inside a bordered pane.
pub fn pad_x(r: Rect) -> Rect {
    Rect {
        x: r.x + 1,
        width: r.width.saturating_sub(2),
        ..r
    }
}

/// Counts the rows a list pane scrolled out of view on its bottom border, on the right and
/// clear of the corners (`↑ 2 lines above · ↓ 3 more lines`, `↑2 ↓3` when narrow): a list
/// longer than its pane never hides rows silently.
pub fn mark_hidden(f: &mut ratatui::Frame, area: Rect, above: usize, below: usize, style: Style) {
    let border = Rect::new(
        area.x + 1,
        area.bottom().saturating_sub(1),
        area.width.saturating_sub(2),
        1,
    );
    let room = border.width as usize;
    if let Some(m) = crate::labels::more_marker_in(above, below, room, " ") {
        f.render_widget(Line::from(Span::styled(m, style)).right_aligned(), border);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_move_within_the_list() {
        let m = |a, sel, len| moved_selection(a, sel, len, 5);
        assert_eq!(m(Action::SelectNext, 2, 4), Some(3));
        assert_eq!(m(Action::SelectNext, 3, 4), Some(3));
        // A selection left past the end by a shrinking list moves from the last row.
        assert_eq!(m(Action::SelectPrev, 9, 4), Some(2));
        assert_eq!(m(Action::SelectPrev, 0, 4), Some(0));
        assert_eq!(m(Action::SelectFirst, 3, 4), Some(0));
        assert_eq!(m(Action::SelectLast, 0, 4), Some(3));
        assert_eq!(m(Action::PageDown, 1, 20), Some(6));
        assert_eq!(m(Action::PageDown, 18, 20), Some(19));
        assert_eq!(m(Action::PageUp, 3, 20), Some(0));
        assert_eq!(m(Action::SelectNext, 0, 0), Some(0));
        assert_eq!(m(Action::Undo, 1, 4), None);
    }
}
