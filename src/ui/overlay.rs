//! Shared geometry for overlays (help, palette, confirmations), drawn last over the panes.

use ratatui::layout::Rect;

/// A centred rect of at most `w`×`h` cells inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
