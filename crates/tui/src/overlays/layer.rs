//! Overlays as a stack of layers over the panes. The top layer gets every key first and
//! answers with an [`Outcome`]; each layer owns its state, its keymap context (so its keys,
//! help and hints come from the one keymap table) and its drawing. A layer never sees the
//! app: what it wants done beyond itself it hands back as a [`Reply`].

use std::any::Any;

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::model::jobs::JobBook;
use crate::model::messages::MessageLog;
use crate::model::msg::Msg;
use crate::model::settings_fields::SettingField;
use crate::model::vim::VimCommand;
use crate::overlays::confirm::Confirm;
use crate::overlays::file_question::{FileAnswer, FileQuestion};
use crate::theme::Styles;

/// What a layer reads of the model to draw itself and to answer a key. Read-only.
pub(crate) struct Seen<'a> {
    pub(crate) keymap: &'a Keymap,
    pub(crate) styles: &'a Styles,
    pub(crate) jobs: &'a JobBook,
    pub(crate) messages: &'a MessageLog,
}

/// What a layer did with an event.
pub(crate) enum Outcome {
    /// Handled (or deliberately ignored): the layers below never see it.
    Consumed,
    /// Not this layer's: the layer below may take it.
    Pass,
    /// Take this layer off the stack.
    Close,
    /// Stay open and ask the app for something.
    Ask(Reply),
    /// Take this layer off the stack, then ask the app for something. The layer is gone
    /// first, so a second confirm key has nothing left to confirm.
    CloseWith(Reply),
}

/// What a layer asks of the app.
pub(crate) enum Reply {
    /// Whatever a pane may ask (open a file, show a message).
    Msg(Msg),
    /// A palette row: focus its pane (if it names one) and run its action.
    Run(Context, Action),
    /// `:w`, `:q`, `:wq`, `:q!` typed in the palette.
    Vim(VimCommand),
    /// The image picker's choice for a settings row.
    Pick(SettingField, String),
    /// The element picker's choice, for the board's `elements`.
    AddElement(shotdeck_core::model::ElementRef),
    /// Yes to a confirmation.
    Confirmed(Confirm),
    /// An answer to a question about the board's file.
    Answered(FileQuestion, FileAnswer),
}

pub(crate) trait Layer: AsAny + Send {
    /// How tests and scripts name it: `help`, `palette`, `submit`, `changed_on_disk`, …
    fn name(&self) -> &'static str;

    /// The keymap context that takes the keys while this layer is on top.
    fn context(&self) -> Context;

    /// A key; `action` is what the keymap binds it to in [`Layer::context`], `None` when
    /// the table leaves it unbound (text, for a layer that takes text).
    fn key(&mut self, key: KeyEvent, action: Option<Action>, seen: &Seen) -> Outcome;

    /// Pasted text; only layers with a text field take it.
    fn paste(&mut self, _text: &str) -> Outcome {
        Outcome::Consumed
    }

    /// The mouse; text layers scroll by keys and questions wait for a key, so by default
    /// it does nothing (and nothing needs redrawing).
    fn mouse(&mut self, _m: MouseEvent) -> Outcome {
        Outcome::Pass
    }

    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen);
}

/// For the app to update a layer it opened when the engine answers (a job's record, two
/// takes compared): every layer is one, through the blanket impl.
pub(crate) trait AsAny {
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The open layers, bottom first.
#[derive(Default)]
pub(crate) struct Layers {
    stack: Vec<Box<dyn Layer>>,
}

impl Layers {
    pub(crate) fn push(&mut self, layer: impl Layer + 'static) {
        self.stack.push(Box::new(layer));
    }

    pub(crate) fn pop(&mut self) -> Option<Box<dyn Layer>> {
        self.stack.pop()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    pub(crate) fn top(&self) -> Option<&dyn Layer> {
        self.stack.last().map(|l| l.as_ref())
    }

    /// The open layer of type `T`, topmost first.
    pub(crate) fn find_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.stack
            .iter_mut()
            .rev()
            .find_map(|l| l.as_mut().as_any_mut().downcast_mut::<T>())
    }

    /// Draws every layer, bottom first, so the top one is drawn last, over the rest.
    pub(crate) fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        for layer in &self.stack {
            layer.render(f, area, seen);
        }
    }

    /// Offers `event` to the layers from the top down until one does not pass it; the
    /// index of the layer that answered comes back with its outcome. Keys under an overlay
    /// never reach the panes, so a key every layer passes is dropped.
    pub(crate) fn route(
        &mut self,
        mut offer: impl FnMut(&mut dyn Layer) -> Outcome,
    ) -> Option<(usize, Outcome)> {
        for i in (0..self.stack.len()).rev() {
            match offer(self.stack[i].as_mut()) {
                Outcome::Pass => continue,
                outcome => return Some((i, outcome)),
            }
        }
        None
    }

    /// Takes the layer at `i` off the stack (the one that asked to close).
    pub(crate) fn remove(&mut self, i: usize) {
        if i < self.stack.len() {
            self.stack.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlays::details::JobDetails;
    use crate::overlays::messages::MessagesView;

    /// A layer that answers every key with `answer` and counts what it was offered.
    struct Probe {
        answer: fn() -> Outcome,
        offered: usize,
    }

    impl Layer for Probe {
        fn name(&self) -> &'static str {
            "probe"
        }
        fn context(&self) -> Context {
            Context::Help
        }
        fn key(&mut self, _: KeyEvent, _: Option<Action>, _: &Seen) -> Outcome {
            self.offered += 1;
            (self.answer)()
        }
        fn render(&self, _: &mut Frame, _: Rect, _: &Seen) {}
    }

    fn offer(layers: &mut Layers) -> Option<usize> {
        let key = KeyEvent::from(crossterm::event::KeyCode::Char('x'));
        let (keymap, styles) = (Keymap::defaults(), Styles::monochrome());
        let (jobs, messages) = (JobBook::new(Vec::new(), None), MessageLog::default());
        let seen = Seen {
            keymap: &keymap,
            styles: &styles,
            jobs: &jobs,
            messages: &messages,
        };
        layers.route(|l| l.key(key, None, &seen)).map(|(at, _)| at)
    }

    #[test]
    fn the_top_layer_answers_first_and_a_pass_goes_down() {
        let mut layers = Layers::default();
        let probe = |answer| Probe { answer, offered: 0 };
        layers.push(probe(|| Outcome::Consumed));
        layers.push(probe(|| Outcome::Consumed));
        assert_eq!(offer(&mut layers), Some(1), "the top one answers");
        assert_eq!(layers.find_mut::<Probe>().map(|p| p.offered), Some(1));
        layers.remove(1);
        assert_eq!(layers.find_mut::<Probe>().map(|p| p.offered), Some(0));
        layers.push(probe(|| Outcome::Pass));
        assert_eq!(
            offer(&mut layers),
            Some(0),
            "a pass reaches the layer below"
        );
        layers.remove(0);
        assert_eq!(
            offer(&mut layers),
            None,
            "a key every layer passes is dropped"
        );
    }

    #[test]
    fn an_open_layer_is_found_by_its_type_under_others() {
        let mut layers = Layers::default();
        layers.push(JobDetails::new(7));
        layers.push(MessagesView::new());
        assert_eq!(layers.top().map(|l| l.name()), Some("messages"));
        assert_eq!(layers.find_mut::<JobDetails>().map(|d| d.id), Some(7));
        layers.pop();
        assert!(layers.find_mut::<MessagesView>().is_none());
        assert_eq!(layers.top().map(|l| l.name()), Some("job_details"));
    }
}
