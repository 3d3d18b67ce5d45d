//! The application state and how terminal events reach it. Keys are looked up in the
//! keymap context in force (an overlay's, an open field's or the focused pane's), then
//! globally where that context allows; what an action does lives in `dispatch.rs`.
//! Every handler marks the app dirty when something visible changed; the loop draws only then.

use std::time::Instant;

use crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use tokio::sync::mpsc::{Receiver, Sender};

use crate::UiDeps;
use crate::host::Host;
use crate::keymap::keys::KeyChord;
use crate::keymap::{Context, Keymap};
use crate::overlays::compare::TakeCompare;
use crate::overlays::confirm::Confirm;
use crate::overlays::details::JobDetails;
use crate::overlays::file_question::FileQuestion;
use crate::overlays::help::Help;
use crate::overlays::messages::MessagesView;
use crate::overlays::palette::{Entry, Palette};
use crate::panes::job_queue::JobQueue;
use crate::panes::prompt_editor::PromptEditor;
use crate::panes::request_preview::RequestPreview;
use crate::panes::settings::Settings;
use crate::panes::shot_list::ShotList;
use crate::panes::timeline::Timeline;
use crate::panes::{Flow, PaneCtx, PaneId, Toast};
use crate::state::doc::{Doc, OpenedBoard};
use crate::state::jobs::JobBook;
use crate::state::messages::MessageLog;
use crate::state::paid::RetryBook;
use crate::theme::Styles;
use shotdeck_core::jobs::{JobCmd, JobEvent};
use shotdeck_core::{Board, Finding};

/// What sits over the panes and takes the keys while open.
pub enum Overlay {
    Help(Help),
    Palette(Palette),
    Confirm(Confirm),
    /// About the board's file (changed on disk, read-only, save as).
    File(FileQuestion),
    /// One job's whole record, as the engine reads it from the store.
    JobDetails(JobDetails),
    ImagePicker(crate::overlays::image_picker::ImagePicker),
    /// The status bar's last messages.
    Messages(MessagesView),
    /// Two takes side by side.
    TakeCompare(TakeCompare),
}

pub struct App {
    pub(crate) doc: Doc,
    pub(crate) jobs: JobBook,
    pub(crate) retries: RetryBook,
    pub(crate) focus: PaneId,
    pub(crate) shot_list: ShotList,
    pub(crate) prompt: PromptEditor,
    pub(crate) settings: Settings,
    pub(crate) previews: crate::state::previews::Previews,
    pub(crate) timeline: Timeline,
    pub(crate) preview: RequestPreview,
    pub(crate) queue: JobQueue,
    pub(crate) overlay: Option<Overlay>,
    /// The focused pane fills the screen (`z`).
    pub(crate) zoomed: bool,
    pub(crate) keymap: Keymap,
    pub(crate) palette_entries: Vec<Entry>,
    pub(crate) styles: Styles,
    pub(crate) toast: Option<Toast>,
    /// Every toast shown, for the message log (the status bar shows one until a key).
    pub(crate) messages: MessageLog,
    pub(crate) jobs_tx: Sender<JobCmd>,
    pub(crate) host: Box<dyn Host>,
    /// config.toml's `notify`: how a job's end is announced.
    pub(crate) notify: shotdeck_files::config::NotifyMode,
    pub(crate) simulated: bool,
    /// How long quitting waits for a create in flight to record its task (the engine's).
    pub(crate) create_grace: std::time::Duration,
    /// Asked before a paid confirmation opens (credentials, config.toml's money keys).
    pub(crate) paid_check: crate::PaidCheck,
    /// Today's spend as the engine's ledger counts it (USD, an estimate); `None` until the
    /// engine reports it.
    pub(crate) spend_today: Option<f64>,
    pub(crate) help_paths: Vec<String>,
    pub(crate) now: Instant,
    pub(crate) now_ms: i64,
    pub(crate) size: Rect,
    pub(crate) dirty: bool,
    pub(crate) exit: Option<crate::ExitReason>,
    /// Ctrl-Z was pressed: the loop hands the terminal back to the shell.
    pub(crate) suspend: bool,
    /// The keeper change asked of the engine (job, keep), said once the engine writes it.
    pub(crate) keeper_asked: Option<(shotdeck_core::jobs::JobId, bool)>,
}

