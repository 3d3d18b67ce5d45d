//! The mouse: a click focuses the pane under it and selects the row it lands on; the wheel
//! moves the selection of the pane under the pointer. Rows map back to items through what
//! each pane recorded when it last drew (see `panes::hits`).

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use crate::app::App;
use crate::keymap::action::Action;
use crate::model::msg::{Flow, PaneId};

impl App {
    pub(crate) fn on_mouse(&mut self, m: MouseEvent) {
        // Over a layer only it answers the mouse (the palette's list does; text layers
        // scroll by keys, and a question waits for its answer's key).
        if !self.layers.is_empty() {
            return self.layer_mouse(m);
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
            MouseEventKind::Down(MouseButton::Left) => None,
            MouseEventKind::Down(_) => return,
            MouseEventKind::ScrollDown => Some(Action::SelectNext),
            MouseEventKind::ScrollUp => Some(Action::SelectPrev),
            _ => return,
        };
        self.dirty = true;
        if pane != self.focus {
            self.set_focus(pane);
        }
        match action {
            Some(a) => self.dispatch(a),
            None => self.click_row(pane, at),
        }
    }

    /// Selects the item drawn under `at` in `pane`, if the click landed on one.
    fn click_row(&mut self, pane: PaneId, at: Position) {
        let flow = self.with_cx(pane, |p, cx| match pane {
            PaneId::Shots => p
                .shot_list
                .hits
                .item_at(at)
                .map(|i| p.shot_list.select_row(i, cx)),
            PaneId::Settings => p.settings.hits.item_at(at).map(|i| {
                p.settings.select_row(i);
                Flow::Handled
            }),
            PaneId::Timeline => p.timeline.hits.item_at(at).map(|i| {
                p.timeline.selected = i;
                Flow::Handled
            }),
            PaneId::Queue => p.queue.hits.item_at(at).map(|i| p.queue.select_row(i, cx)),
            PaneId::Prompt | PaneId::Preview => None,
        });
        if let Some(flow) = flow {
            self.apply_flow(flow);
        }
    }
}
