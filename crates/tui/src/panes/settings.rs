//! Settings: mode, model, quality, aspect ratio, cfg_scale, sound, watermark, multi-shot,
//! the single-shot duration, first/last frame and reference images. Choices cycle in place;
//! text and path fields open a one-line editor and are applied (and probed) on Enter only,
//! so typing a path never reads the disk.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_textarea::{CursorMove, TextArea};

use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::labels::fit;
use crate::model::edit::Refusal;
use crate::model::history::EditKind;
use crate::model::msg::{Flow, Msg, PaneId, Toast};
use crate::model::settings_fields::{apply_text, clear, step};
use crate::panes::image_preview;
use crate::panes::settings_complete::PathCompletion;
use crate::panes::{PaneCtx, View};
use crate::widgets::hits::RowHits;
use crate::widgets::{mark_hidden, moved_selection, pad_x};
use shotdeck_core::images::ImageFact;
use shotdeck_core::model::{Board, is_url};
use shotdeck_core::renumber::{self, Renumbered};

pub use crate::model::settings_fields::SettingField;

#[derive(Default)]
pub struct Settings {
    pub selected: usize,
    pub hits: RowHits,
    editing: Option<(SettingField, TextArea<'static>)>,
    completion: PathCompletion,
}

impl Settings {
    pub fn is_editing(&self) -> bool {
        self.editing.is_some()
    }

    /// Drops an open field without applying it (focus moved elsewhere).
    pub fn cancel_editing(&mut self) {
        self.editing = None;
    }

    /// A click on row `i`: an open field closes unapplied when another row is picked.
    pub fn select_row(&mut self, i: usize) {
        if i != self.selected {
            self.cancel_editing();
        }
        self.selected = i;
    }

    pub fn select_field(&mut self, b: &Board, field: SettingField) {
        if let Some(i) = SettingField::all(b).iter().position(|f| *f == field) {
            self.selected = i;
        }
    }

    fn current(&self, b: &Board) -> SettingField {
        let all = SettingField::all(b);
        all[self.selected.min(all.len() - 1)]
    }

    pub fn handle(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        let len = SettingField::all(cx.doc.board()).len();
        let field = self.current(cx.doc.board());
        let now = cx.now;
        let limits = &cx.doc.limits();
        if let Some(to) = moved_selection(action, self.selected, len, cx.page) {
            self.selected = to;
            return Flow::Handled;
        }
        match action {
            Action::ValueNext | Action::ValuePrev if !field.steps() => {
                let edit = cx.keys.key_for(Context::Settings, Action::EditValue);
                return Flow::toast_err(format!("press {edit} to edit this field"));
            }
            Action::ValueNext | Action::ValuePrev => {
                let dir = if action == Action::ValueNext { 1 } else { -1 };
                return cx
                    .doc
                    .edit(EditKind::Discrete, now, |b, _| step(field, b, dir, limits))
                    .into();
            }
            Action::EditValue if field.is_text() => self.start_editing(field, cx.doc.board()),
            Action::EditValue => {
                return cx
                    .doc
                    .edit(EditKind::Discrete, now, |b, _| step(field, b, 1, limits))
                    .into();
            }
            Action::InsertImageToken => {
                return match field {
                    SettingField::Reference(i) => Flow::Msg(Msg::InsertImageToken(i + 1)),
                    _ => Flow::toast_err("select a reference image to insert its <<<image_N>>>"),
                };
            }
            Action::AddReference => {
                self.select_field(cx.doc.board(), SettingField::AddReference);
                self.start_editing(SettingField::AddReference, cx.doc.board());
            }
            Action::MoveReferenceUp | Action::MoveReferenceDown => {
                let SettingField::Reference(i) = field else {
                    return Flow::toast_err("select a reference image to move it");
                };
                let n = cx.doc.board().references.len();
                let to = if action == Action::MoveReferenceUp {
                    i.checked_sub(1)
                } else {
                    Some(i + 1).filter(|t| *t < n)
                };
                let Some(to) = to else { return Flow::Handled };
                let mut renumbered = Renumbered::default();
                let done = cx.doc.edit(EditKind::Discrete, now, |b, _| {
                    renumbered = renumber::move_reference(b, i, to);
                    Ok(())
                });
                self.select_field(cx.doc.board(), SettingField::Reference(to));
                return said(done, &renumbered);
            }
            Action::ClearValue if !field.clears() => {
                let key = |a| cx.keys.key_for(Context::Settings, a);
                return Flow::toast_err(format!(
                    "this setting cannot be cleared; change it with {}/{}",
                    key(Action::ValuePrev),
                    key(Action::ValueNext)
                ));
            }
            Action::ClearValue => {
                let mut renumbered = Renumbered::default();
                let done = cx.doc.edit(EditKind::Discrete, now, |b, _| {
                    renumbered = clear(field, b)?;
                    Ok(())
                });
                return said(done, &renumbered);
            }
            _ => return Flow::Ignored,
        }
        cx.doc.break_burst();
        Flow::Handled
    }

