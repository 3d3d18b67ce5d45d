//! Quitting, and the keys vim, lazygit and helix users reach for: `:w`, `:q`, `:wq`,
//! `:q!` typed in the palette, ctrl-c that stops typing rather than quitting, and Esc
//! that clears a list's kept filter.

use crossterm::event::KeyEvent;

use crate::app::App;
use crate::app::event_loop::ExitReason;
use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::keymap::keys::KeyChord;
use crate::model::vim::VimCommand;
use crate::overlays::confirm::Confirm;
use shotdeck_core::jobs::JobPhase;

impl App {
    pub(crate) fn run_vim(&mut self, cmd: VimCommand) {
        match cmd {
            VimCommand::Write => self.save_now(true),
            VimCommand::Quit => self.request_quit(),
            VimCommand::WriteQuit => {
                self.save_now(true);
                // A refused or failed save left a question or an error up: no quitting.
                if !self.model.doc.is_unsaved() && self.layers.is_empty() {
                    self.request_quit();
                }
            }
            VimCommand::ForceQuit => {
                if self.model.doc.read_only().is_none() && self.model.doc.held_change().is_none() {
                    let _ = self.model.doc.save();
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
            !c.is_text() && self.env.keymap.lookup(Context::Global, &c) == Some(Action::Quit)
        });
        if !quits || !context.is_typing() {
            return false;
        }
        self.dirty = true;
        match context {
            Context::Prompt => self.dispatch(Action::LeaveEditor),
            Context::FieldEdit => self.panes.settings.cancel_editing(),
            Context::Filter if self.layers.is_empty() => {
                let cancel = self.env.keymap.key_for(Context::Filter, Action::Cancel);
                let focus = self.focus;
                self.stop_typing_filter(focus);
                self.toast_info(format!("stopped typing the filter ({cancel} clears it)"));
            }
            // The key help's filter, the palette, the image picker.
            _ => {
                self.layers.pop();
            }
        }
        true
    }

    /// Esc (the key that clears a filter while typed) outside typing clears the focused
    /// list's kept filter. Returns whether it did.
    pub(crate) fn clear_kept_filter(&mut self, chord: &KeyChord) -> bool {
        let clears = self.env.keymap.lookup(Context::Filter, chord) == Some(Action::Cancel);
        let focus = self.focus;
        if !clears || self.panes.filter(focus).is_none_or(|f| f.text.is_empty()) {
            return false;
        }
        self.clear_filter(focus);
        self.toast_info("filter cleared");
        true
    }

    // ---- quit and save ----

    pub(crate) fn request_quit(&mut self) {
        match self.model.jobs.in_flight() {
            Some(j) => {
                // The demo's simulator and store end with it: say so rather than promise.
                let after = match (self.env.simulated, j.phase) {
                    (true, _) => "This is the demo: its simulated jobs end when it quits.".into(),
                    // The engine's create grace: launch.rs waits this long on the way out.
                    (_, JobPhase::Submitting) => format!(
                        "Quitting waits up to {} s to record its task.",
                        self.env.create_grace.as_secs()
                    ),
                    _ => "The engine picks it up again when shotdeck next starts.".into(),
                };
                let reason = format!(
                    "Job #{} is {}. Quit anyway? {after}",
                    j.id,
                    j.phase.as_str()
                );
                self.layers.push(Confirm::Quit {
                    reason,
                    unsaved_ok: false,
                });
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
        match self.model.doc.save() {
            Ok(_) => self.exit = Some(ExitReason::Quit),
            Err(e) => {
                self.layers.push(Confirm::Quit {
                    reason: format!("{e}. Quit anyway and lose the unsaved edits?"),
                    unsaved_ok: true,
                });
            }
        }
    }
}
