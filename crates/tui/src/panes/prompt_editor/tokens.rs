//! `<<<image_N>>>` tokens typed for the user: from a reference row in Settings (through
//! [`Msg::InsertImageToken`]) and by cycling through the references in the prompt.

use tui_textarea::{CursorMove, TextArea};

use super::{PromptEditor, PromptField, Target};
use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::model::msg::{Flow, Msg, Toast};
use crate::panes::PaneCtx;
use shotdeck_core::rules::{image_placeholder_spans, referable_images};

impl PromptEditor {
    /// Inserts `<<<image_n>>>` at the prompt's cursor as one undo step, with a space on
    /// either side where it would otherwise touch a word, and says so.
    pub fn insert_image_token(&mut self, n: usize, cx: &mut PaneCtx) -> Flow {
        self.field = PromptField::Prompt;
        let token = format!("<<<image_{n}>>>");
        let (before, after) = around_cursor(&self.prompt.textarea);
        let mut text = token.clone();
        if before.is_some_and(|c| !c.is_whitespace()) {
            text.insert(0, ' ');
        }
        if after.is_some_and(|c| !c.is_whitespace()) {
            text.push(' ');
        }
        cx.doc.break_burst();
        let flow = self.edit(cx, true, |t| t.insert_str(&text));
        if !matches!(flow, Flow::Handled) {
            return flow;
        }
        let whose = match Target::of(cx.doc) {
            Target::Shot(i) => format!("shot {}'s prompt", i + 1),
            _ => "the prompt".to_string(),
        };
        let undo = cx.keys.key_for(Context::Global, Action::Undo);
        Flow::Msg(Msg::Toast(Toast::info(format!(
            "inserted {token} into {whose} ({undo} undoes)"
        ))))
    }

    /// Right after a token (one just inserted), the next reference's replaces it; anywhere
    /// else the first reference's is inserted.
    pub(super) fn cycle_image_token(&mut self, cx: &mut PaneCtx) -> Flow {
        let n = referable_images(cx.doc.board());
        if n == 0 {
            return Flow::toast_err(
                "no reference images to name: reference mode sends them as <<<image_N>>>",
            );
        }
        self.field = PromptField::Prompt;
        let t = &self.prompt.textarea;
        let tui_textarea::DataCursor(row, col) = t.cursor();
        let line = &t.lines()[row];
        let at = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
        let just_before = image_placeholder_spans(line)
            .into_iter()
            .find(|(range, _)| range.end == at);
        let Some((range, k)) = just_before else {
            return self.insert_image_token(1, cx);
        };
        let token = format!("<<<image_{}>>>", k % n + 1);
        let chars = line[range].chars().count();
        cx.doc.break_burst();
        self.edit(cx, true, |t| {
            t.move_cursor(CursorMove::Jump(row as u16, (col - chars) as u16));
            t.delete_str(chars);
            t.insert_str(&token)
        })
    }
}

/// The characters just before and after a textarea's cursor, on its line.
fn around_cursor(t: &TextArea) -> (Option<char>, Option<char>) {
    let tui_textarea::DataCursor(row, col) = t.cursor();
    let line = &t.lines()[row];
    let before = col.checked_sub(1).and_then(|c| line.chars().nth(c));
    (before, line.chars().nth(col))
}