    fn start_editing(&mut self, field: SettingField, b: &Board) {
        self.edit_line(field, field.text(b));
    }

    fn edit_line(&mut self, field: SettingField, text: String) {
        let mut t = TextArea::new(vec![text]);
        t.set_max_histories(0);
        t.set_cursor_style(Style::new());
        t.set_cursor_line_style(Style::new());
        t.move_cursor(CursorMove::End);
        self.editing = Some((field, t));
    }

    /// An action from the `[field_edit]` keymap while a field is open: confirm applies the
    /// value (and only then is a path read), cancel drops it.
    pub fn field_action(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        let Some((field, t)) = self.editing.as_ref() else {
            return Flow::Ignored;
        };
        match action {
            Action::Cancel => self.editing = None,
            Action::CompletePath if field.is_path() => {
                let (field, typed) = (*field, t.lines().join(""));
                let done = self.completion.tab(cx.doc.board_dir(), &typed);
                if let Some(text) = done.text {
                    self.edit_line(field, text);
                }
                return done
                    .message
                    .map_or(Flow::Handled, |m| Flow::Msg(Msg::Toast(Toast::info(m))));
            }
            Action::Confirm => {
                let (field, value) = (*field, t.lines().join("").trim().to_string());
                self.editing = None;
                let now = cx.now;
                let mut renumbered = Renumbered::default();
                let done = cx.doc.edit(EditKind::Discrete, now, |b, _| {
                    renumbered = apply_text(field, b, value)?;
                    Ok(())
                });
                if field == SettingField::AddReference {
                    let n = cx.doc.board().references.len();
                    self.select_field(cx.doc.board(), SettingField::Reference(n.saturating_sub(1)));
                }
                return said(done, &renumbered);
            }
            _ => return Flow::Ignored,
        }
        Flow::Handled
    }

    /// A key the `[field_edit]` keymap leaves to the line: it edits the text.
    pub fn input(&mut self, key: KeyEvent) -> Flow {
        match self.editing.as_mut() {
            Some((_, t)) => {
                t.input(key);
                Flow::Handled
            }
            None => Flow::Ignored,
        }
    }

