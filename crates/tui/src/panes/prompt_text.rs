//! One text of the prompt pane (the prompt or the negative prompt): a textarea holds the
//! text and the cursor, and this draws it. The textarea's own soft wrap starts rows with a
//! comma or a hyphen (it breaks at every word boundary), so rows come from
//! [`crate::wrap`] instead, like every other wrapped text; `<<<image_N>>>` tokens are
//! coloured, and the rows above and below the pane are counted for its border.

use std::cell::Cell;
use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_textarea::{CursorMove, TextArea, WrapMode};
use unicode_width::UnicodeWidthStr;

use crate::labels::fit;
use crate::theme::Styles;
use crate::wrap::{break_line, row_of};
use shotdeck_core::elements::{TokenKind, token_spans};
use shotdeck_core::rules::image_placeholder_spans;

/// One drawn row: which line of the text, and which bytes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    line: usize,
    bytes: Range<usize>,
}

/// Rows hidden above and below the drawn part of a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Hidden {
    pub above: usize,
    pub below: usize,
}

/// How a text is drawn: its colours and how many images its tokens may name.
pub(super) struct Look<'a> {
    pub styles: &'a Styles,
    /// `<<<image_N>>>` with N in 1..=this names an image; others are drawn as errors.
    pub referable_images: usize,
    /// `<<<element_N>>>` / `<<<voice_N>>>` with N in 1..=these name an entry of the board's
    /// lists; others are drawn as errors.
    pub elements: usize,
    pub voices: usize,
    /// Draw (and scroll to) the cursor.
    pub cursor: bool,
}

pub(super) struct PromptText {
    pub textarea: TextArea<'static>,
    placeholder: &'static str,
    /// First row drawn; kept between draws so the view moves only when the cursor leaves it.
    top: Cell<usize>,
    /// Width last drawn: moving up and down goes by the rows drawn at that width.
    width: Cell<usize>,
}

fn rows(lines: &[String], width: usize) -> Vec<Row> {
    lines
        .iter()
        .enumerate()
        .flat_map(|(line, text)| {
            break_line(text, width, width)
                .into_iter()
                .map(move |bytes| Row { line, bytes })
        })
        .collect()
}

fn byte_of(text: &str, char_col: usize) -> usize {
    text.char_indices()
        .nth(char_col)
        .map_or(text.len(), |(at, _)| at)
}

impl PromptText {
    pub(super) fn new(text: &str, placeholder: &'static str, styles: &Styles) -> PromptText {
        let mut t = TextArea::new(text.split('\n').map(str::to_string).collect());
        // Board-level undo covers every edit; the widget's own history would fight it.
        t.set_max_histories(0);
        // Never drawn by itself: its cursor moves by lines of text, rows are ours.
        t.set_wrap_mode(WrapMode::None);
        t.set_style(styles.text);
        // Browsing shots shows each prompt from its start; `edit_prompt` moves to the end.
        t.move_cursor(CursorMove::Top);
        PromptText {
            textarea: t,
            placeholder,
            top: Cell::new(0),
            width: Cell::new(0),
        }
    }

    pub(super) fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// The row index of the cursor among `rows`.
    fn cursor_row(&self, rows: &[Row]) -> usize {
        let tui_textarea::DataCursor(line, col) = self.textarea.cursor();
        let at = byte_of(&self.textarea.lines()[line], col);
        let first = rows.iter().position(|r| r.line == line).unwrap_or(0);
        let own: Vec<Range<usize>> = rows
            .iter()
            .filter(|r| r.line == line)
            .map(|r| r.bytes.clone())
            .collect();
        first + row_of(&own, at)
    }

