//! `/` over the shot list, the findings and the job queue: the pane's filter takes the keys
//! while typed (the `[filter]` context, as in the key help), and a changed text moves the
//! selection onto a shown row; the queue asks the store for the matching jobs.

use crossterm::event::KeyEvent;

use crate::app::App;
use crate::keymap::Context;
use crate::keymap::keys::KeyChord;
use crate::model::msg::PaneId;
use crate::widgets::filter::FilterChange;

impl App {
    /// The job the queue's selection is on, as the list shows it now.
    pub fn selected_job(&self) -> Option<shotdeck_core::jobs::JobId> {
        self.panes
            .queue
            .selected_id(&self.model.jobs, self.model.doc.identity())
    }
    /// The selected row of the settings and of the findings (among those shown).
    pub fn selected_rows(&self) -> (usize, usize) {
        (self.panes.settings.selected, self.panes.timeline.selected)
    }

    /// True while the focused pane's filter is being typed.
    pub(crate) fn typing_filter(&self) -> bool {
        self.panes.filter(self.focus).is_some_and(|f| f.typing)
    }

    /// `/` in a pane: starts typing its filter.
    pub(crate) fn start_filter(&mut self) {
        if self.focus == PaneId::Shots && !self.model.doc.board().uses_shot_list() {
            return self.toast_error("this board has one prompt, not a list of shots to filter");
        }
        let focus = self.focus;
        if let Some(f) = self.panes.filter_mut(focus) {
            f.handle(crate::keymap::action::Action::Filter);
        }
    }

    /// A key while the focused pane's filter is typed: Enter keeps it, Esc clears it,
    /// anything else the `[filter]` table leaves unbound edits the text.
    pub(crate) fn filter_key(&mut self, key: KeyEvent) {
        let action = KeyChord::from_event(&key)
            .and_then(|chord| self.env.keymap.resolve(Context::Filter, &chord))
            .map(|(_, action)| action);
        let focus = self.focus;
        let Some(f) = self.panes.filter_mut(focus) else {
            return;
        };
        let change = match action {
            Some(a) => f.handle(a),
            None => f.type_key(key),
        };
        if change == FilterChange::Text {
            self.refilter(focus);
        }
    }

    /// The rows changed with the filter's text: the selection goes to a shown row, and the
    /// queue asks the store for the matching jobs (or the whole list again).
    pub(crate) fn refilter(&mut self, pane: PaneId) {
        match pane {
            PaneId::Shots => {
                self.with_cx(pane, |p, cx| p.shot_list.snap(cx));
                self.panes.prompt.sync(&self.model.doc);
            }
            PaneId::Timeline => self.panes.timeline.selected = 0,
            PaneId::Queue => {
                self.panes.queue.selected = 0;
                let board =
                    (!self.panes.queue.show_all).then(|| self.model.doc.identity().to_path_buf());
                if let Some(cmd) = self
                    .model
                    .jobs
                    .set_filter(board, self.panes.queue.filter.query())
                {
                    self.send(cmd);
                }
            }
            PaneId::Prompt | PaneId::Settings | PaneId::Preview => {}
        }
    }

    /// Clears the pane's filter (typed or kept): every row shows again.
    pub(crate) fn clear_filter(&mut self, pane: PaneId) {
        let cleared = self
            .panes
            .filter_mut(pane)
            .map(|f| f.handle(crate::keymap::action::Action::Cancel));
        if cleared == Some(FilterChange::Text) {
            self.refilter(pane);
        }
    }

    /// Focus moving away ends typing; the filter stays, as Enter would keep it.
    pub(crate) fn stop_typing_filter(&mut self, pane: PaneId) {
        if let Some(f) = self.panes.filter_mut(pane) {
            f.typing = false;
        }
    }
}
