//! The prompt editor: a textarea for the selected shot's prompt (or the single prompt when
//! multi-shot is off) with a live `n/512` counter and the shot's findings under it, and a
//! second one for the negative prompt. The app offers keys to the `[prompt]` keymap first;
//! whatever is left is editing input for the textarea. A text taller than its place says
//! so: the prompt on the pane's bottom border, the negative prompt after its label.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_textarea::{CursorMove, TextArea};

use crate::keymap::action::Action;
use crate::labels::{finding_text, fit, more_marker_in, severity_mark};
use crate::model::doc::Doc;
use crate::model::history::EditKind;
use crate::model::msg::{Flow, Msg, PaneId};
use crate::panes::prompt_text::{Look, PromptText};
use crate::panes::{PaneCtx, View};
use crate::theme::Styles;
use crate::widgets::pad_x;
use shotdeck_core::rules::{char_len, referable_images};
use shotdeck_core::{Board, FieldPath, ShotField};

mod tokens;

/// Which text the prompt textarea edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Shot(usize),
    Single,
    /// A multi-shot board with no shots: nothing to edit.
    Nothing,
}

impl Target {
    pub fn of(doc: &Doc) -> Target {
        let b = doc.board();
        if !b.uses_shot_list() {
            Target::Single
        } else if doc.selected < b.shots.len() {
            Target::Shot(doc.selected)
        } else {
            Target::Nothing
        }
    }

    fn path(self) -> FieldPath {
        match self {
            Target::Shot(i) => FieldPath::shot(i, ShotField::Prompt),
            Target::Single | Target::Nothing => FieldPath::Prompt,
        }
    }

