//! What actions and pane messages do at the app level: focus, undo, save, submit, quit,
//! engine events, and the host effects (open, copy).

use crate::app::App;
use crate::app::event_loop::ExitReason;
use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::model::msg::{Flow, Msg, PaneId};
use crate::overlays::confirm::Confirm;
use crate::overlays::help::Help;
use crate::overlays::messages::MessagesView;
use crate::overlays::palette::PaletteLayer;
use crate::panes::prompt_editor::PromptField;
use crate::panes::settings::SettingField;
use shotdeck_core::jobs::JobCmd;
use shotdeck_core::{FieldPath, Provider, ShotField};

impl App {
    /// Shows `toast` in the status bar and keeps it in the message log.
    pub(crate) fn show(&mut self, toast: crate::model::msg::Toast) {
        self.log(&toast);
        self.model.toast = Some(toast);
        self.dirty = true;
    }

    /// Keeps `toast` in the message log without showing it (another message stays up).
    pub(crate) fn log(&mut self, toast: &crate::model::msg::Toast) {
        let local_ms = self.now_ms + self.env.host.utc_offset_ms();
        self.model.messages.push(toast, local_ms);
    }

    pub(crate) fn toast_info(&mut self, text: impl Into<String>) {
        self.show(crate::model::msg::Toast::info(text));
    }

    pub(crate) fn toast_error(&mut self, text: impl Into<String>) {
        let text = text.into();
        tracing::warn!("{text}");
        self.show(crate::model::msg::Toast::error(text));
    }

    pub fn dispatch(&mut self, action: Action) {
        self.dirty = true;
        match action {
            Action::Quit => self.request_quit(),
            Action::ToggleHelp => {
                self.layers.push(Help {
                    context: self.context(),
                    scroll: Default::default(),
                    filter: Default::default(),
                    paths: self.env.help_paths.clone(),
                });
            }
            Action::OpenPalette => {
                self.layers
                    .push(PaletteLayer::new(self.env.palette_entries.clone()));
            }
            Action::FocusNext => self.set_focus(self.focus.next()),
            Action::FocusPrev => self.set_focus(self.focus.prev()),
            Action::FocusShots => self.set_focus(PaneId::Shots),
            Action::FocusPrompt => self.set_focus(PaneId::Prompt),
            Action::FocusSettings => self.set_focus(PaneId::Settings),
            Action::FocusTimeline => self.set_focus(PaneId::Timeline),
            Action::FocusPreview => self.set_focus(PaneId::Preview),
            Action::FocusQueue => self.set_focus(PaneId::Queue),
            Action::Undo | Action::Redo => {
                let undo = action == Action::Undo;
                let step = if undo {
                    self.model.doc.undo(self.now)
                } else {
                    self.model.doc.redo(self.now)
                };
                self.panes.prompt.sync(&self.model.doc);
                self.toast_info(match (step, undo) {
                    (Some(label), true) => format!("undid: {label}"),
                    (Some(label), false) => format!("redid: {label}"),
                    (None, true) => "nothing to undo".to_string(),
                    (None, false) => "nothing to redo".to_string(),
                });
            }
            Action::Save => self.save_now(true),
            Action::Suspend => self.request_suspend(),
            Action::Submit => self.request_submit(),
            Action::ToggleProvider => {
                let next = match self.model.doc.provider() {
                    Provider::Kling => Provider::Gateway,
                    Provider::Gateway => Provider::NewApi,
                    Provider::NewApi => Provider::KlingRelay,
                    Provider::KlingRelay => Provider::Kling,
                };
                self.model.doc.switch_provider(next, self.now);
                let undo = self.env.keymap.key_for(Context::Global, Action::Undo);
                self.toast_info(format!(
                    "provider: {next} (preview, findings and cost follow; {undo} undoes)"
                ));
            }
            Action::ToggleZoom => self.zoomed = !self.zoomed,
            Action::Filter => self.start_filter(),
            Action::ShowMessages => self.layers.push(MessagesView::new()),
            Action::ShowJobDetails => self.open_job_details(),
            Action::PickImage => self.open_image_picker(),
            Action::PickElement => self.ask_library(),
            Action::EditExternal => self.request_external(),
            // `y` in the job queue copies the video URL instead (its own key).
            Action::CopyMenu => self.layers.push(crate::overlays::copy_menu::CopyMenu),
            Action::CopyRequest | Action::CopyPrompt | Action::CopyPath => self.copy_action(action),
            Action::ReprobeImages => {
                self.model.doc.reprobe_images();
                self.panes.previews.refresh();
                self.toast_info("image files read again");
            }
            pane_action => {
                let focus = self.focus;
                let flow = self.with_cx(focus, |p, cx| match focus {
                    PaneId::Shots => p.shot_list.handle(pane_action, cx),
                    PaneId::Prompt => p.prompt.handle(pane_action, cx),
                    PaneId::Settings => p.settings.handle(pane_action, cx),
                    PaneId::Timeline => p.timeline.handle(pane_action, cx),
                    PaneId::Preview => p.preview.handle(pane_action, cx),
                    PaneId::Queue => p.queue.handle(pane_action, cx),
                });
                if let Flow::Ignored = flow {
                    self.dirty = false;
                }
                self.apply_flow(flow);
                if pane_action == Action::ToggleAllBoards {
                    // The filter reads the other list now.
                    self.refilter(PaneId::Queue);
                }
            }
        }
    }