    /// Moves the cursor one drawn row up or down, keeping its column on screen. False at
    /// the first or last row, or before the text was ever drawn.
    pub(super) fn move_row(&mut self, down: bool) -> bool {
        let width = self.width.get();
        if width == 0 {
            return false;
        }
        let lines = self.textarea.lines();
        let rows = rows(lines, width);
        let here = self.cursor_row(&rows);
        let target = if down {
            here + 1
        } else {
            match here.checked_sub(1) {
                Some(t) => t,
                None => return false,
            }
        };
        let Some(to) = rows.get(target) else {
            return false;
        };
        let tui_textarea::DataCursor(line, col) = self.textarea.cursor();
        let from = &rows[here];
        let at = byte_of(&lines[line], col);
        let x = lines[line][from.bytes.start..at].width();
        let text = &lines[to.line];
        // The last row of a line may hold the cursor after its last character; other rows
        // end where the next one starts.
        let last_of_line = rows.get(target + 1).is_none_or(|r| r.line != to.line);
        let mut pick = to.bytes.start;
        let mut used = 0;
        for (i, c) in text[to.bytes.clone()].char_indices() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w > x {
                break;
            }
            used += w;
            pick = to.bytes.start + i + c.len_utf8();
        }
        if pick == to.bytes.end && !last_of_line {
            pick = text[..pick].char_indices().last().map_or(0, |(i, _)| i);
            pick = pick.max(to.bytes.start);
        }
        let char_col = text[..pick].chars().count();
        self.textarea
            .move_cursor(CursorMove::Jump(to.line as u16, char_col as u16));
        true
    }

    /// Draws the text into `area` and returns where the cursor is (when asked for) and
    /// what did not fit.
    pub(super) fn render(
        &self,
        f: &mut Frame,
        area: Rect,
        look: &Look,
    ) -> (Option<Position>, Hidden) {
        let s = look.styles;
        if area.is_empty() {
            // No room at all: everything is below, and the marker says so.
            let below = rows(self.textarea.lines(), (area.width as usize).max(1)).len();
            return (None, Hidden { above: 0, below });
        }
        let width = area.width as usize;
        let height = area.height as usize;
        self.width.set(width);
        let lines = self.textarea.lines();
        if lines.len() == 1 && lines[0].is_empty() {
            self.top.set(0);
            f.render_widget(Line::styled(fit(self.placeholder, width), s.muted), area);
            return (look.cursor.then(|| area.as_position()), Hidden::default());
        }
        let rows = rows(lines, width.max(1));
        let here = self.cursor_row(&rows);
        let mut top = self.top.get();
        if look.cursor {
            top = top.min(here);
            if here >= top + height {
                top = here + 1 - height;
            }
        }
        top = top.min(rows.len().saturating_sub(height));
        self.top.set(top);
        let tokens: Vec<_> = lines.iter().map(|l| named_tokens(l, look)).collect();
        let shown: Vec<Line> = rows
            .iter()
            .skip(top)
            .take(height)
            .map(|r| {
                let text = lines[r.line][r.bytes.clone()].trim_end();
                let bytes = r.bytes.start..r.bytes.start + text.len();
                styled_row(&lines[r.line], bytes, &tokens[r.line], look)
            })
            .collect();
        f.render_widget(Paragraph::new(shown), area);
        let hidden = Hidden {
            above: top,
            below: rows.len().saturating_sub(top + height),
        };
        let cursor = look.cursor.then(|| {
            let tui_textarea::DataCursor(line, col) = self.textarea.cursor();
            let at = byte_of(&lines[line], col);
            let x = lines[line][rows[here].bytes.start..at].width();
            let x = x.min(width.saturating_sub(1)) as u16;
            Position::new(area.x + x, area.y + (here - top) as u16)
        });
        (cursor.filter(|p| p.y < area.bottom()), hidden)
    }
}

/// Every image, element and voice token of a line, in order, and whether its N names an
/// entry of the board.
fn named_tokens(line: &str, look: &Look) -> Vec<(Range<usize>, bool)> {
    let mut out: Vec<(Range<usize>, bool)> = image_placeholder_spans(line)
        .into_iter()
        .map(|(r, n)| (r, (1..=look.referable_images).contains(&n)))
        .collect();
    for (kind, count) in [
        (TokenKind::Element, look.elements),
        (TokenKind::Voice, look.voices),
    ] {
        out.extend(
            token_spans(line, kind)
                .into_iter()
                .map(|(r, n)| (r, (1..=count).contains(&n))),
        );
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// The bytes `bytes` of `text` as spans: tokens in the token style (or the error style when
/// their N names nothing), the rest as text. A token cut by a row break is coloured on both.
fn styled_row(
    text: &str,
    bytes: Range<usize>,
    tokens: &[(Range<usize>, bool)],
    look: &Look,
) -> Line<'static> {
    let s = look.styles;
    let mut spans = Vec::new();
    let mut at = bytes.start;
    let mut push = |range: Range<usize>, style: Style| {
        if !range.is_empty() {
            spans.push(Span::styled(text[range].to_string(), style));
        }
    };
    for (range, names) in tokens {
        let start = range.start.max(bytes.start);
        let end = range.end.min(bytes.end);
        if start >= end {
            continue;
        }
        let style = if *names { s.image_token } else { s.error };
        push(at..start, s.text);
        push(start..end, style);
        at = end;
    }
    push(at..bytes.end, s.text);
    Line::from(spans)
}
