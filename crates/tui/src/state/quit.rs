//! Quitting, and the keys vim, lazygit and helix users reach for: `:w`, `:q`, `:wq`,
//! `:q!` typed in the palette, ctrl-c that stops typing rather than quitting, and Esc
//! that clears a list's kept filter.

use crossterm::event::KeyEvent;

use crate::ExitReason;
use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::keymap::keys::KeyChord;
use crate::overlays::confirm::Confirm;
use crate::state::app::{App, Overlay};
use shotdeck_core::jobs::JobPhase;

/// A vim command typed whole in the `:` palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VimCommand {
    /// `:w`: save now.
    Write,
    /// `:q`: quit as `q` does (edits save themselves; a job in flight asks first).
    Quit,
    /// `:wq` / `:x`: save, then quit.
    WriteQuit,
    /// `:q!`: quit without asking: no job question, and edits that may not be written
    /// (a read-only board, a file someone else changed) are dropped, as vim drops them.
    ForceQuit,
}

impl VimCommand {
    pub fn parse(query: &str) -> Option<VimCommand> {
        Some(match query.trim() {
            "w" => VimCommand::Write,
            "q" | "qa" => VimCommand::Quit,
            "wq" | "x" | "wqa" | "xa" => VimCommand::WriteQuit,
            "q!" | "qa!" => VimCommand::ForceQuit,
            _ => return None,
        })
    }
}

impl App {
    pub(crate) fn run_vim(&mut self, cmd: VimCommand) {
        match cmd {
            VimCommand::Write => self.save_now(true),
            VimCommand::Quit => self.request_quit(),
            VimCommand::WriteQuit => {
                self.save_now(true);
                // A refused or failed save left a question or an error up: no quitting.
                if !self.doc.is_unsaved() && self.overlay.is_none() {
                    self.request_quit();
                }
            }
            VimCommand::ForceQuit => {
                if self.doc.read_only().is_none() && self.doc.held_change().is_none() {
                    let _ = self.doc.save();
                }
                self.exit = Some(ExitReason::Quit);
            }
        }
    }

    /// A key bound to quit (ctrl-c) while text is typed stops typing instead, as it does in
    /// a shell: the prompt editor goes back to the shot list, an open field or filter is
    /// dropped, the palette and the image picker close. Returns whether it was taken.
    pub(crate) fn quit_key_stops_typing(&mut self, key: &KeyEvent) -> bool {
        let context = self.context();
        // Only a chord that is never text (ctrl-c, not q).
        let quits = KeyChord::from_event(key).is_some_and(|c| {
            !c.is_text() && self.keymap.lookup(Context::Global, &c) == Some(Action::Quit)
        });
        if !quits || !context.is_typing() {
            return false;
        }
        self.dirty = true;
        match context {
            Context::Prompt => self.dispatch(Action::LeaveEditor),
            Context::FieldEdit => self.settings.cancel_editing(),
            Context::Filter if self.overlay.is_none() => {
                let cancel = self.keymap.key_for(Context::Filter, Action::Cancel);
                let focus = self.focus;
                self.stop_typing_filter(focus);
                self.toast_info(format!("stopped typing the filter ({cancel} clears it)"));
            }
            // The key help's filter, the palette, the image picker.
            _ => self.overlay = None,
        }
        true
    }

    /// Esc (the key that clears a filter while typed) outside typing clears the focused
    /// list's kept filter. Returns whether it did.
    pub(crate) fn clear_kept_filter(&mut self, chord: &KeyChord) -> bool {
        let clears = self.keymap.lookup(Context::Filter, chord) == Some(Action::Cancel);
        let focus = self.focus;
        if !clears || self.pane_filter(focus).is_none_or(|f| f.text.is_empty()) {
            return false;
        }
        self.clear_filter(focus);
        self.toast_info("filter cleared");
        true
    }

    // ---- quit and save ----

    pub(crate) fn request_quit(&mut self) {
        match self.jobs.in_flight() {
            Some(j) => {
                // The demo's simulator and store end with it: say so rather than promise.
                let after = match (self.simulated, j.phase) {
                    (true, _) => "This is the demo: its simulated jobs end when it quits.".into(),
                    // The engine's create grace: launch.rs waits this long on the way out.
                    (_, JobPhase::Submitting) => format!(
                        "Quitting waits up to {} s to record its task.",
                        self.create_grace.as_secs()
                    ),
                    _ => "The engine picks it up again when shotdeck next starts.".into(),
                };
                let reason = format!(
                    "Job #{} is {}. Quit anyway? {after}",
                    j.id,
                    j.phase.as_str()
                );
                self.overlay = Some(Overlay::Confirm(Confirm::Quit {
                    reason,
                    unsaved_ok: false,
                }));
            }
            None => self.finish_quit(),
        }
    }

    /// Quits after saving; if the board may not be written or the save fails, asks before
    /// losing anything.
    pub(crate) fn finish_quit(&mut self) {
        if !self.may_quit_writing() {
            return;
        }
        match self.doc.save() {
            Ok(_) => self.exit = Some(ExitReason::Quit),
            Err(e) => {
                self.overlay = Some(Overlay::Confirm(Confirm::Quit {
                    reason: format!("{e}. Quit anyway and lose the unsaved edits?"),
                    unsaved_ok: true,
                }));
            }
        }
    }
}
