//! The element picker: the account's element library as the engine listed it (the editor
//! never talks HTTP), one row an element, filtered as you type by id or name with the
//! palette's ranking. Enter appends the chosen one to the board's `elements`, as one
//! undoable edit; the prompt then names it `<<<element_N>>>`. Esc clears the filter
//! first, then closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::labels::fit;
use crate::overlays::layer::{Layer, Outcome, Reply, Seen};
use crate::overlays::{centered, framed, query_row, ranked};
use crate::theme::Styles;
use crate::widgets::scroll_window;
use shotdeck_core::elements::LibraryItem;

#[derive(Debug, Clone)]
pub(crate) struct ElementPicker {
    items: Vec<LibraryItem>,
    pub query: String,
    /// Indexes into `items`, best match first (library order without a query).
    matches: Vec<usize>,
    pub selected: usize,
}

impl ElementPicker {
    pub(crate) fn new(items: Vec<LibraryItem>) -> ElementPicker {
        let mut p = ElementPicker {
            items,
            query: String::new(),
            matches: Vec::new(),
            selected: 0,
        };
        p.refilter();
        p
    }

    /// Ranks each element's "id name" against the query.
    fn refilter(&mut self) {
        let texts = self.items.iter().map(|i| format!("{} {}", i.id, i.name));
        self.matches = ranked(texts, &self.query);
        self.selected = 0;
    }

    /// An action from the `[element_picker]` keymap: the chosen element, once chosen.
    fn handle(&mut self, action: Action) -> Outcome {
        let last = self.matches.len().saturating_sub(1);
        match action {
            // A typed filter goes first, so Esc never throws away a search by surprise.
            Action::Close | Action::Cancel if !self.query.is_empty() => {
                self.query.clear();
                self.refilter();
            }
            Action::Close | Action::Cancel => return Outcome::Close,
            Action::Confirm => {
                if let Some(&i) = self.matches.get(self.selected) {
                    return Outcome::CloseWith(Reply::AddElement(self.items[i].to_ref()));
                }
            }
            Action::SelectNext => self.selected = (self.selected + 1).min(last),
            Action::SelectPrev => self.selected = self.selected.saturating_sub(1),
            _ => {}
        }
        Outcome::Consumed
    }

    /// A key the keymap leaves to the query: characters type, Backspace erases.
    fn type_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Backspace => {
                self.query.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.query.push(c);
            }
            _ => return,
        }
        self.refilter();
    }

    fn render(&self, f: &mut Frame, area: Rect, keymap: &Keymap, s: &Styles) {
        let h = (self.matches.len() as u16 + 3).clamp(6, area.height.saturating_sub(4).max(6));
        let r = centered(area, 64.max(area.width / 2), h);
        let key = |a| keymap.key_for(Context::ElementPicker, a);
        // What the close key does now: a typed filter goes first.
        let close = if self.query.is_empty() {
            "cancel"
        } else {
            "clear"
        };
        let footer = format!(
            " {} add · {} {close} ",
            key(Action::Confirm),
            key(Action::Close)
        );
        let title = if self.query.is_empty() {
            format!(" Element library ({}) ", self.items.len())
        } else {
            format!(
                " Element library ({} of {}) ",
                self.matches.len(),
                self.items.len()
            )
        };
        let inner = framed(f, r, &title, &footer, s.border_focused, s);
        if inner.height == 0 {
            return;
        }
        let list = query_row(f, inner, "> ", &self.query, s);
        let width = list.width as usize;
        let id_width = self.items.iter().map(|i| i.id.len()).max().unwrap_or(0);
        let name_width = self
            .items
            .iter()
            .map(|i| i.name.chars().count().max(1))
            .max()
            .unwrap_or(0);
        let lines: Vec<Line> = scroll_window(self.matches.len(), self.selected, list.height.into())
            .map(|k| {
                let item = &self.items[self.matches[k]];
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
            let why = if self.items.is_empty() {
                " the library has no elements: `shotdeck elements create` makes one"
            } else {
                " no element matches (esc clears the filter)"
            };
            f.render_widget(Line::styled(why, s.muted), list);
        } else {
            f.render_widget(Paragraph::new(lines), list);
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
    fn key(&mut self, key: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        match action {
            Some(a) => self.handle(a),
            None => {
                self.type_key(key);
                Outcome::Consumed
            }
        }
    }
    fn paste(&mut self, text: &str) -> Outcome {
        self.query.push_str(&text.replace(['\n', '\r'], ""));
        self.refilter();
        Outcome::Consumed
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        ElementPicker::render(self, f, area, seen.keymap, seen.styles);
    }
}
