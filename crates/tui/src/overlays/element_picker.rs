//! The element picker: the account's element library as the engine listed it (the editor
//! never talks HTTP), one row an element. Enter appends the chosen one to the board's
//! `elements`, as one undoable edit; the prompt then names it `<<<element_N>>>`.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::labels::fit;
use crate::overlays::layer::{Layer, Outcome, Reply, Seen};
use crate::overlays::{centered, framed};
use crate::theme::Styles;
use crate::widgets::scroll_window;
use shotdeck_core::elements::LibraryItem;

#[derive(Debug, Clone)]
pub(crate) struct ElementPicker {
    items: Vec<LibraryItem>,
    pub selected: usize,
}

impl ElementPicker {
    pub(crate) fn new(items: Vec<LibraryItem>) -> ElementPicker {
        ElementPicker { items, selected: 0 }
    }

    /// An action from the `[element_picker]` keymap: the chosen element, once chosen.
    fn handle(&mut self, action: Action) -> Outcome {
        let last = self.items.len().saturating_sub(1);
        match action {
            Action::Close | Action::Cancel => return Outcome::Close,
            Action::Confirm => {
                if let Some(item) = self.items.get(self.selected) {
                    return Outcome::CloseWith(Reply::AddElement(item.to_ref()));
                }
            }
            Action::SelectNext => self.selected = (self.selected + 1).min(last),
            Action::SelectPrev => self.selected = self.selected.saturating_sub(1),
            _ => {}
        }
        Outcome::Consumed
    }

    fn render(&self, f: &mut Frame, area: Rect, keymap: &Keymap, s: &Styles) {
        let h = (self.items.len() as u16 + 2).clamp(5, area.height.saturating_sub(4).max(5));
        let r = centered(area, 64.max(area.width / 2), h);
        let key = |a| keymap.key_for(Context::ElementPicker, a);
        let footer = format!(
            " {} add · {} cancel ",
            key(Action::Confirm),
            key(Action::Close)
        );
        let title = format!(" Element library ({}) ", self.items.len());
        let inner = framed(f, r, &title, &footer, s.border_focused, s);
        if inner.height == 0 {
            return;
        }
        let width = inner.width as usize;
        let id_width = self.items.iter().map(|i| i.id.len()).max().unwrap_or(0);
        let name_width = self
            .items
            .iter()
            .map(|i| i.name.chars().count().max(1))
            .max()
            .unwrap_or(0);
        let lines: Vec<Line> = scroll_window(self.items.len(), self.selected, inner.height.into())
            .map(|k| {
                let item = &self.items[k];
                let style = if k == self.selected {
                    s.selection
                } else {
                    s.text
                };
                let row = format!(
                    " {:id_width$}  {:name_width$}  · {}",
                    item.id,
                    if item.name.is_empty() {
                        "—"
                    } else {
                        &item.name
                    },
                    item.status
                );
                Line::styled(fit(&row, width), style)
            })
            .collect();
        if lines.is_empty() {
            let why = " the library has no elements: `shotdeck elements create` makes one";
            f.render_widget(Line::styled(why, s.muted), inner);
        } else {
            f.render_widget(Paragraph::new(lines), inner);
        }
    }
}

impl Layer for ElementPicker {
    fn name(&self) -> &'static str {
        "element_picker"
    }
    fn context(&self) -> Context {
        Context::ElementPicker
    }
    fn key(&mut self, _: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        action.map_or(Outcome::Consumed, |a| self.handle(a))
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        ElementPicker::render(self, f, area, seen.keymap, seen.styles);
    }
}
