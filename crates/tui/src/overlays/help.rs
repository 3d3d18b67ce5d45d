//! The `?` overlay: the keymap table for the focused pane, then the global keys, then every
//! other context, straight from the same table that dispatches keys.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::keymap::action::Action;
use crate::keymap::{Binding, Context, Keymap};
use crate::labels::fit;
use crate::overlays::layer::{Layer, Outcome, Seen};
use crate::overlays::scroll::Scroll;
use crate::overlays::{centered, framed};
use crate::theme::Styles;
use crate::widgets::filter::{FilterChange, FilterInput};

#[derive(Debug, Clone)]
pub(crate) struct Help {
    pub context: Context,
    pub scroll: Scroll,
    /// `config: …`, `log: …` lines shown under the keys.
    pub paths: Vec<String>,
    /// Only keys whose description or key names contain its text (any case) are listed.
    pub filter: FilterInput,
}

pub(crate) enum HelpFlow {
    Close,
    Stay,
}

impl Help {
    /// An action from the `[help]` keymap.
    pub(crate) fn handle(&mut self, action: Action) -> HelpFlow {
        match (action, self.filter.handle(action)) {
            (Action::Close, _) => return HelpFlow::Close,
            (_, FilterChange::Text) => self.scroll = Scroll::default(),
            (_, FilterChange::Mode) => {}
            (other, FilterChange::None) => {
                self.scroll.handle(other);
            }
        }
        HelpFlow::Stay
    }

    /// A key the `[filter]` context leaves unbound while typing: it edits the filter.
    pub(crate) fn type_key(&mut self, key: KeyEvent) {
        if self.filter.type_key(key) == FilterChange::Text {
            self.scroll = Scroll::default();
        }
    }

    fn shows(&self, b: &Binding) -> bool {
        self.filter
            .matches([b.desc.as_str(), b.keys_label().as_str()])
    }

    fn order(&self) -> Vec<Context> {
        let mut v = vec![self.context];
        if self.context != Context::Global {
            v.push(Context::Global);
        }
        let rest: Vec<Context> = Context::ALL
            .into_iter()
            .filter(|c| !v.contains(c))
            .collect();
        v.extend(rest);
        v
    }

    pub(crate) fn render(&self, f: &mut Frame, area: Rect, keymap: &Keymap, s: &Styles) {
        let box_area = centered(
            area,
            76.max(area.width * 3 / 5),
            area.height.saturating_sub(2),
        );
        let inner = framed(f, box_area, " Keys ", &footer(keymap), s.border_focused, s);
        let width = inner.width.saturating_sub(2) as usize;
        let key_w = 24.min(width / 3);
        let mut lines = Vec::new();
        if self.filter.is_active() {
            let cursor = if self.filter.typing { "▏" } else { "" };
            lines.push(Line::styled(
                format!("/{}{cursor}", self.filter.text),
                s.accent,
            ));
        }
        for c in self.order() {
            let shown: Vec<&Binding> = keymap
                .bindings(c)
                .iter()
                .filter(|b| self.shows(b))
                .collect();
            if shown.is_empty() {
                continue;
            }
            let title = if c == self.context {
                format!("{} (here)", c.title())
            } else {
                c.title().to_string()
            };
            lines.push(Line::styled(title, s.accent));
            for b in shown {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<key_w$} ", fit(&b.keys_label(), key_w)), s.key),
                    Span::styled(fit(&b.desc, width.saturating_sub(key_w + 3)), s.text),
                ]));
            }
            lines.push(Line::default());
        }
        if lines.len() == 1 && !self.filter.text.is_empty() {
            lines.push(Line::styled("no keys match", s.muted));
        }
        for p in self.paths.iter().filter(|_| self.filter.text.is_empty()) {
            lines.push(Line::styled(fit(p, width), s.muted));
        }
        self.scroll.render(f, crate::widgets::pad_x(inner), lines);
    }
}

fn footer(keymap: &Keymap) -> String {
    let key = |a| keymap.key_for(Context::Help, a);
    format!(
        " {}/{} scroll · {} filter · {} close ",
        key(Action::SelectNext),
        key(Action::SelectPrev),
        key(Action::Filter),
        key(Action::Close)
    )
}

impl Layer for Help {
    fn name(&self) -> &'static str {
        "help"
    }
    fn context(&self) -> Context {
        if self.filter.typing {
            Context::Filter
        } else {
            Context::Help
        }
    }
    fn key(&mut self, key: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        match action {
            None if self.filter.typing => self.type_key(key),
            None => {}
            Some(a) => {
                if let HelpFlow::Close = self.handle(a) {
                    return Outcome::Close;
                }
            }
        }
        Outcome::Consumed
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        Help::render(self, f, area, seen.keymap, seen.styles);
    }
}
