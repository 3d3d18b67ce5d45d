//! Adding an element from the account's library: the engine lists it (the editor stays
//! off HTTP), the picker shows it, the choice is appended to the board's `elements`.

use crate::app::App;
use crate::model::history::EditKind;
use crate::model::msg::{Flow, PaneId};
use crate::model::settings_fields::SettingField;
use crate::overlays::element_picker::ElementPicker;
use shotdeck_core::elements::LibraryItem;
use shotdeck_core::jobs::JobCmd;
use shotdeck_core::model::ElementRef;

impl App {
    /// Asks the engine for the library of the board's provider; the answer opens the picker.
    pub(crate) fn ask_library(&mut self) {
        let provider = self.model.doc.provider();
        self.library_asked = true;
        self.send(JobCmd::Elements { provider });
        self.toast_info("reading the element library…");
    }

    /// The engine's answer: the picker, or why there is none, as a message.
    pub(crate) fn on_library(&mut self, answer: Result<Vec<LibraryItem>, String>) {
        if !std::mem::take(&mut self.library_asked) {
            return;
        }
        match answer {
            Ok(items) => {
                self.model.toast = None;
                self.layers.push(ElementPicker::new(items));
            }
            Err(why) => self.toast_error(why),
        }
    }

    /// Appends `element` to the board's elements as one undoable edit and says which
    /// token now names it.
    pub(crate) fn add_element(&mut self, element: ElementRef) {
        let name = if element.name.is_empty() {
            format!("id {}", element.id)
        } else {
            element.name.clone()
        };
        let now = self.now;
        let flow: Flow = self
            .model
            .doc
            .edit(EditKind::Discrete, now, |b, _| {
                b.elements.push(element);
                Ok(())
            })
            .into();
        self.model.doc.break_burst();
        let n = self.model.doc.board().elements.len();
        let b = self.model.doc.board();
        self.panes
            .settings
            .select_field(b, SettingField::Element(n.saturating_sub(1)));
        self.focus = PaneId::Settings;
        self.apply_flow(flow);
        self.toast_info(format!(
            "element {n} added: {name}; write <<<element_{n}>>> in a prompt"
        ));
    }
}
