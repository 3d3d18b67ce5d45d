//! The message log overlay: every message the status bar showed, oldest at the top and the
//! newest at the bottom (where it opens), the way a terminal and vim's `:messages` read, so
//! the latest sits next to where the status bar showed it.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::labels::wrap;
use crate::model::messages::{LOG_CAPACITY, MessageLog};
use crate::overlays::layer::{Layer, Outcome, Seen};
use crate::overlays::scroll::Scroll;
use crate::overlays::{centered, framed};
use crate::theme::Styles;

/// `HH:MM:SS ✗ ` before each message's text.
const TIME_W: usize = 11;

#[derive(Debug, Clone)]
pub(crate) struct MessagesView {
    pub scroll: Scroll,
}

pub(crate) enum MessagesFlow {
    Close,
    Stay,
}

impl MessagesView {
    /// Opens on the newest messages.
    pub(crate) fn new() -> MessagesView {
        let mut scroll = Scroll::default();
        scroll.handle(Action::SelectLast);
        MessagesView { scroll }
    }

    /// An action from the `[messages]` keymap.
    pub(crate) fn handle(&mut self, action: Action) -> MessagesFlow {
        match action {
            Action::Close => MessagesFlow::Close,
            other => {
                self.scroll.handle(other);
                MessagesFlow::Stay
            }
        }
    }

    pub(crate) fn render(
        &self,
        f: &mut Frame,
        area: Rect,
        log: &MessageLog,
        keymap: &Keymap,
        s: &Styles,
    ) {
        let box_area = centered(area, area.width.saturating_sub(4), area.height - 2);
        let title = format!(" Messages · {} (last {LOG_CAPACITY} kept) ", log.len());
        let inner = framed(f, box_area, &title, &footer(keymap), s.border_focused, s);
        let inner = crate::widgets::pad_x(inner);
        let width = inner.width as usize;
        let mut lines = Vec::new();
        for m in log.iter() {
            let (mark, style) = if m.error {
                ("✗", s.error)
            } else {
                ("·", s.text)
            };
            let text = match m.repeats {
                1 => m.text.clone(),
                n => format!("{} (×{n})", m.text),
            };
            // Whole, wrapped under the text: the log is where a long message is read.
            let chunks = wrap(&text, width.saturating_sub(TIME_W).max(8), usize::MAX);
            for (i, chunk) in chunks.into_iter().enumerate() {
                let head = if i == 0 {
                    Span::styled(format!("{} {mark} ", m.at), s.muted)
                } else {
                    Span::raw(" ".repeat(TIME_W))
                };
                lines.push(Line::from(vec![head, Span::styled(chunk, style)]));
            }
        }
        if lines.is_empty() {
            lines.push(Line::styled("no messages yet", s.muted));
        }
        self.scroll.render(f, inner, lines);
    }
}

fn footer(keymap: &Keymap) -> String {
    let key = |a| keymap.key_for(Context::Messages, a);
    format!(
        " {}/{} scroll · {} top · {} newest · {} close ",
        key(Action::SelectNext),
        key(Action::SelectPrev),
        key(Action::SelectFirst),
        key(Action::SelectLast),
        key(Action::Close)
    )
}

impl Layer for MessagesView {
    fn name(&self) -> &'static str {
        "messages"
    }
    fn context(&self) -> Context {
        Context::Messages
    }
    fn key(&mut self, _: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        match action.map(|a| self.handle(a)) {
            Some(MessagesFlow::Close) => Outcome::Close,
            _ => Outcome::Consumed,
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        MessagesView::render(self, f, area, seen.messages, seen.keymap, seen.styles);
    }
}
