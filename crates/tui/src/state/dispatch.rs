//! What actions and pane messages do at the app level: focus, undo, save, submit, quit,
//! engine events, and the host effects (open, copy).

use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::overlays::confirm::Confirm;
use crate::overlays::help::Help;
use crate::overlays::messages::MessagesView;
use crate::overlays::palette::Palette;
use crate::panes::prompt_editor::PromptField;
use crate::panes::settings::SettingField;
use crate::panes::{Flow, Msg, PaneId, Toast};
use crate::state::app::{App, Overlay};
use crate::state::jobs::JobBook;
use crate::state::jobs::filtered::FilteredPage;
use crate::{ExitReason, History};
use shotdeck_core::jobs::{JobCmd, JobEvent, JobPhase, JobView};
use shotdeck_core::{FieldPath, Provider, ShotField};

impl App {
    /// Shows `toast` in the status bar and keeps it in the message log.
    pub(crate) fn show(&mut self, toast: crate::panes::Toast) {
        self.log(&toast);
        self.toast = Some(toast);
        self.dirty = true;
    }

    /// Keeps `toast` in the message log without showing it (another message stays up).
    pub(crate) fn log(&mut self, toast: &crate::panes::Toast) {
        let local_ms = self.now_ms + self.host.utc_offset_ms();
        self.messages.push(toast, local_ms);
    }

    pub(crate) fn toast_info(&mut self, text: impl Into<String>) {
        self.show(crate::panes::Toast::info(text));
    }

    pub(crate) fn toast_error(&mut self, text: impl Into<String>) {
        let text = text.into();
        tracing::warn!("{text}");
        self.show(crate::panes::Toast::error(text));
    }

    pub fn dispatch(&mut self, action: Action) {
        self.dirty = true;
        match action {
            Action::Quit => self.request_quit(),
            Action::ToggleHelp => {
                self.overlay = Some(Overlay::Help(Help {
                    context: self.context(),
                    scroll: Default::default(),
                    filter: Default::default(),
                    paths: self.help_paths.clone(),
                }));
            }
            Action::OpenPalette => {
                self.overlay = Some(Overlay::Palette(Palette::new(&self.palette_entries)));
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
                    self.doc.undo(self.now)
                } else {
                    self.doc.redo(self.now)
                };
                self.prompt.sync(&self.doc);
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
                let next = match self.doc.provider() {
                    Provider::Kling => Provider::Gateway,
                    Provider::Gateway => Provider::NewApi,
                    Provider::NewApi => Provider::KlingRelay,
                    Provider::KlingRelay => Provider::Kling,
                };
                self.doc.switch_provider(next, self.now);
                let undo = self.keymap.key_for(Context::Global, Action::Undo);
                self.toast_info(format!(
                    "provider: {next} (preview, findings and cost follow; {undo} undoes)"
                ));
            }
            Action::ToggleZoom => self.zoomed = !self.zoomed,
            Action::Filter => self.start_filter(),
            Action::ShowMessages => self.overlay = Some(Overlay::Messages(MessagesView::new())),
            Action::ShowJobDetails => self.open_job_details(),
            Action::PickImage => self.open_image_picker(),
            Action::ReprobeImages => {
                self.doc.reprobe_images();
                self.previews.refresh();
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
        self.prompt.sync(&self.doc);
        let Flow::Msg(msg) = flow else { return };
        self.dirty = true;
        match msg {
            Msg::Focus(p) => self.set_focus(p),
            Msg::EditPrompt { negative } => {
                self.prompt.field = if negative {
                    PromptField::Negative
                } else {
                    PromptField::Prompt
                };
                self.set_focus(PaneId::Prompt);
                self.prompt.cursor_to_end();
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
                    self.keeper_asked = Some((id, keep));
                }
                self.send(*cmd)
            }
            Msg::AskRetry(id) => self.request_retry(id),
            Msg::Compare(a, b) => self.open_compare(a, b),
            Msg::Open(path) => {
                if self.host.remote() {
                    self.toast_info(format!("over SSH, not opening here: {}", path.display()));
                } else if let Err(e) = self.host.open(&path) {
                    self.toast_error(format!("{e} (the video is at {})", path.display()));
                } else {
                    self.toast_info(format!("opening {}", path.display()));
                }
            }
            Msg::Copy(url) => match self.host.copy(&url) {
                Ok(()) => self.toast_info("URL copied (OSC 52)"),
                Err(e) => self.toast_error(e.to_string()),
            },
            Msg::Jump(path) => self.jump(path),
        }
    }

    pub(crate) fn set_focus(&mut self, pane: PaneId) {
        if self.focus == PaneId::Prompt && pane != PaneId::Prompt {
            self.doc.break_burst();
        }
        if pane != PaneId::Settings {
            self.settings.cancel_editing();
        }
        if pane != self.focus {
            self.stop_typing_filter(self.focus);
        }
        self.focus = pane;
        self.prompt.sync(&self.doc);
        self.dirty = true;
    }

