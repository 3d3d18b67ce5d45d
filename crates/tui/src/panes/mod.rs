//! The six panes. Each owns its view state and drawing: `render` reads the model it is handed
//! (`View`), `handle` may edit the board through `PaneCtx` and answers with a `Flow`; a pane
//! never sees the app, the other panes or the overlays.

pub mod image_preview;
pub mod job_queue;
mod job_takes;
pub mod previews;
pub mod prompt_editor;
mod prompt_text;
pub mod request_preview;
pub mod settings;
mod settings_complete;
pub mod shot_list;
pub mod timeline;

use std::time::Instant;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

use crate::keymap::Keymap;
use crate::model::doc::Doc;
use crate::model::jobs::JobBook;
use crate::model::msg::PaneId;
use crate::panes::job_queue::JobQueue;
use crate::panes::previews::Previews;
use crate::panes::prompt_editor::PromptEditor;
use crate::panes::request_preview::RequestPreview;
use crate::panes::settings::Settings;
use crate::panes::shot_list::ShotList;
use crate::panes::timeline::Timeline;
use crate::theme::Styles;
use crate::widgets::filter::FilterInput;

/// The six panes' view states (and the settings pane's image preview), owned apart from
/// the model so a pane can edit the board while handling.
pub struct Panes {
    pub shot_list: ShotList,
    pub prompt: PromptEditor,
    pub settings: Settings,
    pub timeline: Timeline,
    pub preview: RequestPreview,
    pub queue: JobQueue,
    pub previews: Previews,
}

impl Panes {
    /// The pane's `/` filter, where it has one.
    pub fn filter(&self, pane: PaneId) -> Option<&FilterInput> {
        match pane {
            PaneId::Shots => Some(&self.shot_list.filter),
            PaneId::Timeline => Some(&self.timeline.filter),
            PaneId::Queue => Some(&self.queue.filter),
            PaneId::Prompt | PaneId::Settings | PaneId::Preview => None,
        }
    }

    pub fn filter_mut(&mut self, pane: PaneId) -> Option<&mut FilterInput> {
        match pane {
            PaneId::Shots => Some(&mut self.shot_list.filter),
            PaneId::Timeline => Some(&mut self.timeline.filter),
            PaneId::Queue => Some(&mut self.queue.filter),
            PaneId::Prompt | PaneId::Settings | PaneId::Preview => None,
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
    pub previews: &'a crate::panes::previews::Previews,
    /// The board's sequence, when it is in one.
    pub sequence: Option<&'a shotdeck_core::sequence::SequenceStatus>,
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
