//! Questions about the board's file: it changed on disk while there are unsaved edits
//! (reload / keep mine / save as / later), a read-only board is about to be written, and
//! the path to save a copy under. Keys come from the `[conflict]`, `[confirm]` and
//! `[field_edit]` contexts of the keymap.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::overlays::layer::{Layer, Outcome, Reply, Seen};
use crate::overlays::{DialogFrame, dialog};
use crate::theme::Styles;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FileQuestion {
    /// Someone else wrote the file and this editor holds unsaved edits.
    Changed {
        /// What changed: "3 shots → 4, Shot 2 prompt edited (changed on disk at 14:02 UTC)".
        summary: String,
        /// False when the file no longer opens (or was deleted): nothing to reload.
        can_reload: bool,
    },
    /// An explicit save of a read-only board: `why` it is read-only.
    WriteReadOnly { why: String },
    /// The path to save a copy under (typed; relative to the current folder).
    SaveAs { path: String },
}

/// What the user chose.
pub(crate) enum FileAnswer {
    Reload,
    KeepMine,
    /// Open the path prompt (from the conflict), or save to the typed path.
    SaveAs,
    Write,
    Later,
    Stay,
}

impl FileQuestion {
    pub(crate) fn context(&self) -> Context {
        match self {
            FileQuestion::Changed { .. } => Context::Conflict,
            FileQuestion::WriteReadOnly { .. } => Context::Confirm,
            FileQuestion::SaveAs { .. } => Context::FieldEdit,
        }
    }

    /// An action from its keymap context.
    pub(crate) fn handle(&self, action: Action) -> FileAnswer {
        match (self, action) {
            (FileQuestion::Changed { can_reload, .. }, Action::ReloadBoard) if *can_reload => {
                FileAnswer::Reload
            }
            (FileQuestion::Changed { .. }, Action::KeepMine) => FileAnswer::KeepMine,
            (FileQuestion::Changed { .. }, Action::SaveAs) => FileAnswer::SaveAs,
            (FileQuestion::WriteReadOnly { .. }, Action::Confirm) => FileAnswer::Write,
            (FileQuestion::SaveAs { path }, Action::Confirm) if !path.trim().is_empty() => {
                FileAnswer::SaveAs
            }
            (_, Action::Cancel) => FileAnswer::Later,
            _ => FileAnswer::Stay,
        }
    }

    /// A key no action takes: text for the path prompt.
    pub(crate) fn type_key(&mut self, key: KeyEvent) {
        let FileQuestion::SaveAs { path } = self else {
            return;
        };
        match key.code {
            KeyCode::Backspace => {
                path.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => path.push(c),
            _ => {}
        }
    }

    pub(crate) fn paste(&mut self, text: &str) {
        if let FileQuestion::SaveAs { path } = self {
            path.push_str(text.trim_matches(['\n', '\r']));
        }
    }

    pub(crate) fn render(&self, f: &mut Frame, area: Rect, keymap: &Keymap, s: &Styles) {
        let keys = |a| keymap.key_names(self.context(), a, 1);
        let (title, lines, footer) = match self {
            FileQuestion::Changed {
                summary,
                can_reload,
            } => {
                let mut choices = Vec::new();
                if *can_reload {
                    choices.push(format!("{} reload theirs", keys(Action::ReloadBoard)));
                }
                choices.push(format!("{} keep mine (write)", keys(Action::KeepMine)));
                choices.push(format!("{} save mine as…", keys(Action::SaveAs)));
                choices.push(format!("{} later", keys(Action::Cancel)));
                let lines = vec![
                    Line::styled("The board changed on disk:", s.warn),
                    Line::styled(summary.clone(), s.text),
                    Line::default(),
                    Line::styled(
                        "You have unsaved edits; nothing is written until you choose.",
                        s.muted,
                    ),
                ];
                (
                    " Changed on disk ",
                    lines,
                    format!(" {} ", choices.join(" · ")),
                )
            }
            FileQuestion::WriteReadOnly { why } => (
                " Read-only board ",
                vec![Line::styled(
                    format!("This board is read-only ({why}). Try to write it anyway?"),
                    s.text,
                )],
                format!(
                    " {} write · {} cancel ",
                    keys(Action::Confirm),
                    keys(Action::Cancel)
                ),
            ),
            FileQuestion::SaveAs { path } => (
                " Save as ",
                vec![
                    Line::styled("Save your version as (from the current folder):", s.muted),
                    Line::styled(format!("{path}▏"), s.text),
                ],
                format!(
                    " {} save · {} cancel ",
                    keys(Action::Confirm),
                    keys(Action::Cancel)
                ),
            ),
        };
        let frame = DialogFrame {
            title,
            border: s.warn,
            footer,
            min_width: 72,
            spare_rows: 4,
        };
        dialog(f, area, frame, lines, s);
    }
}

impl Layer for FileQuestion {
    fn name(&self) -> &'static str {
        match self {
            FileQuestion::Changed { .. } => "changed_on_disk",
            FileQuestion::WriteReadOnly { .. } => "read_only",
            FileQuestion::SaveAs { .. } => "save_as",
        }
    }
    fn context(&self) -> Context {
        FileQuestion::context(self)
    }
    fn key(&mut self, key: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        match action.map_or(FileAnswer::Stay, |a| self.handle(a)) {
            FileAnswer::Stay if action.is_none() => {
                self.type_key(key);
                Outcome::Consumed
            }
            FileAnswer::Stay => Outcome::Consumed,
            answer => Outcome::CloseWith(Reply::Answered(self.clone(), answer)),
        }
    }
    fn paste(&mut self, text: &str) -> Outcome {
        FileQuestion::paste(self, text);
        Outcome::Consumed
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        FileQuestion::render(self, f, area, seen.keymap, seen.styles);
    }
}
