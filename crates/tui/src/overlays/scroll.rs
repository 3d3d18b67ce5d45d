//! Scrolling for overlays of read-only text (key help, a job's record): how many lines there
//! are and how many fit is only known when drawn, so drawing remembers both and keys clamp to
//! them (`G` lands on the last page, and `k` moves up from there at once).

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::keymap::action::Action;

/// The last row of a window with lines hidden below it.
const MORE_BELOW: &str = "↓ more (scroll down)";

#[derive(Debug, Clone, Default)]
pub(crate) struct Scroll {
    top: usize,
    /// The largest useful `top` and the rows shown, as of the last draw.
    max: Cell<usize>,
    page: Cell<usize>,
}

impl Scroll {
    /// Moves for a scrolling action; false for any other action.
    pub(crate) fn handle(&mut self, action: Action) -> bool {
        // Before the first draw the page is unknown; ten lines is what help always moved.
        let page = match self.page.get() {
            0 => 10,
            rows => rows,
        };
        self.top = match action {
            Action::SelectNext => self.top + 1,
            Action::SelectPrev => self.top.saturating_sub(1),
            Action::PageDown => self.top + page,
            Action::PageUp => self.top.saturating_sub(page),
            Action::SelectFirst => 0,
            Action::SelectLast => usize::MAX,
            _ => return false,
        };
        // Never drawn yet: keep the intent, the first draw clamps it.
        if self.page.get() > 0 {
            self.top = self.top.min(self.max.get());
        }
        true
    }

    /// The first line to show of `total` in `rows`, remembering both for the keys.
    pub(crate) fn window(&self, total: usize, rows: usize) -> usize {
        let max = total.saturating_sub(rows);
        self.max.set(max);
        self.page.set(rows);
        self.top.min(max)
    }

    /// Draws the lines of `lines` that fit `area`, from the scrolled-to line.
    pub(crate) fn render(&self, f: &mut Frame, area: Rect, lines: Vec<Line>) {
        f.render_widget(Paragraph::new(self.shown(lines, area)), area);
    }

    /// Like [`Scroll::render`], but with lines hidden below, the last row says so in
    /// `style` rather than cutting a record silently.
    pub(crate) fn render_marking_more(
        &self,
        f: &mut Frame,
        area: Rect,
        lines: Vec<Line>,
        style: Style,
    ) {
        let mut shown = self.shown(lines, area);
        if self.more_below()
            && let Some(last) = shown.last_mut()
        {
            *last = Line::styled(MORE_BELOW, style);
        }
        f.render_widget(Paragraph::new(shown), area);
    }

    fn shown<'a>(&self, lines: Vec<Line<'a>>, area: Rect) -> Vec<Line<'a>> {
        let rows = area.height as usize;
        let start = self.window(lines.len(), rows);
        lines.into_iter().skip(start).take(rows).collect()
    }

    #[cfg(test)]
    pub(crate) fn top(&self) -> usize {
        self.top
    }

    /// Whether lines are hidden below the window (as of the last draw).
    pub(crate) fn more_below(&self) -> bool {
        self.top.min(self.max.get()) < self.max.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_clamp_to_what_was_drawn() {
        let mut s = Scroll::default();
        assert_eq!(s.window(30, 10), 0);
        assert!(s.more_below());
        s.handle(Action::SelectLast);
        assert_eq!(s.window(30, 10), 20);
        assert!(!s.more_below());
        s.handle(Action::SelectPrev);
        assert_eq!(s.top(), 19);
        s.handle(Action::PageUp);
        assert_eq!(s.top(), 9);
        s.handle(Action::PageDown);
        s.handle(Action::PageDown);
        assert_eq!(s.top(), 20);
        assert!(!s.handle(Action::Close));
    }
}