impl App {
    /// Builds the app; the engine's event receiver is handed back for the loop to poll.
    pub fn new(opened: OpenedBoard, deps: UiDeps) -> (App, Receiver<JobEvent>) {
        let mut doc = Doc::new(
            opened,
            deps.provider,
            deps.config.prices.clone(),
            deps.rescue.clone(),
        )
        .with_profiles(deps.config.profiles.clone());
        let mut warnings = deps.warnings;
        if let Some(why) = &deps.read_only {
            warnings.insert(
                0,
                format!("opened read-only: {why}; edits are not saved unless you save and confirm"),
            );
        }
        doc.set_read_only(deps.read_only);
        let prompt = PromptEditor::new(&doc, deps.styles);
        let mut app = App {
            jobs: JobBook::new(deps.initial_jobs, deps.job_counts),
            retries: RetryBook::default(),
            focus: PaneId::Shots,
            shot_list: ShotList::default(),
            prompt,
            settings: Settings::default(),
            previews: crate::state::previews::Previews::new(deps.config.images, deps.picker),
            timeline: Timeline::default(),
            preview: RequestPreview::default(),
            queue: JobQueue::default(),
            overlay: None,
            zoomed: false,
            palette_entries: crate::overlays::palette::entries(&deps.keymap),
            keymap: deps.keymap,
            styles: deps.styles,
            toast: None,
            messages: MessageLog::default(),
            jobs_tx: deps.jobs_tx,
            host: deps.host,
            notify: deps.config.notify,
            simulated: deps.simulated,
            create_grace: deps.create_grace,
            paid_check: deps.paid_check,
            spend_today: None,
            help_paths: deps.help_paths,
            now: Instant::now(),
            now_ms: crate::event_loop::unix_ms(),
            size: Rect::new(0, 0, 80, 24),
            dirty: true,
            exit: None,
            suspend: false,
            keeper_asked: None,
            doc,
        };
        if !warnings.is_empty() {
            app.show(Toast::error(warnings.join("; ")));
        }
        // The open board's first page, when the engine's first page (every board's
        // newest jobs) does not hold it whole.
        if let Some(cmd) = app.jobs.page_wanted(app.doc.identity(), false, 0) {
            app.send(cmd);
        }
        (app, deps.jobs_rx)
    }

    // ---- read access (tests and the loop) ----

