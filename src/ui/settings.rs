//! Settings: mode, model, quality, aspect ratio, cfg_scale, sound, watermark, multi-shot,
//! the single-shot duration, first/last frame and reference images. Choices cycle in place;
//! text and path fields open a one-line editor and are applied (and probed) on Enter only,
//! so typing a path never reads the disk.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_textarea::{CursorMove, TextArea};

use super::action::Action;
use super::edit;
use super::history::EditKind;
use super::labels::fit;
use super::pane::{Cx, Flow, PaneId, View, pad_x, scroll_window};
use crate::core::Limits;
use crate::core::images::ImageFact;
use crate::core::model::{Board, Mode, is_url};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Mode,
    Model,
    Quality,
    Aspect,
    Cfg,
    Sound,
    Watermark,
    MultiShot,
    Duration,
    FirstFrame,
    LastFrame,
    Reference(usize),
    AddReference,
}

impl Field {
    /// The rows the board currently has.
    pub fn all(b: &Board) -> Vec<Field> {
        let mut v = vec![
            Field::Title,
            Field::Mode,
            Field::Model,
            Field::Quality,
            Field::Aspect,
            Field::Cfg,
            Field::Sound,
            Field::Watermark,
            Field::MultiShot,
        ];
        if !b.multi_shot {
            v.push(Field::Duration);
        }
        v.extend([Field::FirstFrame, Field::LastFrame]);
        v.extend((0..b.references.len()).map(Field::Reference));
        v.push(Field::AddReference);
        v
    }

    fn label(self) -> String {
        match self {
            Field::Title => "Title".into(),
            Field::Mode => "Mode".into(),
            Field::Model => "Model".into(),
            Field::Quality => "Quality".into(),
            Field::Aspect => "Aspect".into(),
            Field::Cfg => "CFG scale".into(),
            Field::Sound => "Sound".into(),
            Field::Watermark => "Watermark".into(),
            Field::MultiShot => "Multi-shot".into(),
            Field::Duration => "Duration".into(),
            Field::FirstFrame => "First frame".into(),
            Field::LastFrame => "Last frame".into(),
            Field::Reference(i) => format!("Ref {}", i + 1),
            Field::AddReference => "+ reference".into(),
        }
    }