    pub(crate) fn text(self, b: &Board) -> &str {
        match self {
            Target::Shot(i) => b.shots.get(i).map_or("", |s| s.prompt.as_str()),
            Target::Single => &b.prompt,
            Target::Nothing => "",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptField {
    Prompt,
    Negative,
}

pub struct PromptEditor {
    prompt: PromptText,
    negative: PromptText,
    loaded: Target,
    pub field: PromptField,
    styles: Styles,
}

const PROMPT_PLACEHOLDER: &str = "Describe the shot…";
const NEGATIVE_PLACEHOLDER: &str = "What to avoid (optional)";

impl PromptEditor {
    pub fn new(doc: &Doc, styles: Styles) -> PromptEditor {
        let target = Target::of(doc);
        PromptEditor {
            prompt: PromptText::new(target.text(doc.board()), PROMPT_PLACEHOLDER, &styles),
            negative: PromptText::new(&doc.board().negative_prompt, NEGATIVE_PLACEHOLDER, &styles),
            loaded: target,
            field: PromptField::Prompt,
            styles,
        }
    }

    /// Puts the cursor at the end of the active text, ready to append.
    pub fn cursor_to_end(&mut self) {
        let t = &mut self.active().textarea;
        t.move_cursor(CursorMove::Bottom);
        t.move_cursor(CursorMove::End);
    }

    fn active(&mut self) -> &mut PromptText {
        match self.field {
            PromptField::Prompt => &mut self.prompt,
            PromptField::Negative => &mut self.negative,
        }
    }

    /// Reloads a textarea whose text no longer matches the board (selection moved, undo,
    /// a shot deleted). The cursor is kept when the text is unchanged.
    pub fn sync(&mut self, doc: &Doc) {
        let target = Target::of(doc);
        let text = target.text(doc.board());
        if target != self.loaded || self.prompt.text() != text {
            self.prompt = PromptText::new(text, PROMPT_PLACEHOLDER, &self.styles);
            self.loaded = target;
        }
        if self.negative.text() != doc.board().negative_prompt {
            self.negative = PromptText::new(
                &doc.board().negative_prompt,
                NEGATIVE_PLACEHOLDER,
                &self.styles,
            );
        }
    }

    pub fn handle(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        let n = cx.doc.board().shots.len();
        match action {
            Action::LeaveEditor => {
                cx.doc.break_burst();
                return Flow::Msg(Msg::Focus(PaneId::Shots));
            }
            Action::ToggleNegative | Action::EditNegative | Action::EditPrompt => {
                self.field = match (action, self.field) {
                    (Action::EditNegative, _) | (Action::ToggleNegative, PromptField::Prompt) => {
                        PromptField::Negative
                    }
                    _ => PromptField::Prompt,
                };
            }
            Action::CycleImageToken => return self.cycle_image_token(cx),
            Action::NextShot | Action::SelectNext => {
                cx.doc
                    .select((cx.doc.selected + 1).min(n.saturating_sub(1)));
                self.field = PromptField::Prompt;
            }
            Action::PrevShot | Action::SelectPrev => {
                cx.doc.select(cx.doc.selected.saturating_sub(1));
                self.field = PromptField::Prompt;
            }
            _ => return Flow::Ignored,
        }
        cx.doc.break_burst();
        self.sync(cx.doc);
        // Landing in a field to type: ready to append.
        self.cursor_to_end();
        Flow::Handled
    }

    /// Editing input (characters, Backspace, arrows, ...) for the active textarea.
    pub fn input(&mut self, key: KeyEvent, cx: &mut PaneCtx) -> Flow {
        // Up and down go by the rows as drawn, not by the lines of the text.
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        let down = match key.code {
            KeyCode::Up if plain => Some(false),
            KeyCode::Down if plain => Some(true),
            _ => None,
        };
        if let Some(down) = down
            && self.active().move_row(down)
        {
            return Flow::Handled;
        }
        self.edit(cx, false, |t| t.input(key))
    }

    /// Bracketed paste: the whole text as one edit.
    pub fn paste(&mut self, text: &str, cx: &mut PaneCtx) -> Flow {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        self.edit(cx, false, |t| t.insert_str(&text))
    }

    fn edit(
        &mut self,
        cx: &mut PaneCtx,
        discrete: bool,
        f: impl FnOnce(&mut TextArea<'static>) -> bool,
    ) -> Flow {
        let target = Target::of(cx.doc);
        if self.field == PromptField::Prompt && target == Target::Nothing {
            return Flow::toast_err("no shot to write a prompt for: add one in the shot list");
        }
        let (area, path) = match self.field {
            PromptField::Prompt => (&mut self.prompt, target.path()),
            PromptField::Negative => (&mut self.negative, FieldPath::NegativePrompt),
        };
        if !f(&mut area.textarea) {
            return Flow::Handled; // the cursor moved
        }
        let text = area.text();
        let kind = if discrete {
            EditKind::Discrete
        } else {
            EditKind::Typing(path)
        };
        let field = self.field;
        let now = cx.now;
        cx.doc
            .edit(kind, now, move |b, _| {
                match (field, target) {
                    (PromptField::Negative, _) => b.negative_prompt = text,
                    (PromptField::Prompt, Target::Shot(i)) => {
                        if let Some(shot) = b.shots.get_mut(i) {
                            shot.prompt = text;
                        }
                    }
                    (PromptField::Prompt, _) => b.prompt = text,
                }
                Ok(())
            })
            .into()
    }

    pub fn render(&self, f: &mut Frame, area: Rect, v: &View) {
        let s = v.styles;
        let board = v.doc.board();
        let limits = v.doc.limits();
        let target = Target::of(v.doc);
        let (what, max) = match target {
            Target::Shot(i) if area.width >= 44 => (
                format!("Shot {} of {}", i + 1, board.shots.len()),
                limits.shot_prompt_max_chars,
            ),
            Target::Shot(i) => {
                let max = limits.shot_prompt_max_chars;
                let n = board.shots.len();
                // "┌ 2 Prompt · Shot 2/3 ─ 127/512 ┐": where the counter on the right
                // would cover the shot's number, the number alone.
                let counter = format!("{}/{max}", char_len(target.text(board)));
                let long = format!("Shot {}/{n}", i + 1);
                let fits = 18 + long.len() + counter.len() <= usize::from(area.width);
                (if fits { long } else { format!("{}/{n}", i + 1) }, max)
            }
            // Auto multi-shot edits the one prompt too; the model cuts it into shots.
            Target::Single if area.width >= 44 && board.multi_shot => {
                ("auto shots prompt".to_string(), limits.prompt_max_chars)
            }
            Target::Single if board.multi_shot => ("auto".to_string(), limits.prompt_max_chars),
            Target::Single if area.width >= 44 => {
                ("single prompt".to_string(), limits.prompt_max_chars)
            }
            Target::Single => ("single".to_string(), limits.prompt_max_chars),
            Target::Nothing => ("no shot".to_string(), limits.shot_prompt_max_chars),
        };
        let len = char_len(target.text(board));
        let mut counter = counter_spans(len, max, s);
        counter.insert(0, Span::styled(" ", s.muted));
        counter.push(Span::styled(" ", s.muted));
        let block = v
            .block(PaneId::Prompt, Span::styled(format!("· {what} "), s.muted))
            .title_top(Line::from(counter).right_aligned());
        let inner = pad_x(block.inner(area));
        f.render_widget(block, area);

        let big = inner.height >= 12;
        let [text_area, findings_area, neg_label, neg_area] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(if big { 3 } else { 1 }),
            Constraint::Length(1),
            Constraint::Length(if big { 3 } else { 1 }),
        ])
        .areas(inner);

        let look = |field| Look {
            styles: s,
            referable_images: referable_images(board),
            elements: board.elements.len(),
            voices: board.voices.len(),
            cursor: v.focused && self.field == field,
        };
        let (prompt_cursor, prompt_hidden) =
            self.prompt.render(f, text_area, &look(PromptField::Prompt));
        // Over the bottom border, clear of the corners.
        let border = Rect::new(
            area.x + 1,
            area.bottom() - 1,
            area.width.saturating_sub(2),
            1,
        );
        let (above, below) = (prompt_hidden.above, prompt_hidden.below);
        if let Some(m) = more_marker_in(above, below, border.width as usize, " ") {
            f.render_widget(Line::from(Span::styled(m, s.muted)).right_aligned(), border);
        }
        self.render_findings(f, findings_area, v, target.path());
        let (negative_cursor, negative_hidden) =
            self.negative
                .render(f, neg_area, &look(PromptField::Negative));
        let neg_len = char_len(&board.negative_prompt);
        let neg_max = limits.negative_prompt_max_chars;
        let label_style = if self.field == PromptField::Negative && v.focused {
            s.title_focused
        } else {
            s.muted
        };
        let mut label = vec![Span::styled("Negative ", label_style)];
        label.extend(counter_spans(neg_len, neg_max, s));
        let room = (neg_label.width as usize).saturating_sub(Line::from(label.clone()).width());
        let (above, below) = (negative_hidden.above, negative_hidden.below);
        if let Some(m) = more_marker_in(above, below, room, " ") {
            label.push(Span::styled(m, s.muted));
        }
        f.render_widget(Line::from(label), neg_label);
        if let Some(pos) = prompt_cursor.or(negative_cursor) {
            f.set_cursor_position(pos);
        }
    }

    fn render_findings(&self, f: &mut Frame, area: Rect, v: &View, prompt_path: FieldPath) {
        let s = v.styles;
        let path = match self.field {
            PromptField::Negative => FieldPath::NegativePrompt,
            PromptField::Prompt => prompt_path,
        };
        let shot = match Target::of(v.doc) {
            Target::Shot(i) => Some(i),
            _ => None,
        };
        let own: Vec<_> = v
            .doc
            .derived()
            .findings
            .iter()
            .filter(|x| x.path == path || (shot.is_some() && x.shot_index() == shot))
            .collect();
        let rows = area.height as usize;
        let width = area.width as usize;
        let mut lines: Vec<Line> = own
            .iter()
            .take(rows)
            .map(|x| {
                let style = match x.severity {
                    shotdeck_core::Severity::Error => s.error,
                    shotdeck_core::Severity::Warning => s.warn,
                };
                Line::styled(
                    fit(
                        &format!("{} {}", severity_mark(x.severity), finding_text(x)),
                        width,
                    ),
                    style,
                )
            })
            .collect();
        if own.len() > rows && rows > 0 {
            lines.truncate(rows - 1);
            lines.push(Line::styled(
                format!("… {} more in the timeline", own.len() - (rows - 1)),
                s.muted,
            ));
        }
        if own.is_empty() {
            lines.push(Line::styled("✓ no findings here", s.ok));
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}

/// `len/max`. Within the limit the count is in the text's own style and only `/max` is
/// muted: the digit that changes with every typed character then needs no colour switch,
/// which keeps a keystroke's echo to the character and that digit (see
/// `ui::terminal::encode`). Near and over the limit the whole counter takes the warning or
/// error style.
fn counter_spans(len: usize, max: usize, s: &Styles) -> Vec<Span<'static>> {
    let whole = |style| vec![Span::styled(format!("{len}/{max}"), style)];
    if len > max {
        whole(s.error)
    } else if len * 10 > max * 9 {
        whole(s.warn)
    } else {
        vec![
            Span::styled(len.to_string(), s.text),
            Span::styled(format!("/{max}"), s.muted),
        ]
    }
}
