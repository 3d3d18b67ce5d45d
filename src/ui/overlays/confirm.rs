//! Confirmations: submit (provider, duration, quality, estimated cost), a refused submit
//! (with the errors that block it) and quitting while a job is in flight.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::core::{Finding, Provider};
use crate::ui::keymap::action::Action;
use crate::ui::keymap::{Context, Keymap};
use crate::ui::labels::{finding_text, secs, severity_mark};
use crate::ui::overlays::{DialogFrame, dialog};
use crate::ui::theme::Styles;

#[derive(Debug, Clone, PartialEq)]
pub enum Confirm {
    Submit {
        provider: Provider,
        seconds: f64,
        shots: Option<usize>,
        quality: String,
        model: String,
        /// `≈ $1.01 (…, estimate)`, or why there is none.
        cost: String,
        warnings: usize,
    },
    /// Not a question: why a submit cannot happen.
    Refused { errors: Vec<Finding> },
    /// `unsaved_ok`: the board could not be saved; yes means quit without it.
    Quit { reason: String, unsaved_ok: bool },
}

pub enum ConfirmFlow {
    Yes,
    No,
    Stay,
}

impl Confirm {
    /// Where its keys come from: a refused submit asks nothing, so it only closes.
    pub fn context(&self) -> Context {
        match self {
            Confirm::Refused { .. } => Context::Notice,
            _ => Context::Confirm,
        }
    }

    /// An action from its keymap context.
    pub fn handle(&self, action: Action) -> ConfirmFlow {
        match (self.context(), action) {
            (Context::Confirm, Action::Confirm) => ConfirmFlow::Yes,
            (Context::Confirm, Action::Cancel) | (Context::Notice, Action::Close) => {
                ConfirmFlow::No
            }
            _ => ConfirmFlow::Stay,
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, keymap: &Keymap, s: &Styles) {
        let keys = |a| keymap.key_names(self.context(), a, 2);
        let (title, border, lines, footer) = match self {
            Confirm::Submit {
                provider,
                seconds,
                shots,
                quality,
                model,
                cost,
                warnings,
            } => {
                let shots = shots.map_or("single shot".to_string(), |n| {
                    format!("{n} shot{}", if n == 1 { "" } else { "s" })
                });
                let mut l = vec![
                    kv("Provider", provider.as_str().to_string(), s),
                    kv("Duration", format!("{} s ({shots})", secs(*seconds)), s),
                    kv("Quality", format!("{quality} · {model}"), s),
                    kv("Cost", cost.clone(), s),
                ];
                if *warnings > 0 {
                    l.push(Line::default());
                    l.push(Line::styled(
                        format!("{warnings} warning(s): see the timeline"),
                        s.warn,
                    ));
                }
                let footer = format!(
                    " {} submit · {} cancel ",
                    keys(Action::Confirm),
                    keys(Action::Cancel)
                );
                (" Submit? ", s.border_focused, l, footer)
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
                (" Submit refused ", s.error, l, footer)
            }
            Confirm::Quit { reason, .. } => (
                " Quit? ",
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
            title,
            border,
            footer,
            min_width: 64,
            spare_rows: 3,
        };
        dialog(f, area, frame, lines, s);
    }
}

fn kv(k: &str, v: String, s: &Styles) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k:<10}"), s.muted),
        Span::styled(v, s.text),
    ])
}