    pub(crate) fn apply_flow(&mut self, flow: Flow) {
        // Whatever changed the board, the editor shows the board's text.
        self.panes.prompt.sync(&self.model.doc);
        let Flow::Msg(msg) = flow else { return };
        self.dirty = true;
        match msg {
            Msg::Focus(p) => self.set_focus(p),
            Msg::EditPrompt { negative } => {
                self.panes.prompt.field = if negative {
                    PromptField::Negative
                } else {
                    PromptField::Prompt
                };
                self.set_focus(PaneId::Prompt);
                self.panes.prompt.cursor_to_end();
            }
            Msg::Toast(t) => self.show(t),
            Msg::InsertImageToken(n) => {
                let flow = self.with_cx(PaneId::Prompt, |panes, cx| {
                    panes.prompt.insert_image_token(n, cx)
                });
                self.apply_flow(flow);
            }
            Msg::Job(cmd) => {
                if let JobCmd::SetKeeper { id, keep } = *cmd {
                    self.model.keeper_asked = Some((id, keep));
                }
                self.send(*cmd)
            }
            Msg::AskRetry(id) => self.request_retry(id),
            Msg::FetchHere { id, asker } => {
                self.send(JobCmd::Redownload(id));
                self.toast_info(format!(
                    "fetching job #{id} onto this machine (done on {}): into this copy of its project",
                    shotdeck_core::printable(&asker)
                ));
            }
            Msg::Compare(a, b) => self.open_compare(a, b),
            Msg::Open(path) => {
                if self.env.host.remote() {
                    self.toast_info(format!("over SSH, not opening here: {}", path.display()));
                } else if let Err(e) = self.env.host.open(&path) {
                    self.toast_error(format!("{e} (the video is at {})", path.display()));
                } else {
                    self.toast_info(format!("opening {}", path.display()));
                }
            }
            Msg::Copy(url) => self.copy_text("URL", &url),
            Msg::Jump(path) => self.jump(path),
        }
    }

    pub(crate) fn set_focus(&mut self, pane: PaneId) {
        if self.focus == PaneId::Prompt && pane != PaneId::Prompt {
            self.model.doc.break_burst();
        }
        if pane != PaneId::Settings {
            self.panes.settings.cancel_editing();
        }
        if pane != self.focus {
            self.stop_typing_filter(self.focus);
        }
        self.focus = pane;
        self.panes.prompt.sync(&self.model.doc);
        self.dirty = true;
    }

    /// Shows what a finding is about.
    fn jump(&mut self, path: FieldPath) {
        match path {
            FieldPath::Shot { index, field } => {
                self.model.doc.select(index);
                match field {
                    ShotField::Duration => self.set_focus(PaneId::Shots),
                    ShotField::Prompt => {
                        self.panes.prompt.field = PromptField::Prompt;
                        self.set_focus(PaneId::Prompt);
                    }
                }
            }
            FieldPath::Prompt => {
                self.panes.prompt.field = PromptField::Prompt;
                self.set_focus(PaneId::Prompt);
            }
            FieldPath::NegativePrompt => {
                self.panes.prompt.field = PromptField::Negative;
                self.set_focus(PaneId::Prompt);
            }
            FieldPath::Shots => self.set_focus(PaneId::Shots),
            FieldPath::Duration if self.model.doc.board().multi_shot => {
                self.set_focus(PaneId::Shots)
            }
            other => {
                if let Some(field) = SettingField::for_path(self.model.doc.board(), other) {
                    self.panes
                        .settings
                        .select_field(self.model.doc.board(), field);
                }
                self.set_focus(PaneId::Settings);
            }
        }
    }

    /// Hands `cmd` to the engine without waiting: the editor must keep drawing and
    /// reading keys whatever the engine is doing. A full channel (the engine is behind by
    /// `COMMAND_CAPACITY` commands) refuses it, and the user is told to try again.
    pub(crate) fn send(&mut self, cmd: JobCmd) {
        use tokio::sync::mpsc::error::TrySendError;
        match self.env.jobs_tx.try_send(cmd) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.toast_error("the job engine is busy: nothing was sent, try again");
            }
            Err(TrySendError::Closed(_)) => {
                self.toast_error("the job engine is not running: nothing was sent");
            }
        }
    }

    pub(crate) fn confirmed(&mut self, c: Confirm) {
        match c {
            Confirm::Submit(paid) => self.submit_now(paid.takes),
            Confirm::Retry(ask) => self.retry_now(*ask),
            Confirm::Quit {
                unsaved_ok: true, ..
            } => self.exit = Some(ExitReason::Quit),
            Confirm::Quit { .. } => self.finish_quit(),
            Confirm::Refused { .. } | Confirm::Blocked { .. } => {}
        }
    }

    /// When the debounced autosave is due, if there are unsaved edits.
    pub fn autosave_due(&self) -> Option<std::time::Instant> {
        self.model.doc.autosave_due()
    }
}
