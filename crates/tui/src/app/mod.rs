//! The app: focus, the layer stack over the panes, and the model, with what connects them
//! to the outside (the engine's channel, the host). Keys go to the top layer first, else
//! are looked up in the keymap context in force (an open field's or the focused pane's),
//! then globally where that context allows; what an action does lives in `dispatch.rs`.
//! Every handler marks the app dirty when something visible changed; the loop draws only then.

mod copy;
pub mod deps;
mod dispatch;
mod element_previews;
mod engine;
pub mod event_loop;
pub mod external;
pub mod file_guard;
mod filters;
mod layers;
mod library;
mod mouse;
mod paid;
mod previews;
mod quit;
pub mod root;

use std::time::Instant;

use crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use tokio::sync::mpsc::{Receiver, Sender};

use crate::app::deps::{PaidCheck, UiDeps};
use crate::app::event_loop::ExitReason;
use crate::host::Host;
use crate::keymap::keys::KeyChord;
use crate::keymap::{Context, Keymap};
use crate::model::Model;
use crate::model::doc::{Doc, OpenedBoard};
use crate::model::jobs::JobBook;
use crate::model::messages::MessageLog;
use crate::model::msg::{Flow, PaneId, Toast};
use crate::overlays::layer::{Layers, Seen};
use crate::overlays::palette::Entry;
use crate::panes::job_queue::JobQueue;
use crate::panes::previews::Previews;
use crate::panes::prompt_editor::PromptEditor;
use crate::panes::request_preview::RequestPreview;
use crate::panes::settings::Settings;
use crate::panes::shot_list::ShotList;
use crate::panes::timeline::Timeline;
use crate::panes::{PaneCtx, Panes};
use crate::theme::Styles;
use shotdeck_core::jobs::{JobCmd, JobEvent};
use shotdeck_core::{Board, Finding};

pub struct App {
    pub(crate) model: Model,
    /// The six panes' view states (and the settings pane's image preview).
    pub(crate) panes: Panes,
    /// The overlays open over the panes, bottom first; the top one takes the keys.
    pub(crate) layers: Layers,
    pub(crate) focus: PaneId,
    /// The focused pane fills the screen (`z`).
    pub(crate) zoomed: bool,
    pub(crate) env: Env,
    pub(crate) now: Instant,
    /// Unix milliseconds for the same instant (elapsed times, the message log's clock).
    pub(crate) now_ms: i64,
    pub(crate) size: Rect,
    pub(crate) dirty: bool,
    pub(crate) exit: Option<ExitReason>,
    /// Ctrl-Z was pressed: the loop hands the terminal back to the shell.
    pub(crate) suspend: bool,
    /// The element library was asked for: its answer opens the picker (a late answer
    /// after another ask opens one picker, not two).
    pub(crate) library_asked: bool,
    /// `E` was pressed: the loop hands the terminal to the user's editor.
    pub(crate) external: Option<crate::app::external::ExternalEdit>,
    /// A board written in the editor that did not parse: the next `E` opens it again.
    pub(crate) kept_board_text: Option<String>,
}

