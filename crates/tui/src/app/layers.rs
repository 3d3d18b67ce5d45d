//! The app's side of the layer stack: routing keys, pastes and the mouse to the top layer,
//! doing what a layer asks when it answers, and opening the layers built from model data.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::app::App;
use crate::keymap::keys::KeyChord;
use crate::model::history::EditKind;
use crate::model::msg::{Flow, PaneId};
use crate::model::settings_fields::{SettingField, apply_text};
use crate::overlays::compare::TakeCompare;
use crate::overlays::details::JobDetails;
use crate::overlays::image_picker::ImagePicker;
use crate::overlays::layer::{Layer, Outcome, Reply};
use shotdeck_core::compare::{TakeFacts, compare};
use shotdeck_core::jobs::{JobCmd, JobId, JobRecord};
use shotdeck_files::image_files;

impl App {
    /// A key while a layer is open: the top layer's own context's action, else (for a layer
    /// that takes text) text.
    pub(crate) fn layer_key(&mut self, key: KeyEvent) {
        let chord = KeyChord::from_event(&key);
        let seen = crate::overlays::layer::Seen {
            keymap: &self.env.keymap,
            styles: &self.env.styles,
            jobs: &self.model.jobs,
            messages: &self.model.messages,
        };
        let keymap = &self.env.keymap;
        let answered = self.layers.route(|layer: &mut dyn Layer| {
            let action = chord
                .as_ref()
                .and_then(|c| keymap.resolve(layer.context(), c))
                .map(|(_, action)| action);
            layer.key(key, action, &seen)
        });
        if let Some((at, outcome)) = answered {
            self.layer_answered(at, outcome);
        }
    }

    pub(crate) fn layer_paste(&mut self, text: &str) {
        if let Some((at, outcome)) = self.layers.route(|layer| layer.paste(text)) {
            self.layer_answered(at, outcome);
        }
    }

    pub(crate) fn layer_mouse(&mut self, m: MouseEvent) {
        if let Some((at, outcome)) = self.layers.route(|layer| layer.mouse(m)) {
            self.dirty = true;
            self.layer_answered(at, outcome);
        }
    }

    fn layer_answered(&mut self, at: usize, outcome: Outcome) {
        match outcome {
            Outcome::Consumed | Outcome::Pass => {}
            Outcome::Close => self.layers.remove(at),
            Outcome::Ask(reply) => self.reply(reply),
            Outcome::CloseWith(reply) => {
                self.layers.remove(at);
                self.reply(reply);
            }
        }
    }

    fn reply(&mut self, reply: Reply) {
        match reply {
            Reply::Msg(msg) => self.apply_flow(Flow::Msg(msg)),
            Reply::Run(context, action) => {
                if let Some(pane) = PaneId::of_context(context) {
                    self.set_focus(pane);
                }
                self.dispatch(action);
            }
            Reply::Vim(cmd) => self.run_vim(cmd),
            Reply::Pick(field, path) => self.picked_image(field, path),
            Reply::AddElement(element) => self.add_element(element),
            Reply::Confirmed(c) => self.confirmed(c),
            Reply::Answered(question, answer) => self.answered(question, answer),
        }
    }

    /// Opens the selected job's record and asks the engine for its history.
    pub(crate) fn open_job_details(&mut self) {
        let selected = self
            .panes
            .queue
            .selected_id(&self.model.jobs, self.model.doc.identity());
        match selected {
            Some(id) => {
                self.layers.push(JobDetails::new(id));
                self.send(JobCmd::Details(id));
            }
            None => self.toast_error("no job selected"),
        }
    }

    /// The engine's answer: fills the open record if it is this job's.
    pub(crate) fn on_job_details(&mut self, record: Box<JobRecord>) {
        if let Some(d) = self.layers.find_mut::<JobDetails>()
            && d.id == record.view.id
        {
            d.record = Some(record);
        }
    }

    /// Opens the comparison and asks the engine for both takes.
    pub(crate) fn open_compare(&mut self, a: JobId, b: JobId) {
        let view = TakeCompare::new(a, b);
        self.send(JobCmd::Compare(view.ids[0], view.ids[1]));
        self.layers.push(view);
    }

    /// The engine's answer: fills the open comparison if it is of these two jobs.
    pub(crate) fn on_compared(&mut self, takes: [TakeFacts; 2]) {
        if let Some(c) = self.layers.find_mut::<TakeCompare>()
            && c.ids == [takes[0].id, takes[1].id]
        {
            let diff = compare(&takes[0], &takes[1]);
            c.compared = Some((Box::new(takes), diff));
        }
    }

    /// Opens the picker for the selected settings row, which must take an image.
    pub(crate) fn open_image_picker(&mut self) {
        let fields = SettingField::all(self.model.doc.board());
        let target = fields[self.panes.settings.selected.min(fields.len() - 1)];
        if !matches!(
            target,
            SettingField::FirstFrame
                | SettingField::LastFrame
                | SettingField::Reference(_)
                | SettingField::AddReference
        ) {
            self.toast_error("select First frame, Last frame or a reference row to pick an image");
            return;
        }
        let files = image_files::walk_images(self.model.doc.board_dir());
        self.layers.push(ImagePicker::new(target, files));
    }

    /// Puts `path` in `field` as one undoable edit.
    fn picked_image(&mut self, field: SettingField, path: String) {
        let now = self.now;
        let flow: Flow = self
            .model
            .doc
            .edit(EditKind::Discrete, now, |b, _| {
                apply_text(field, b, path).map(drop)
            })
            .into();
        self.model.doc.break_burst();
        if field == SettingField::AddReference {
            let n = self.model.doc.board().references.len();
            let b = self.model.doc.board();
            self.panes
                .settings
                .select_field(b, SettingField::Reference(n.saturating_sub(1)));
        }
        self.focus = PaneId::Settings;
        self.apply_flow(flow);
    }
}