    /// One line on what the setting means, shown when there is room.
    fn help(self) -> &'static str {
        match self {
            Field::Title => "Names the board in the job list; not sent.",
            Field::Mode => {
                "text: prompt only · image: a first frame guides · reference: images named <<<image_N>>> in prompts."
            }
            Field::Model => {
                "The model asked for (reference boards use the -omni variant on kling)."
            }
            Field::Quality => "std or pro (pro costs more).",
            Field::Aspect => "16:9, 9:16 or 1:1. Image mode ignores it: the first frame decides.",
            Field::Cfg => "0–1: how closely the video follows the prompt.",
            Field::Sound => "Generate audio with the video (costs more).",
            Field::Watermark => "Ask the provider to watermark the video.",
            Field::MultiShot => {
                "on: up to 6 shots with their own prompts · off: one prompt for the whole video."
            }
            Field::Duration => "Length of a single-shot video, 3–15 s.",
            Field::FirstFrame => {
                "Image mode: a JPG/PNG path (relative to the board) or an http(s) URL."
            }
            Field::LastFrame => "Image mode, single-shot only: the frame the video ends on.",
            Field::Reference(_) => {
                "Reference mode: prompts name it as <<<image_N>>>. Enter edits, x removes."
            }
            Field::AddReference => "Enter: add a reference image (path or URL).",
        }
    }

    /// The finding path this row answers for.
    pub fn path(self) -> Option<String> {
        Some(match self {
            Field::Model => "model".into(),
            Field::Quality => "quality".into(),
            Field::Aspect => "aspect_ratio".into(),
            Field::Cfg => "cfg_scale".into(),
            Field::Duration => "duration".into(),
            Field::FirstFrame => "first_frame".into(),
            Field::LastFrame => "last_frame".into(),
            Field::Reference(i) => format!("references[{i}]"),
            Field::AddReference => "references".into(),
            _ => return None,
        })
    }

    /// The row for a finding path, for "go to finding".
    pub fn for_path(b: &Board, path: &str) -> Option<Field> {
        Field::all(b)
            .into_iter()
            .find(|f| f.path().as_deref() == Some(path))
    }

    fn is_text(self) -> bool {
        matches!(
            self,
            Field::Title
                | Field::Model
                | Field::FirstFrame
                | Field::LastFrame
                | Field::Reference(_)
                | Field::AddReference
        )
    }

    fn text(self, b: &Board) -> String {
        match self {
            Field::Title => b.title.clone(),
            Field::Model => b.model.clone(),
            Field::FirstFrame => b.first_frame.clone().unwrap_or_default(),
            Field::LastFrame => b.last_frame.clone().unwrap_or_default(),
            Field::Reference(i) => b.references.get(i).cloned().unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn value(self, b: &Board) -> String {
        let on = |v: bool| if v { "on" } else { "off" }.to_string();
        match self {
            Field::Mode => b.mode.as_str().into(),
            Field::Quality => b.quality.clone(),
            Field::Aspect => match &b.aspect_ratio {
                Some(r) => r.clone(),
                None => format!("{} (default)", b.effective_aspect_ratio()),
            },
            Field::Cfg => format!("{:.2}", b.cfg_scale),
            Field::Sound => on(b.sound),
            Field::Watermark => on(b.watermark),
            Field::MultiShot => on(b.multi_shot),
            Field::Duration => format!("{} s", super::labels::secs(b.duration)),
            Field::AddReference => String::new(),
            text => {
                let t = text.text(b);
                if t.is_empty() { "—".into() } else { t }
            }
        }
    }

    /// Image rows the current mode does not send.
    fn unused(self, b: &Board) -> bool {
        match self {
            Field::FirstFrame | Field::LastFrame => b.mode != Mode::Image,
            Field::Reference(_) | Field::AddReference => b.mode != Mode::Reference,
            _ => false,
        }
    }
}

/// Changes a choice field by one step (toggles ignore the direction).
fn step(field: Field, b: &mut Board, dir: i32, limits: &Limits) -> Result<(), String> {
    match field {
        Field::Mode => edit::cycle_mode(b, dir),
        Field::Model => {
            b.model = edit::cycle(&["kling-v3", "kling-v3-omni"], &b.model, dir).into();
        }
        Field::Quality => b.quality = edit::cycle(limits.qualities, &b.quality, dir).into(),
        Field::Aspect => {
            let current = b.effective_aspect_ratio().to_string();
            b.aspect_ratio = Some(edit::cycle(limits.aspect_ratios, &current, dir).into());
        }
        Field::Cfg => edit::nudge_cfg_scale(b, dir, limits),
        Field::Sound => b.sound = !b.sound,
        Field::Watermark => b.watermark = !b.watermark,
        Field::MultiShot => b.multi_shot = !b.multi_shot,
        Field::Duration => {
            edit::change_duration(b, 0, dir, limits)?;
        }
        _ => return Err("press Enter to edit this field".into()),
    }
    Ok(())
}

#[derive(Default)]
pub struct Settings {
    pub selected: usize,
    editing: Option<(Field, TextArea<'static>)>,
}

impl Settings {
    pub fn is_editing(&self) -> bool {
        self.editing.is_some()
    }

    pub fn select_field(&mut self, b: &Board, field: Field) {
        if let Some(i) = Field::all(b).iter().position(|f| *f == field) {
            self.selected = i;
        }
    }

    fn current(&self, b: &Board) -> Field {
        let all = Field::all(b);
        all[self.selected.min(all.len() - 1)]
    }

    pub fn handle(&mut self, action: Action, cx: &mut Cx) -> Flow {
        let len = Field::all(cx.doc.board()).len();
        let field = self.current(cx.doc.board());
        let now = cx.now;
        let limits = cx.doc.limits();
        match action {
            Action::SelectNext => self.selected = (self.selected + 1).min(len - 1),
            Action::SelectPrev => self.selected = self.selected.min(len - 1).saturating_sub(1),
            Action::SelectFirst => self.selected = 0,
            Action::SelectLast => self.selected = len - 1,
            Action::PageDown => self.selected = (self.selected + cx.page).min(len - 1),
            Action::PageUp => self.selected = self.selected.saturating_sub(cx.page),
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
            Action::AddReference => {
                self.select_field(cx.doc.board(), Field::AddReference);
                self.start_editing(Field::AddReference, cx.doc.board());
            }
            Action::ClearValue => {
                return cx
                    .doc
                    .edit(EditKind::Discrete, now, |b, _| clear(field, b))
                    .into();
            }
            _ => return Flow::Ignored,
        }
        cx.doc.break_burst();
        Flow::Handled
    }

    fn start_editing(&mut self, field: Field, b: &Board) {
        let mut t = TextArea::new(vec![field.text(b)]);
        t.set_max_histories(0);
        t.set_cursor_style(Style::new());
        t.set_cursor_line_style(Style::new());
        t.move_cursor(CursorMove::End);
        self.editing = Some((field, t));
    }

    /// Keys while a field is open: Enter applies, Esc cancels, the rest edits the line.
    pub fn input(&mut self, key: KeyEvent, cx: &mut Cx) -> Flow {
        let Some((field, t)) = self.editing.as_mut() else {
            return Flow::Ignored;
        };
        match key.code {
            KeyCode::Esc => self.editing = None,
            KeyCode::Enter => {
                let (field, value) = (*field, t.lines().join("").trim().to_string());
                self.editing = None;
                let now = cx.now;
                let flow = cx
                    .doc
                    .edit(EditKind::Discrete, now, |b, _| apply_text(field, b, value));
                if field == Field::AddReference {
                    let n = cx.doc.board().references.len();
                    self.select_field(cx.doc.board(), Field::Reference(n.saturating_sub(1)));
                }
                return flow.into();
            }
            _ => {
                t.input(key);
            }
        }
        Flow::Handled
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
        let fields = Field::all(b);
        let selected = self.selected.min(fields.len() - 1);
        let w = inner.width as usize;
        let label_w = if w >= 40 { 13 } else { 11 };
        let findings = &v.doc.derived().findings;
        let mut lines = Vec::new();
        // Room to spare: the list takes what it needs and the selected field is explained.
        let detail_rows = (inner.height as usize).saturating_sub(fields.len() + 1);
        let list_rows = if detail_rows >= 3 {
            fields.len()
        } else {
            inner.height as usize
        };
        let range = scroll_window(fields.len(), selected, list_rows);
        let top = range.start;
        for i in range {
            let field = fields[i];
            let path = field.path();
            let worst = findings
                .iter()
                .filter(|x| path.as_deref() == Some(x.path.as_str()))
                .map(|x| x.severity)
                .min();
            let (mark, mark_style) = match worst {
                Some(crate::core::Severity::Error) => ("✗", s.error),
                Some(crate::core::Severity::Warning) => ("!", s.warn),
                None => (" ", Style::new()),
            };
            let value_style = if field.unused(b) { s.muted } else { s.text };
            let mut spans = vec![
                Span::styled(mark, mark_style),
                Span::styled(format!("{:<label_w$}", field.label()), s.muted),
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
        if detail_rows >= 3 {
            lines.push(Line::default());
            let field = fields[selected];
            let mut budget = detail_rows;
            if let Some(path) = field.path() {
                for x in findings.iter().filter(|x| x.path == path) {
                    let style = match x.severity {
                        crate::core::Severity::Error => s.error,
                        crate::core::Severity::Warning => s.warn,
                    };
                    let text =
                        format!("{} {}", super::labels::severity_mark(x.severity), x.message);
                    for l in super::labels::wrap(&text, w, budget) {
                        lines.push(Line::styled(l, style));
                        budget -= 1;
                    }
                }
            }
            for l in super::labels::wrap(field.help(), w, budget) {
                lines.push(Line::styled(l, s.muted));
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
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

fn clear(field: Field, b: &mut Board) -> Result<(), String> {
    match field {
        Field::Title => b.title.clear(),
        Field::Aspect => b.aspect_ratio = None,
        Field::FirstFrame => b.first_frame = None,
        Field::LastFrame => b.last_frame = None,
        Field::Reference(i) if i < b.references.len() => {
            b.references.remove(i);
        }
        _ => return Err("this setting cannot be cleared; change it with h/l".into()),
    }
    Ok(())
}

fn apply_text(field: Field, b: &mut Board, value: String) -> Result<(), String> {
    let opt = |v: String| (!v.is_empty()).then_some(v);
    match field {
        Field::Title => b.title = value,
        Field::Model if value.is_empty() => {
            return Err("the model cannot be empty (e.g. kling-v3)".into());
        }
        Field::Model => b.model = value,
        Field::FirstFrame => b.first_frame = opt(value),
        Field::LastFrame => b.last_frame = opt(value),
        Field::Reference(i) if value.is_empty() && i < b.references.len() => {
            b.references.remove(i);
        }
        Field::Reference(i) if i < b.references.len() => b.references[i] = value,
        Field::AddReference if !value.is_empty() => b.references.push(value),
        _ => {}
    }
    Ok(())
}

/// What is known about an image row's file (from the probe cache; never read here).
fn note(field: Field, b: &Board, v: &View) -> Option<(String, Style)> {
    let s = v.styles;
    let reference = match field {
        Field::FirstFrame | Field::LastFrame | Field::Reference(_) => field.text(b),
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
                super::labels::megabytes(*bytes)
            ),
            s.muted,
        )),
        ImageFact::Remote => Some(("URL".into(), s.muted)),
        ImageFact::Missing(why) => Some((format!("missing: {why}"), s.error)),
        ImageFact::Unreadable(why) => Some((format!("unreadable: {why}"), s.error)),
    }
}