/// What the app was started with and keeps: keys, looks, the engine's channel, the host.
pub(crate) struct Env {
    pub(crate) keymap: Keymap,
    pub(crate) palette_entries: Vec<Entry>,
    pub(crate) styles: Styles,
    pub(crate) jobs_tx: Sender<JobCmd>,
    pub(crate) host: Box<dyn Host>,
    /// config.toml's `notify`: how a job's end is announced.
    pub(crate) notify: shotdeck_files::config::NotifyMode,
    pub(crate) simulated: bool,
    /// How long quitting waits for a create in flight to record its task (the engine's).
    pub(crate) create_grace: std::time::Duration,
    /// Asked before a paid confirmation opens (credentials, config.toml's money keys).
    pub(crate) paid_check: PaidCheck,
    pub(crate) help_paths: Vec<String>,
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
        let panes = Panes {
            shot_list: ShotList::default(),
            prompt: PromptEditor::new(&doc, deps.styles),
            settings: Settings::default(),
            timeline: Timeline::default(),
            preview: RequestPreview::default(),
            queue: JobQueue::default(),
            previews: Previews::new(deps.config.images, deps.picker)
                .with_element_dir(deps.element_previews),
        };
        let env = Env {
            palette_entries: crate::overlays::palette::entries(&deps.keymap),
            keymap: deps.keymap,
            styles: deps.styles,
            jobs_tx: deps.jobs_tx,
            host: deps.host,
            notify: deps.config.notify,
            simulated: deps.simulated,
            create_grace: deps.create_grace,
            paid_check: deps.paid_check,
            help_paths: deps.help_paths,
        };
        let mut app = App {
            model: Model::new(doc, JobBook::new(deps.initial_jobs, deps.job_counts)),
            panes,
            layers: Layers::default(),
            focus: PaneId::Shots,
            zoomed: false,
            env,
            now: Instant::now(),
            now_ms: crate::app::event_loop::unix_ms(),
            size: Rect::new(0, 0, 80, 24),
            dirty: true,
            exit: None,
            suspend: false,
            library_asked: false,
            external: None,
            kept_board_text: None,
        };
        app.model.doc.set_sequence(deps.sequence);
        if !warnings.is_empty() {
            app.show(Toast::error(warnings.join("; ")));
        }
        // The open board's first page, when the engine's first page (every board's
        // newest jobs) does not hold it whole.
        if let Some(cmd) = app
            .model
            .jobs
            .page_wanted(app.model.doc.identity(), false, 0)
        {
            app.send(cmd);
        }
        (app, deps.jobs_rx)
    }

    // ---- read access (tests and the loop) ----

    pub fn board(&self) -> &Board {
        self.model.doc.board()
    }
    pub fn findings(&self) -> &[Finding] {
        &self.model.doc.derived().findings
    }
    /// `(method, path)` of the request the preview shows.
    pub fn preview_route(&self) -> Option<(String, String)> {
        let p = self.model.doc.derived().preview.as_ref().ok()?;
        Some((p.method.clone(), p.path.clone()))
    }
    pub fn doc(&self) -> &Doc {
        &self.model.doc
    }
    pub fn selected_shot(&self) -> usize {
        self.model.doc.selected
    }
    pub fn focus(&self) -> PaneId {
        self.focus
    }
    pub fn is_zoomed(&self) -> bool {
        self.zoomed
    }
    /// The pane rects as drawn now (zoom included), or `None` when the terminal is too small.
    pub fn areas(&self) -> Option<crate::app::root::Areas> {
        crate::app::root::layout(self.size).map(|a| a.zoomed(self.zoomed.then_some(self.focus)))
    }
    pub fn toast(&self) -> Option<&Toast> {
        self.model.toast.as_ref()
    }
    /// The message log, oldest first.
    pub fn messages(&self) -> &MessageLog {
        &self.model.messages
    }
    /// Which overlay is on top: `help`, `palette`, `submit`, `retry`, `refused`, `quit`,
    /// `changed_on_disk`, `read_only`, `save_as`, `job_details`, `messages`, `take_compare`,
    /// `image_picker` or `copy_menu`.
    pub fn overlay_name(&self) -> Option<&'static str> {
        self.layers.top().map(|l| l.name())
    }
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.exit
    }

    /// The keymap context in force: an overlay's keys are its own, and so are an open
    /// settings field's.
    pub fn context(&self) -> Context {
        match self.layers.top() {
            Some(layer) => layer.context(),
            None if self.focus == PaneId::Settings && self.panes.settings.is_editing() => {
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
        self.model.jobs.any_active()
    }

    pub fn on_tick(&mut self) {
        self.dirty = true;
    }

    pub fn render(&self, f: &mut Frame) {
        crate::app::root::render(self, f);
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
        if self.model.toast.take().is_some() {
            self.dirty = true;
        }
        if self.quit_key_stops_typing(&key) {
            return;
        }
        if !self.layers.is_empty() {
            self.layer_key(key);
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
        match self.env.keymap.resolve(context, &chord) {
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
                let flow = self.panes.settings.input(key);
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
        if !self.layers.is_empty() {
            return self.layer_paste(text);
        }
        let flow = match self.focus {
            PaneId::Prompt => {
                self.with_cx(PaneId::Prompt, |panes, cx| panes.prompt.paste(text, cx))
            }
            PaneId::Settings => self.panes.settings.paste(text),
            _ => Flow::toast_err("paste into the prompt editor or a settings field"),
        };
        self.apply_flow(flow);
    }

    /// Runs `f` with a handling context for `pane` (rows for paging come from the layout).
    pub(crate) fn with_cx<R>(
        &mut self,
        pane: PaneId,
        f: impl FnOnce(&mut Panes, &mut PaneCtx) -> R,
    ) -> R {
        let page = self
            .areas()
            .map_or(10, |a| a.pane(pane).height.saturating_sub(2) as usize)
            .max(1);
        let mut cx = PaneCtx {
            doc: &mut self.model.doc,
            jobs: &self.model.jobs,
            keys: &self.env.keymap,
            now: self.now,
            page,
        };
        f(&mut self.panes, &mut cx)
    }

    /// What the layers read to draw and to answer keys.
    pub(crate) fn seen(&self) -> Seen<'_> {
        Seen {
            keymap: &self.env.keymap,
            styles: &self.env.styles,
            jobs: &self.model.jobs,
            messages: &self.model.messages,
        }
    }
}
