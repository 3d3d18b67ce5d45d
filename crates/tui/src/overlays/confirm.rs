//! Confirmations: the paid ones (submit, retry; see `paid.rs` for what they show), a
//! refused submit (with the errors that block it) and quitting while a job is in flight.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::labels::{finding_text, severity_mark};
use crate::overlays::layer::{Layer, Outcome, Reply, Seen};
use crate::overlays::paid::{Paid, RetryAsk};
use crate::overlays::{DialogFrame, dialog};
use crate::theme::Styles;
use shotdeck_core::Finding;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Confirm {
    /// A paid submit of the board as it is.
    Submit(Paid),
    /// How to try a job again: poll its task (free), or send the board or its stored
    /// request as a new job (paid). Boxed: it carries the board's summary besides its own.
    Retry(Box<RetryAsk>),
    /// Not a question: why a submit cannot happen.
    Refused { errors: Vec<Finding> },
    /// Not a question: a submit refused for a reason other than the board's errors (it
    /// continues from another board's keeper), in the refusal's own words.
    Blocked { why: String },
    /// `unsaved_ok`: the board could not be saved; yes means quit without it.
    Quit { reason: String, unsaved_ok: bool },
}

pub(crate) enum ConfirmFlow {
    Yes,
    No,
    Stay,
}

impl Confirm {
    /// Where its keys come from: a refused submit asks nothing, so it only closes.
    pub(crate) fn context(&self) -> Context {
        match self {
            Confirm::Refused { .. } | Confirm::Blocked { .. } => Context::Notice,
            _ => Context::Confirm,
        }
    }

    /// An action from its keymap context; moving the selection changes a retry's choice,
    /// and `+`/`-` or a digit (`key`) a submit's count of takes.
    pub(crate) fn handle(&mut self, action: Action, key: Option<char>) -> ConfirmFlow {
        if let Confirm::Submit(paid) = &mut *self {
            match action {
                Action::ValueNext => paid.set_takes(paid.takes + 1),
                Action::ValuePrev => paid.set_takes(paid.takes.saturating_sub(1)),
                Action::TakesCount => {
                    if let Some(n) = key.and_then(|c| c.to_digit(10)) {
                        paid.set_takes(n);
                    }
                }
                _ => {}
            }
        }
        if let (Confirm::Retry(ask), Action::SelectNext | Action::SelectPrev) = (&mut *self, action)
        {
            ask.choose(action == Action::SelectNext);
            return ConfirmFlow::Stay;
        }
        match (self.context(), action) {
            (Context::Confirm, Action::Confirm) => ConfirmFlow::Yes,
            (Context::Confirm, Action::Cancel) | (Context::Notice, Action::Close) => {
                ConfirmFlow::No
            }
            _ => ConfirmFlow::Stay,
        }
    }

    pub(crate) fn render(&self, f: &mut Frame, area: Rect, keymap: &Keymap, s: &Styles) {
        let keys = |a| keymap.key_names(self.context(), a, 2);
        let (title, border, lines, footer) = match self {
            Confirm::Submit(paid) => {
                let footer = format!(
                    " {} submit · {} takes · {} cancel ",
                    keys(Action::Confirm),
                    keymap.key_names(self.context(), Action::ValueNext, 1)
                        + "/"
                        + &keymap.key_names(self.context(), Action::ValuePrev, 1),
                    keys(Action::Cancel)
                );
                let title = match paid.takes {
                    1 => " Submit? ".to_string(),
                    n => format!(" Submit {n} takes? "),
                };
                (title, s.border_focused, paid.lines(s), footer)
            }
            Confirm::Retry(ask) => {
                let footer = format!(
                    " {} choose · {} {} · {} cancel ",
                    keys(Action::SelectNext),
                    keys(Action::Confirm),
                    ask.verb(),
                    keys(Action::Cancel)
                );
                let title = format!(" Retry job #{}? ", ask.job);
                (title, s.border_focused, ask.lines(s), footer)
            }
            Confirm::Refused { errors } => {
                let mut l = vec![
                    Line::styled(
                        format!(
                            "Cannot submit: {} error{} block it.",
                            errors.len(),
                            if errors.len() == 1 { "" } else { "s" }
                        ),
                        s.error,
                    ),
                    Line::default(),
                ];
                l.extend(errors.iter().map(|e| {
                    Line::styled(
                        format!("{} {}", severity_mark(e.severity), finding_text(e)),
                        s.error,
                    )
                }));
                let footer = format!(" {} close ", keys(Action::Close));
                (" Submit refused ".to_string(), s.error, l, footer)
            }
            Confirm::Blocked { why } => (
                " Submit refused ".to_string(),
                s.error,
                vec![Line::styled(format!("Cannot submit: {why}."), s.error)],
                format!(" {} close ", keys(Action::Close)),
            ),
            Confirm::Quit { reason, .. } => (
                " Quit? ".to_string(),
                s.warn,
                vec![Line::styled(reason.clone(), s.text)],
                format!(
                    " {} quit · {} stay ",
                    keys(Action::Confirm),
                    keys(Action::Cancel)
                ),
            ),
        };
        let frame = DialogFrame {
            title: &title,
            border,
            footer,
            min_width: 64,
            spare_rows: 3,
        };
        dialog(f, area, frame, lines, s);
    }
}

impl Layer for Confirm {
    fn name(&self) -> &'static str {
        match self {
            Confirm::Submit(_) => "submit",
            Confirm::Retry(_) => "retry",
            Confirm::Refused { .. } | Confirm::Blocked { .. } => "refused",
            Confirm::Quit { .. } => "quit",
        }
    }
    fn context(&self) -> Context {
        Confirm::context(self)
    }
    fn key(&mut self, key: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        let typed = match key.code {
            crossterm::event::KeyCode::Char(c) => Some(c),
            _ => None,
        };
        match action.map_or(ConfirmFlow::Stay, |a| self.handle(a, typed)) {
            ConfirmFlow::Yes => Outcome::CloseWith(Reply::Confirmed(self.clone())),
            ConfirmFlow::No => Outcome::Close,
            ConfirmFlow::Stay => Outcome::Consumed,
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        Confirm::render(self, f, area, seen.keymap, seen.styles);
    }
}
