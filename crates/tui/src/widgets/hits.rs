//! Where a list pane last drew its rows, so a click maps back to the item under it. Only
//! drawing knows the layout (borders, a ruler above the findings, lines per shot) and the
//! scroll offset, so `render` records them here and the mouse reads them.

use std::cell::Cell;
use std::ops::Range;

use ratatui::layout::{Position, Rect};

#[derive(Debug, Default, Clone)]
pub struct RowHits {
    drawn: Cell<Option<DrawnRows>>,
}

#[derive(Debug, Clone, Copy)]
struct DrawnRows {
    /// The cells the rows fill, from the first row down.
    area: Rect,
    /// The list index of the first row shown (the scroll offset).
    first: usize,
    /// How many items are shown.
    shown: usize,
    /// Screen lines each item takes.
    lines_per_item: u16,
}

impl RowHits {
    /// Records the items `first..first + shown` drawn from the top of `area`, each
    /// `lines_per_item` lines tall.
    pub fn record(&self, area: Rect, first: usize, shown: usize, lines_per_item: usize) {
        let lines_per_item = u16::try_from(lines_per_item.max(1)).unwrap_or(u16::MAX);
        self.drawn.set(Some(DrawnRows {
            area,
            first,
            shown,
            lines_per_item,
        }));
    }

    /// The items to draw in `rows` rows: the last drawn offset while `selected` stays
    /// inside it, else the least scroll that shows it, so a click or a move within the
    /// window never shifts the rows under the pointer.
    pub fn window(&self, len: usize, selected: usize, rows: usize) -> Range<usize> {
        if rows == 0 {
            return 0..0;
        }
        let last_first = self.drawn.get().map_or(0, |d| d.first);
        let first = last_first
            .min(selected)
            .max((selected + 1).saturating_sub(rows))
            .min(len.saturating_sub(rows));
        first..(first + rows).min(len)
    }

    /// Nothing list-like was drawn (an empty list, a board without a shot list).
    pub fn clear(&self) {
        self.drawn.set(None);
    }

    /// The list index of the item drawn at `at`, if any.
    pub fn item_at(&self, at: Position) -> Option<usize> {
        let d = self.drawn.get()?;
        if !d.area.contains(at) {
            return None;
        }
        let row = usize::from((at.y - d.area.y) / d.lines_per_item);
        (row < d.shown).then_some(d.first + row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_maps_through_the_scroll_offset_and_item_height() {
        let hits = RowHits::default();
        assert_eq!(hits.item_at(Position::new(3, 3)), None, "never drawn");
        hits.record(Rect::new(2, 3, 10, 6), 7, 2, 2);
        assert_eq!(hits.item_at(Position::new(3, 3)), Some(7));
        assert_eq!(
            hits.item_at(Position::new(3, 4)),
            Some(7),
            "its second line"
        );
        assert_eq!(hits.item_at(Position::new(11, 6)), Some(8));
        assert_eq!(
            hits.item_at(Position::new(3, 7)),
            None,
            "below the last item"
        );
        assert_eq!(hits.item_at(Position::new(1, 3)), None, "the border");
        hits.clear();
        assert_eq!(hits.item_at(Position::new(3, 3)), None);
    }

    #[test]
    fn the_window_scrolls_only_when_the_selection_leaves_it() {
        let hits = RowHits::default();
        assert_eq!(hits.window(30, 0, 5), 0..5);
        assert_eq!(
            hits.window(30, 29, 5),
            25..30,
            "first draw: the least scroll"
        );
        hits.record(Rect::new(0, 0, 10, 5), 25, 5, 1);
        assert_eq!(hits.window(30, 27, 5), 25..30, "still inside: no shift");
        assert_eq!(hits.window(30, 24, 5), 24..29, "one above: one row");
        assert_eq!(hits.window(10, 9, 5), 5..10, "a shorter list clamps");
        assert_eq!(hits.window(30, 3, 0), 0..0);
    }
}
