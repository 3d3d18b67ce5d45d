//! `y`'s small menu: which text goes to the clipboard (the request JSON, the shot's prompt,
//! the job's file path). Its rows and keys are the `[copy_menu]` table's, so help, the menu
//! and a user's override say the same; the copy itself is the app's (it owns the host).

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::overlays::layer::{Layer, Outcome, Reply, Seen};
use crate::overlays::{DialogFrame, dialog};

#[derive(Debug, Default)]
pub(crate) struct CopyMenu;

impl Layer for CopyMenu {
    fn name(&self) -> &'static str {
        "copy_menu"
    }
    fn context(&self) -> Context {
        Context::CopyMenu
    }
    fn key(&mut self, _: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        match action {
            Some(Action::Close) => Outcome::Close,
            // Closed first: the status line then says what was copied, over the panes.
            Some(a @ (Action::CopyRequest | Action::CopyPrompt | Action::CopyPath)) => {
                Outcome::CloseWith(Reply::Run(Context::Global, a))
            }
            _ => Outcome::Consumed,
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        let s = seen.styles;
        let lines = seen
            .keymap
            .bindings(Context::CopyMenu)
            .iter()
            .filter(|b| b.action != Action::Close)
            .map(|b| {
                Line::from(vec![
                    Span::styled(format!("{:>4}  ", b.keys_label()), s.key),
                    Span::styled(b.desc.clone(), s.text),
                ])
            })
            .collect();
        let footer = format!(
            " {} close ",
            seen.keymap.key_for(Context::CopyMenu, Action::Close)
        );
        let frame = DialogFrame {
            title: " Copy (OSC 52) ",
            border: s.border_focused,
            footer,
            min_width: 60,
            spare_rows: 3,
        };
        dialog(f, area, frame, lines, s);
    }
}