    pub fn board(&self) -> &Board {
        self.doc.board()
    }
    pub fn findings(&self) -> &[Finding] {
        &self.doc.derived().findings
    }
    /// `(method, path)` of the request the preview shows.
    pub fn preview_route(&self) -> Option<(String, String)> {
        let p = self.doc.derived().preview.as_ref().ok()?;
        Some((p.method.clone(), p.path.clone()))
    }
    pub fn doc(&self) -> &Doc {
        &self.doc
    }
    pub fn selected_shot(&self) -> usize {
        self.doc.selected
    }
    pub fn focus(&self) -> PaneId {
        self.focus
    }
    pub fn is_zoomed(&self) -> bool {
        self.zoomed
    }
    /// The pane rects as drawn now (zoom included), or `None` when the terminal is too small.
    pub fn areas(&self) -> Option<crate::root::Areas> {
        crate::root::layout(self.size).map(|a| a.zoomed(self.zoomed.then_some(self.focus)))
    }
    pub fn toast(&self) -> Option<&Toast> {
        self.toast.as_ref()
    }
    /// The message log, oldest first.
    pub fn messages(&self) -> &MessageLog {
        &self.messages
    }
    /// Which overlay is open: `help`, `palette`, `submit`, `retry`, `refused`, `quit`,
    /// `changed_on_disk`, `read_only`, `save_as`, `job_details`, `messages`, `take_compare`
    /// or `image_picker`.
    pub fn overlay_name(&self) -> Option<&'static str> {
        Some(match self.overlay.as_ref()? {
            Overlay::Help(_) => "help",
            Overlay::Palette(_) => "palette",
            Overlay::Confirm(Confirm::Submit(_)) => "submit",
            Overlay::Confirm(Confirm::Retry(_)) => "retry",
            Overlay::Confirm(Confirm::Refused { .. }) => "refused",
            Overlay::Confirm(Confirm::Quit { .. }) => "quit",
            Overlay::File(FileQuestion::Changed { .. }) => "changed_on_disk",
            Overlay::File(FileQuestion::WriteReadOnly { .. }) => "read_only",
            Overlay::File(FileQuestion::SaveAs { .. }) => "save_as",
            Overlay::JobDetails(_) => "job_details",
            Overlay::ImagePicker(_) => "image_picker",
            Overlay::Messages(_) => "messages",
            Overlay::TakeCompare(_) => "take_compare",
        })
    }
    pub fn exit_reason(&self) -> Option<crate::ExitReason> {
        self.exit
    }

    /// The keymap context in force: an overlay's keys are its own, and so are an open
    /// settings field's.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(o) => o.context(),
            None if self.focus == PaneId::Settings && self.settings.is_editing() => {
                Context::FieldEdit
            }
            None if self.typing_filter() => Context::Filter,
            None => self.focus.context(),
        }
    }

    /// True while keys are text (prompt editor, an open settings field, the palette).
    pub fn is_typing(&self) -> bool {
        self.context().is_typing()
    }

    /// The loop sets the clock before each event; tests may pin it.
    pub fn set_clock(&mut self, now: Instant, now_ms: i64) {
        self.now = now;
        self.now_ms = now_ms;
    }

    pub fn set_size(&mut self, size: Rect) {
        if self.size != size {
            self.size = size;
            self.dirty = true;
        }
    }

    /// Whether a redraw is due, clearing the flag.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// While a job is in flight the UI ticks (spinner, elapsed); otherwise it sleeps.
    pub fn wants_tick(&self) -> bool {
        self.jobs.any_active()
    }

    pub fn on_tick(&mut self) {
        self.dirty = true;
    }

    pub fn render(&self, f: &mut Frame) {
        crate::root::render(self, f);
    }

    // ---- terminal events ----

    pub fn handle_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => self.on_key(k),
            Event::Paste(text) => self.on_paste(&text),
            Event::Resize(w, h) => self.set_size(Rect::new(0, 0, w, h)),
            Event::FocusLost => self.save_now(false),
            // Back from another editor or a `git pull`: look at the file again.
            Event::FocusGained => self.check_file(),
            Event::Mouse(m) => self.on_mouse(m),
            _ => {}
        }
        self.sync_preview();
    }

    fn on_key(&mut self, key: KeyEvent) {
        if self.toast.take().is_some() {
            self.dirty = true;
        }
        if self.quit_key_stops_typing(&key) {
            return;
        }
        if self.overlay.is_some() {
            self.overlay_key(key);
            self.dirty = true;
            return;
        }
        let context = self.context();
        if context == Context::Filter {
            self.dirty = true;
            return self.filter_key(key);
        }
        let Some(chord) = KeyChord::from_event(&key) else {
            return;
        };
        match self.keymap.resolve(context, &chord) {
            Some((Context::FieldEdit, action)) => {
                self.dirty = true;
                let flow = self.with_cx(PaneId::Settings, |panes, cx| {
                    panes.settings.field_action(action, cx)
                });
                self.apply_flow(flow);
            }
            Some((_, action)) => {
                self.dirty = true;
                self.dispatch(action);
            }
            // Whatever the table leaves unbound where text is typed edits the text.
            None if context == Context::FieldEdit => {
                self.dirty = true;
                let flow = self.settings.input(key);
                self.apply_flow(flow);
            }
            None if context == Context::Prompt => {
                self.dirty = true;
                let flow = self.with_cx(PaneId::Prompt, |panes, cx| panes.prompt.input(key, cx));
                self.apply_flow(flow);
            }
            None => {
                self.clear_kept_filter(&chord);
            }
        }
    }

    fn on_paste(&mut self, text: &str) {
        self.dirty = true;
        match &mut self.overlay {
            Some(Overlay::Palette(p)) => return p.paste(text, &self.palette_entries),
            Some(Overlay::File(q)) => return q.paste(text),
            Some(Overlay::ImagePicker(p)) => return p.paste(text),
            Some(_) => return,
            None => {}
        }
        let flow = match self.focus {
            PaneId::Prompt => {
                self.with_cx(PaneId::Prompt, |panes, cx| panes.prompt.paste(text, cx))
            }
            PaneId::Settings => self.settings.paste(text),
            _ => Flow::toast_err("paste into the prompt editor or a settings field"),
        };
        self.apply_flow(flow);
    }

    /// Runs `f` with a handling context for `pane` (rows for paging come from the layout).
    pub(crate) fn with_cx<R>(
        &mut self,
        pane: PaneId,
        f: impl FnOnce(&mut PaneStates, &mut PaneCtx) -> R,
    ) -> R {
        let page = self
            .areas()
            .map_or(10, |a| a.pane(pane).height.saturating_sub(2) as usize)
            .max(1);
        let mut cx = PaneCtx {
            doc: &mut self.doc,
            jobs: &self.jobs,
            keys: &self.keymap,
            now: self.now,
            page,
        };
        let mut panes = PaneStates {
            shot_list: &mut self.shot_list,
            prompt: &mut self.prompt,
            settings: &mut self.settings,
            timeline: &mut self.timeline,
            preview: &mut self.preview,
            queue: &mut self.queue,
        };
        f(&mut panes, &mut cx)
    }
}

/// The pane states, borrowed apart from the doc so a pane can edit it while handling.
pub struct PaneStates<'a> {
    pub shot_list: &'a mut ShotList,
    pub prompt: &'a mut PromptEditor,
    pub settings: &'a mut Settings,
    pub timeline: &'a mut Timeline,
    pub preview: &'a mut RequestPreview,
    pub queue: &'a mut JobQueue,
}
