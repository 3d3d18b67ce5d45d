//! Nothing is written over a file someone else changed, or over a read-only board, without
//! the user choosing it. Every save looks at the file first: a clean editor takes an outside
//! change silently (and says so), an editor with unsaved edits asks (reload / keep mine /
//! save as / later) and autosave waits for the answer. Exits that cannot ask write the
//! edits beside the board instead.

use std::path::Path;

use ratatui::text::Span;

use crate::app::App;
use crate::model::disk::OutsideChange;
use crate::model::exit_save::Kept;
use crate::overlays::confirm::Confirm;
use crate::overlays::file_question::{FileAnswer, FileQuestion};
use crate::theme::Styles;

impl App {
    /// Saves if anything changed and the file may be written. `explicit` (ctrl-s) reports
    /// "saved" even when nothing was due, asks again about a held outside change, and
    /// offers to write a read-only board.
    pub fn save_now(&mut self, explicit: bool) {
        if !self.model.doc.is_unsaved() {
            if explicit {
                self.check_file();
                if self.model.toast.is_none() {
                    self.toast_info("nothing to save");
                }
            }
            return;
        }
        if !self.may_write(explicit) {
            return;
        }
        match self.model.doc.save() {
            Ok(true) => {
                tracing::debug!(path = %self.model.doc.path().display(), "saved");
                self.dirty = true;
                if explicit {
                    self.toast_info(format!("saved {}", self.model.doc.path().display()));
                }
            }
            Ok(false) => {}
            Err(e) => self.toast_error(e.to_string()),
        }
    }

    /// Looks at the file (focus came back, or before a save): see [`App::take_change`].
    pub(crate) fn check_file(&mut self) {
        if self.model.doc.held_change().is_none()
            && let Some(change) = self.model.doc.outside_change()
        {
            self.take_change(change);
        }
    }

    /// Whether the board may be written now; when not, the user has been told or asked.
    /// `ask_read_only`: an explicit save offers to write a read-only board anyway.
    pub(crate) fn may_write(&mut self, ask_read_only: bool) -> bool {
        if let Some(held) = self.model.doc.held_change().cloned() {
            if ask_read_only {
                self.ask_about(&held);
            }
            return false;
        }
        if let Some(change) = self.model.doc.outside_change() {
            self.take_change(change);
            return false;
        }
        if let Some(why) = self.model.doc.read_only() {
            if ask_read_only {
                let why = why.to_string();
                self.layers.push(FileQuestion::WriteReadOnly { why });
                self.dirty = true;
            }
            return false;
        }
        true
    }

    /// Quitting with unsaved edits that may not be written: asks (an outside change) or
    /// offers to quit without them (a read-only board). True when quitting may go on.
    pub(crate) fn may_quit_writing(&mut self) -> bool {
        if !self.model.doc.is_unsaved() {
            return true;
        }
        if let Some(why) = self.model.doc.read_only().map(str::to_string) {
            self.layers.push(Confirm::Quit {
                reason: format!(
                    "The board is read-only ({why}). Quit anyway and lose the unsaved edits?"
                ),
                unsaved_ok: true,
            });
            return false;
        }
        self.may_write(true)
    }

    /// Someone else wrote the file. Without unsaved edits the editor takes their version
    /// and says so; with some it holds the change (autosave waits) and asks.
    fn take_change(&mut self, change: OutsideChange) {
        let name = crate::labels::file_name(self.model.doc.path());
        if !self.model.doc.is_unsaved() {
            match change.now {
                Some(copy) => {
                    self.model.doc.reload(copy, self.now);
                    self.panes.prompt.sync(&self.model.doc);
                    self.toast_info(format!("reloaded {name}: {}", change.summary));
                }
                None if !change.unreadable => {
                    self.model.doc.file_deleted();
                    self.toast_info(format!(
                        "{name} was deleted on disk; your next edit saves it again"
                    ));
                }
                None => {
                    self.toast_error(format!(
                        "{name}: {}; nothing is written until you choose (ctrl-s)",
                        change.summary
                    ));
                    self.model.doc.hold_change(change);
                }
            }
            return;
        }
        self.model.doc.hold_change(change.clone());
        if self.layers.is_empty() {
            self.ask_about(&change);
        } else {
            self.toast_error(format!(
                "{name} changed on disk ({}); autosave waits, ctrl-s to choose",
                change.summary
            ));
        }
    }

