//! Drawing and list helpers panes and overlays share: list movement and scrolling, the
//! padding inside a border, the "more rows" marker, the `/` filter line and match highlights.
//! A leaf: it knows keys and labels, never the model or the app.

pub(crate) mod filter;
pub(crate) mod hits;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::keymap::action::Action;

/// Where a list's selection goes for a movement action (next, previous, first, last, a
/// page either way); `None` when `action` is not one. Every list pane moves the same way.
pub(crate) fn moved_selection(
    action: Action,
    selected: usize,
    len: usize,
    page: usize,
) -> Option<usize> {
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
pub(crate) fn scroll_window(len: usize, selected: usize, rows: usize) -> std::ops::Range<usize> {
    if rows == 0 {
        return 0..0;
    }
    let start = selected
        .saturating_sub(rows - 1)
        .min(len.saturating_sub(rows));
    start..(start + rows).min(len)
}

/// Shrinks a rect by one cell on the left and right, for text inside a bordered pane.
pub(crate) fn pad_x(r: Rect) -> Rect {
    Rect {
        x: r.x + 1,
        width: r.width.saturating_sub(2),
        ..r
    }
}

/// Counts the rows a list pane scrolled out of view on its bottom border, on the right and
/// clear of the corners (`↑ 2 lines above · ↓ 3 more lines`, `↑2 ↓3` when narrow): a list
/// longer than its pane never hides rows silently.
pub(crate) fn mark_hidden(
    f: &mut ratatui::Frame,
    area: Rect,
    above: usize,
    below: usize,
    style: Style,
) {
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