    pub fn paste(&mut self, text: &str) -> Flow {
        match self.editing.as_mut() {
            Some((_, t)) => {
                t.insert_str(text.replace(['\r', '\n'], ""));
                Flow::Handled
            }
            None => Flow::Ignored,
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, v: &View) {
        let s = v.styles;
        let b = v.doc.board();
        let block = v.block(PaneId::Settings, "");
        let inner = pad_x(block.inner(area));
        f.render_widget(block, area);
        let fields = SettingField::all(b);
        let selected = self.selected.min(fields.len() - 1);
        let w = inner.width as usize;
        let label_w = match w {
            40.. => 13,
            26.. => 12,
            _ => 11,
        };
        let findings = &v.doc.derived().findings;
        let mut lines = Vec::new();
        let rows = image_preview::split(v.previews, inner.height as usize, fields.len(), v.zoomed);
        let range = self.hits.window(fields.len(), selected, rows.list);
        self.hits.record(inner, range.start, range.len(), 1);
        let below = fields.len() - range.end;
        mark_hidden(f, area, range.start, below, s.muted);
        let (top, list_len) = (range.start, range.len());
        for i in range {
            let field = fields[i];
            let path = field.path();
            let worst = findings
                .iter()
                .filter(|x| x.path == path)
                .map(|x| x.severity)
                .min();
            let (mark, mark_style) = match worst {
                Some(shotdeck_core::Severity::Error) => ("✗", s.error),
                Some(shotdeck_core::Severity::Warning) => ("!", s.warn),
                None => (" ", Style::new()),
            };
            let value_style = if field.unused(b) { s.muted } else { s.text };
            let mut spans = vec![
                Span::styled(mark, mark_style),
                // Always a gap before the value: a label as wide as its column is shortened.
                Span::styled(
                    format!(
                        "{:<label_w$}",
                        crate::labels::fit(&field.label(), label_w - 1)
                    ),
                    s.muted,
                ),
            ];
            let room = w.saturating_sub(1 + label_w);
            if let Some((ef, _)) = &self.editing
                && *ef == field
            {
                spans.push(Span::raw(""));
            } else {
                let value = field.value(b);
                let note = note(field, b, v);
                let value = fit(&value, room);
                let left =
                    room.saturating_sub(unicode_width::UnicodeWidthStr::width(value.as_str()) + 1);
                spans.push(Span::styled(value, value_style));
                if let Some((text, style)) = note
                    && left >= 8
                {
                    spans.push(Span::styled(format!(" {}", fit(&text, left)), style));
                }
            }
            lines.push(Line::from(spans).style(v.sel_style(i == selected)));
        }
        if rows.picture > 0 || rows.explain > 0 {
            lines.push(Line::default());
            lines.extend((0..rows.picture).map(|_| Line::default()));
        }
        if rows.explain > 0 {
            let field = fields[selected];
            let mut budget = rows.explain;
            let path = field.path();
            for x in findings.iter().filter(|x| x.path == path) {
                let style = match x.severity {
                    shotdeck_core::Severity::Error => s.error,
                    shotdeck_core::Severity::Warning => s.warn,
                };
                let text = format!("{} {}", crate::labels::severity_mark(x.severity), x.message);
                for l in crate::labels::wrap(&text, w, budget) {
                    lines.push(Line::styled(l, style));
                    budget -= 1;
                }
            }
            let help = match field.key_help(v.keymap) {
                Some(keys) => format!("{} {keys}", field.help()),
                None => field.help().to_string(),
            };
            for l in crate::labels::wrap(&help, w, budget) {
                lines.push(Line::styled(l, s.muted));
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
        if rows.picture > 0 {
            let y = inner.y + list_len as u16 + 1;
            let r = Rect::new(inner.x, y, inner.width, rows.picture);
            image_preview::render(f, r, v.previews, s);
        }
        if let Some((field, t)) = &self.editing
            && let Some(row) = fields.iter().position(|x| x == field)
            && row >= top
        {
            let y = inner.y + (row - top) as u16;
            let x = inner.x + 1 + label_w as u16;
            let r = Rect::new(x, y, inner.width.saturating_sub(1 + label_w as u16), 1);
            if y < inner.bottom() && r.width > 0 {
                f.render_widget(t, r);
                let col = (t.screen_cursor().col as u16).saturating_sub(t.scroll_offset().1);
                f.set_cursor_position(Position::new((r.x + col).min(r.right() - 1), y));
            }
        }
    }
}

/// What is known about an image row's file (from the probe cache; never read here).
fn note(field: SettingField, b: &Board, v: &View) -> Option<(String, Style)> {
    let s = v.styles;
    let reference = match field {
        SettingField::FirstFrame | SettingField::LastFrame | SettingField::Reference(_) => {
            field.text(b)
        }
        _ => return None,
    };
    if reference.is_empty() {
        return None;
    }
    if field.unused(b) {
        return Some((format!("(unused in {} mode)", b.mode.as_str()), s.muted));
    }
    if is_url(&reference) {
        return Some(("URL".into(), s.muted));
    }
    match v.doc.images().get(&reference)? {
        ImageFact::Local {
            format,
            width,
            height,
            bytes,
        } => Some((
            format!(
                "{format} {width}×{height} {}",
                crate::labels::megabytes(*bytes)
            ),
            s.muted,
        )),
        ImageFact::Remote => Some(("URL".into(), s.muted)),
        ImageFact::Missing(why) => Some((format!("missing: {why}"), s.error)),
        ImageFact::Unreadable(why) => Some((format!("unreadable: {why}"), s.error)),
    }
}

/// An edit's flow, saying which `<<<image_N>>>` tokens moved with the reference list.
fn said(done: Result<(), Refusal>, renumbered: &Renumbered) -> Flow {
    match (done, renumbered.summary()) {
        (Ok(()), Some(note)) => Flow::Msg(Msg::Toast(Toast::info(note))),
        (done, _) => done.into(),
    }
}