    fn ask_about(&mut self, change: &OutsideChange) {
        self.layers.push(FileQuestion::Changed {
            summary: change.summary.clone(),
            can_reload: change.now.is_some(),
        });
        self.dirty = true;
    }

    /// The user's answer to a [`FileQuestion`].
    pub(crate) fn answered(&mut self, question: FileQuestion, answer: FileAnswer) {
        self.dirty = true;
        match (question, answer) {
            (FileQuestion::Changed { .. }, FileAnswer::Reload) => {
                if let Some(copy) = self.model.doc.held_change().and_then(|c| c.now.clone()) {
                    self.model.doc.reload(copy, self.now);
                    self.panes.prompt.sync(&self.model.doc);
                    self.toast_info("reloaded from disk; undo brings your version back");
                }
            }
            (FileQuestion::Changed { .. }, FileAnswer::KeepMine) => self.write_anyway(),
            (FileQuestion::Changed { .. }, FileAnswer::SaveAs) => {
                let stem = self
                    .model
                    .doc
                    .path()
                    .file_stem()
                    .map_or("board".into(), |s| s.to_string_lossy().into_owned());
                let dir = shotdeck_files::board_file::board_dir(self.model.doc.path());
                let path = dir.join(format!("{stem}.mine.json")).display().to_string();
                self.layers.push(FileQuestion::SaveAs { path });
            }
            (FileQuestion::SaveAs { path }, FileAnswer::SaveAs) => self.save_as(path),
            (FileQuestion::WriteReadOnly { .. }, FileAnswer::Write) => self.write_anyway(),
            (FileQuestion::WriteReadOnly { .. }, _) => self.toast_info("not saved"),
            _ if self.model.doc.held_change().is_some() => {
                self.toast_info("autosave waits until you choose (ctrl-s asks again)");
            }
            _ => {}
        }
    }

    fn write_anyway(&mut self) {
        match self.model.doc.write_anyway() {
            Ok(()) => self.toast_info(format!("saved {}", self.model.doc.path().display())),
            // Nothing is lost: the edits stay here, unsaved, and the message says why.
            Err(e) => self.toast_error(format!("{e} (your edits are kept here, unsaved)")),
        }
    }

    fn save_as(&mut self, typed: String) {
        let path = Path::new(typed.trim());
        if path.exists() {
            self.toast_error(format!("{} exists; choose another name", path.display()));
            self.layers.push(FileQuestion::SaveAs { path: typed });
            return;
        }
        match self.model.doc.save_as(path) {
            Ok(()) => self.toast_info(format!(
                "saved as {}; editing it from now on",
                self.model.doc.path().display()
            )),
            Err(e) => self.toast_error(e.to_string()),
        }
    }

    /// The loop ends without the user (input closed or unreadable, SIGHUP, SIGTERM): the
    /// one exit rule ([`crate::model::exit_save`]) keeps the edits, over the board only
    /// when it may be written.
    pub fn save_on_exit(&mut self) -> Option<Result<Kept, String>> {
        self.model.doc.keep_on_exit()
    }

    /// Ctrl-Z asks the loop to hand the terminal over.
    pub(crate) fn request_suspend(&mut self) {
        self.suspend = true;
    }

    /// Whether Ctrl-Z was pressed since the loop last looked.
    pub fn take_suspend(&mut self) -> bool {
        std::mem::take(&mut self.suspend)
    }

    /// Everything on screen may be stale (the terminal was handed over): draw it all.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }
}

/// The header's word on the file: READ-ONLY, and an outside change waiting for an answer.
pub fn header_badges(app: &App, s: &Styles) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    if app.model.doc.read_only().is_some() {
        out.push(Span::raw(" "));
        out.push(Span::styled(" READ-ONLY ", s.badge));
    }
    if app.model.doc.held_change().is_some() {
        out.push(Span::styled("  ⚠ changed on disk", s.warn));
    }
    out
}