    /// Shows what a finding is about.
    fn jump(&mut self, path: FieldPath) {
        match path {
            FieldPath::Shot { index, field } => {
                self.doc.select(index);
                match field {
                    ShotField::Duration => self.set_focus(PaneId::Shots),
                    ShotField::Prompt => {
                        self.prompt.field = PromptField::Prompt;
                        self.set_focus(PaneId::Prompt);
                    }
                }
            }
            FieldPath::Prompt => {
                self.prompt.field = PromptField::Prompt;
                self.set_focus(PaneId::Prompt);
            }
            FieldPath::NegativePrompt => {
                self.prompt.field = PromptField::Negative;
                self.set_focus(PaneId::Prompt);
            }
            FieldPath::Shots => self.set_focus(PaneId::Shots),
            FieldPath::Duration if self.doc.board().multi_shot => self.set_focus(PaneId::Shots),
            other => {
                if let Some(field) = SettingField::for_path(self.doc.board(), other) {
                    self.settings.select_field(self.doc.board(), field);
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
        match self.jobs_tx.try_send(cmd) {
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
            Confirm::Submit(_) => self.submit_now(),
            Confirm::Retry(ask) => self.retry_now(*ask),
            Confirm::Quit {
                unsaved_ok: true, ..
            } => self.exit = Some(ExitReason::Quit),
            Confirm::Quit { .. } => self.finish_quit(),
            Confirm::Refused { .. } => {}
        }
    }

    /// When the debounced autosave is due, if there are unsaved edits.
    pub fn autosave_due(&self) -> Option<std::time::Instant> {
        self.doc.autosave_due()
    }

    // ---- engine ----

    /// The engine's event channel closed: jobs will not progress until shotdeck restarts.
    pub fn on_engine_stopped(&mut self) {
        self.toast_error("the job engine stopped; job updates will resume when shotdeck restarts");
    }

    /// Bell and/or desktop notification for a job that just finished or failed, so a user
    /// in another window (or tmux pane) notices.
    fn announce_end(&mut self, job: &JobView) {
        let body = match job.phase {
            JobPhase::Done => format!("job #{} done", job.id),
            JobPhase::Failed => match &job.error {
                Some(e) => format!("job #{} failed: {}", job.id, e.summary()),
                None => format!("job #{} failed", job.id),
            },
            _ => return,
        };
        if self.notify == shotdeck_files::config::NotifyMode::Off {
            return;
        }
        if let Err(e) = self.host.notify(self.notify, "shotdeck", &body) {
            tracing::warn!("notification not sent: {e}");
        }
    }

    /// The engine is up (it starts after the first frame): its history replaces the empty
    /// loading book, and a reason submits are refused is shown.
    pub fn on_history(&mut self, history: History) {
        self.jobs = JobBook::new(history.jobs, history.counts);
        if let Some(warning) = history.warning {
            self.toast_error(warning);
        }
        self.dirty = true;
    }

    /// The keeper the user asked for has been written: say so, naming the board.
    fn say_keeper(&mut self, job: &JobView) {
        if self.keeper_asked != Some((job.id, job.keeper)) {
            return;
        }
        self.keeper_asked = None;
        let board = if job.board_title.trim().is_empty() {
            crate::state::file_guard::file_name(&job.board_path)
        } else {
            job.board_title.clone()
        };
        let take = job.take;
        self.toast_info(if job.keeper {
            format!("Take {take} is the keeper of {board}")
        } else {
            format!("Take {take} is no longer the keeper of {board}")
        });
    }

    /// Until [`App::on_history`]: the Jobs pane says it is loading.
    pub fn expect_history(&mut self) {
        self.jobs = JobBook::loading();
    }

    pub fn on_job_event(&mut self, ev: JobEvent) {
        self.dirty = true;
        match ev {
            JobEvent::Submitted { ticket, job } => {
                self.retries.answered(ticket, job.id);
                let (provider, ext) = (job.provider, &job.external_task_id);
                let note = Toast::info(format!("submitted to {provider} as {ext}"));
                // Unless saving before the submit failed: that error stays in view.
                if self.toast.as_ref().is_none_or(|t| !t.error) {
                    self.show(note);
                } else {
                    self.log(&note);
                }
                self.jobs.update(job);
            }
            JobEvent::Updated(job) => {
                self.say_keeper(&job);
                let before = self.jobs.update(job.clone()).map(|j| j.phase);
                // Any board's job, but only an end seen happening (not one loaded ended).
                if before.is_some_and(|b| b != job.phase) {
                    self.announce_end(&job);
                }
                let ours = job.board_path == self.doc.identity();
                if !ours || before == Some(job.phase) {
                    return;
                }
                match job.phase {
                    JobPhase::Done => {
                        let file = job
                            .files
                            .first()
                            .map_or(String::new(), |f| format!(": {}", f.path.display()));
                        self.toast_info(format!("job #{} done{file}", job.id));
                    }
                    JobPhase::Failed => {
                        let why = job
                            .error
                            .as_ref()
                            .map_or(String::new(), |e| format!(": {}", e.summary()));
                        self.toast_error(format!("job #{} failed{why}", job.id));
                    }
                    _ => {}
                }
            }
            JobEvent::Rejected { reason, ticket } => {
                self.retries.refused(ticket);
                self.toast_error(format!("refused: {reason}"));
            }
            JobEvent::Spend { today_usd } => self.spend_today = Some(today_usd),
            JobEvent::Details(record) => self.on_job_details(record),
            JobEvent::Compared(takes) => self.on_compared(*takes),
            JobEvent::Page {
                board,
                below,
                jobs,
                ended,
                filter: None,
                ..
            } => self.jobs.page(board, below, jobs, ended),
            JobEvent::Page {
                board,
                below,
                jobs,
                ended,
                filter: Some(text),
                matching,
            } => self.jobs.filtered_page(FilteredPage {
                board,
                below,
                jobs,
                ended,
                text,
                matching,
            }),
        }
    }
}
