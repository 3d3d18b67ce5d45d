//! The `/` filter over a list (key help, shots, findings, jobs): one line of text typed in
//! the `[filter]` keymap context, Enter keeps it and Esc clears it. Matching is a
//! case-insensitive substring test over the fields each list names.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Block;

use crate::keymap::action::Action;

#[derive(Debug, Clone, Default)]
pub struct FilterInput {
    pub text: String,
    /// Keys are typed into the filter (from `/` until Enter or Esc).
    pub typing: bool,
}

/// What a filter key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterChange {
    /// Not a filter action (or a key that types nothing).
    None,
    /// Typing started or stopped; the rows are the same.
    Mode,
    /// The text changed (typed, erased or cleared): the rows change.
    Text,
}

impl FilterInput {
    /// Whether the list is filtered or the filter is being typed.
    pub fn is_active(&self) -> bool {
        self.typing || !self.text.is_empty()
    }

    /// The text to match, when there is any.
    pub fn query(&self) -> Option<&str> {
        (!self.text.is_empty()).then_some(self.text.as_str())
    }

    /// `/` starts typing, Enter keeps the text, Esc clears it.
    pub fn handle(&mut self, action: Action) -> FilterChange {
        match action {
            Action::Filter => self.typing = true,
            Action::Confirm => self.typing = false,
            Action::Cancel => {
                self.typing = false;
                if !self.text.is_empty() {
                    self.text.clear();
                    return FilterChange::Text;
                }
            }
            _ => return FilterChange::None,
        }
        FilterChange::Mode
    }

    /// A key the `[filter]` context leaves unbound: it edits the text.
    pub fn type_key(&mut self, key: KeyEvent) -> FilterChange {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Backspace if self.text.pop().is_some() => FilterChange::Text,
            KeyCode::Char(c) if plain => {
                self.text.push(c);
                FilterChange::Text
            }
            _ => FilterChange::None,
        }
    }

    /// Whether any of `fields` contains the text, in any case (everything matches an
    /// empty filter).
    pub fn matches<'a>(&self, fields: impl IntoIterator<Item = &'a str>) -> bool {
        let Some(q) = self.query() else {
            return true;
        };
        let q = q.to_lowercase();
        fields.into_iter().any(|f| f.to_lowercase().contains(&q))
    }

    /// Shows [`FilterInput::title`] on the block's bottom border: the top one already
    /// carries the pane's counts, and a narrow pane (the shot list at 80×24) has the
    /// bottom border's whole width for it.
    pub fn on_block<'a>(
        &self,
        block: Block<'a>,
        shown: usize,
        total: usize,
        style: Style,
    ) -> Block<'a> {
        match self.title(shown, total) {
            Some(t) => block.title_bottom(Line::styled(t, style)),
            None => block,
        }
    }

    /// `filter: text (k of n)` for a list's title, with a cursor while typing; `None`
    /// when the list is not filtered.
    pub fn title(&self, shown: usize, total: usize) -> Option<String> {
        if !self.is_active() {
            return None;
        }
        let cursor = if self.typing { "▏" } else { "" };
        Some(format!(
            "filter: {}{cursor} ({shown} of {total}) ",
            self.text
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typed_text_filters_in_any_case_and_esc_clears_it() {
        let mut f = FilterInput::default();
        assert!(f.matches(["anything"]));
        assert_eq!(f.title(3, 3), None);
        assert_eq!(f.handle(Action::Filter), FilterChange::Mode);
        assert_eq!(f.type_key(key(KeyCode::Char('N'))), FilterChange::Text);
        assert_eq!(f.type_key(key(KeyCode::Char('e'))), FilterChange::Text);
        let ctrl_a = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL);
        assert_eq!(f.type_key(ctrl_a), FilterChange::None);
        assert!(f.matches(["Rain", "the NEON sign"]));
        assert!(!f.matches(["Rain"]));
        assert_eq!(f.title(1, 3).as_deref(), Some("filter: Ne▏ (1 of 3) "));
        assert_eq!(f.handle(Action::Confirm), FilterChange::Mode);
        assert_eq!(f.title(1, 3).as_deref(), Some("filter: Ne (1 of 3) "));
        assert_eq!(f.handle(Action::SelectNext), FilterChange::None);
        assert_eq!(f.handle(Action::Cancel), FilterChange::Text);
        assert!(!f.is_active());
        assert_eq!(f.type_key(key(KeyCode::Backspace)), FilterChange::None);
    }
}
