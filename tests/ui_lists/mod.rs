//! Issue 13's lists: the message log, clicks on rows, and `/` filters over shots, findings
//! and jobs. A module of `ui_keys` (one test binary fewer to link).

mod cuts;
mod filters;
mod messages;
mod mouse;
mod references;
mod vim_keys;

use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::ui_support::Harness;

pub fn snap_at(name: &str, h: &Harness, w: u16, ht: u16) {
    let t = h.render(w, ht);
    insta::assert_snapshot!(name, t.backend());
}

pub fn mouse(h: &mut Harness, kind: MouseEventKind, column: u16, row: u16) {
    h.app.handle_event(Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }));
}

pub fn click(h: &mut Harness, column: u16, row: u16) {
    mouse(h, MouseEventKind::Down(MouseButton::Left), column, row);
}

/// The cell (column, row) where `text` first appears on screen.
pub fn row_of(t: &Terminal<TestBackend>, text: &str) -> Option<(u16, u16)> {
    let buf = t.backend().buffer();
    (0..buf.area.height).find_map(|y| {
        let cells: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let line: String = cells.concat();
        let byte = line.find(text)?;
        // Columns, not bytes: count the cells before the match.
        let mut used = 0;
        let x = cells.iter().position(|c| {
            used += c.len();
            used > byte
        })?;
        Some((x as u16, y))
    })
}
