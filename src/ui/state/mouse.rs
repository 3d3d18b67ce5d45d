//! The mouse: a click focuses the pane under it, the wheel moves that pane's selection.

use crossterm::event::{MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use crate::ui::keymap::action::Action;
use crate::ui::panes::PaneId;
use crate::ui::state::app::App;

impl App {
    pub(in crate::ui) fn on_mouse(&mut self, m: MouseEvent) {
        if self.overlay.is_some() {
            return;
        }
        let Some(areas) = self.areas() else {
            return;
        };
        let at = Position::new(m.column, m.row);
        let Some(pane) = PaneId::ALL
            .into_iter()
            .find(|p| areas.pane(*p).contains(at))
        else {
            return;
        };
        let action = match m.kind {
            MouseEventKind::Down(_) => None,
            MouseEventKind::ScrollDown => Some(Action::SelectNext),
            MouseEventKind::ScrollUp => Some(Action::SelectPrev),
            _ => return,
        };
        self.dirty = true;
        if pane != self.focus {
            self.set_focus(pane);
        }
        if let Some(a) = action {
            self.dispatch(a);
        }
    }
}
