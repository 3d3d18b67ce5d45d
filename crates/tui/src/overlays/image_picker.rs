//! The image picker: every image file under the board's folder (a bounded walk the files
//! layer does once, when the picker opens), filtered as you type with the palette's ranking
//! (contiguous matches at a word start first). Enter puts the chosen path, relative to the
//! board, in the settings row the picker was opened on, as one undoable edit.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::labels::fit;
use crate::model::settings_fields::SettingField;
use crate::overlays::layer::{Layer, Outcome, Reply, Seen};
use crate::overlays::{centered, framed, query_row, ranked};
use crate::theme::Styles;
use crate::widgets::scroll_window;
use shotdeck_files::image_files::WALK_DEPTH;

#[derive(Debug, Clone)]
pub(crate) struct ImagePicker {
    /// The settings row the chosen path goes into.
    pub target: SettingField,
    /// Paths relative to the board's folder, sorted.
    files: Vec<String>,
    pub query: String,
    /// Indexes into `files`, best match first.
    matches: Vec<usize>,
    pub selected: usize,
}

pub(crate) enum PickerFlow {
    Close,
    Stay,
    Pick(SettingField, String),
}

impl ImagePicker {
    pub(crate) fn new(target: SettingField, files: Vec<String>) -> ImagePicker {
        let mut p = ImagePicker {
            target,
            files,
            query: String::new(),
            matches: Vec::new(),
            selected: 0,
        };
        p.refilter();
        p
    }

    fn refilter(&mut self) {
        self.matches = ranked(self.files.iter().cloned(), &self.query);
        self.selected = 0;
    }

    /// An action from the `[image_picker]` keymap.
    pub(crate) fn handle(&mut self, action: Action) -> PickerFlow {
        let last = self.matches.len().saturating_sub(1);
        match action {
            Action::Close | Action::Cancel => return PickerFlow::Close,
            Action::Confirm => {
                return match self.matches.get(self.selected) {
                    Some(&i) => PickerFlow::Pick(self.target, self.files[i].clone()),
                    None => PickerFlow::Stay,
                };
            }
            Action::SelectNext => self.selected = (self.selected + 1).min(last),
            Action::SelectPrev => self.selected = self.selected.saturating_sub(1),
            _ => {}
        }
        PickerFlow::Stay
    }

    /// A key the keymap leaves to the query: characters type, Backspace erases.
    pub(crate) fn type_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Backspace => {
                self.query.pop();
                self.refilter();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.query.push(c);
                self.refilter();
            }
            _ => {}
        }
    }

    pub(crate) fn paste(&mut self, text: &str) {
        self.query.push_str(&text.replace(['\n', '\r'], ""));
        self.refilter();
    }

    pub(crate) fn render(&self, f: &mut Frame, area: Rect, keymap: &Keymap, s: &Styles) {
        let h = (self.matches.len() as u16 + 3).clamp(6, area.height.saturating_sub(4).max(6));
        let r = centered(area, 64.max(area.width / 2), h);
        let key = |a| keymap.key_for(Context::ImagePicker, a);
        let footer = format!(
            " {} set · {} cancel ",
            key(Action::Confirm),
            key(Action::Close)
        );
        let title = format!(
            " Image for {} ({} of {}) ",
            self.target.label(),
            self.matches.len(),
            self.files.len()
        );
        let inner = framed(f, r, &title, &footer, s.border_focused, s);
        if inner.height == 0 {
            return;
        }
        let list = query_row(f, inner, "> ", &self.query, s);
        let width = list.width as usize;
        let lines: Vec<Line> =
            scroll_window(self.matches.len(), self.selected, list.height as usize)
                .map(|k| {
                    let style = if k == self.selected {
                        s.selection
                    } else {
                        s.text
                    };
                    let path = &self.files[self.matches[k]];
                    Line::styled(format!(" {}", fit(path, width.saturating_sub(1))), style)
                })
                .collect();
        if lines.is_empty() {
            let why = if self.files.is_empty() {
                format!(" no png/jpg/webp files within {WALK_DEPTH} folders of the board")
            } else {
                " no matching file".to_string()
            };
            f.render_widget(Line::styled(why, s.muted), list);
        } else {
            f.render_widget(Paragraph::new(lines), list);
        }
    }
}

impl Layer for ImagePicker {
    fn name(&self) -> &'static str {
        "image_picker"
    }
    fn context(&self) -> Context {
        Context::ImagePicker
    }
    fn key(&mut self, key: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        match action.map(|a| self.handle(a)) {
            None => self.type_key(key),
            Some(PickerFlow::Stay) => {}
            Some(PickerFlow::Close) => return Outcome::Close,
            Some(PickerFlow::Pick(field, path)) => {
                return Outcome::CloseWith(Reply::Pick(field, path));
            }
        }
        Outcome::Consumed
    }
    fn paste(&mut self, text: &str) -> Outcome {
        ImagePicker::paste(self, text);
        Outcome::Consumed
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        ImagePicker::render(self, f, area, seen.keymap, seen.styles);
    }
}
