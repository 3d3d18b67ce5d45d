//! The request preview: the exact JSON body `compose` builds for the chosen provider (local
//! images as placeholders; a submit embeds them), its method and path, and the cost estimate.
//! Long values wrap under their key with `↪` at the start of each continued row, so nothing
//! is cut, and rows above or below the pane are counted on its bottom border. Wrapping was
//! chosen over sideways scrolling: a prompt is read as a whole, and `j`/`k` already scroll.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::keymap::action::Action;
use crate::labels::{fit, more_marker_in, wrap};
use crate::model::derived::JsonLine;
use crate::model::msg::{Flow, PaneId};
use crate::panes::{PaneCtx, View};
use crate::theme::Styles;
use crate::widgets::pad_x;
use crate::wrap::break_line;

#[derive(Debug, Default)]
pub struct RequestPreview {
    /// First body row shown (rows after wrapping).
    pub scroll: usize,
    /// Body rows at the width last drawn: how far scrolling can go. Only the width decides
    /// the wrapping, and only drawing knows it.
    rows: Cell<usize>,
    /// Body rows the pane showed when last drawn (the route and cost rows take two of the
    /// pane's): `G` and paging scroll by what is really shown.
    height: Cell<usize>,
}

/// Marks a row that continues the value above it.
const CONTINUED: &str = "↪ ";

/// The body as drawn `width` cells wide: a value too long for its row continues on the next
/// rows, indented under its key and marked with [`CONTINUED`].
fn body_rows(lines: &[JsonLine], width: usize, s: &Styles) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for l in lines {
        let key_w = unicode_width::UnicodeWidthStr::width(l.key.as_str());
        let mut indent = l.key.len() - l.key.trim_start().len() + 2;
        // Deep keys in a narrow pane: continuing at the left edge leaves room for the text.
        if width < indent + 2 + 8 {
            indent = 0;
        }
        let rest_w = width.saturating_sub(indent + 2).max(1);
        let key = Span::styled(fit(&l.key, width), s.accent);
        let (first_w, mut pending) = if key_w < width {
            (width - key_w, vec![key])
        } else {
            // No room after the key: the value starts on a continued row.
            out.push(Line::from(key));
            (
                rest_w,
                vec![
                    Span::raw(" ".repeat(indent)),
                    Span::styled(CONTINUED, s.muted),
                ],
            )
        };
        for (i, r) in break_line(&l.rest, first_w, rest_w).into_iter().enumerate() {
            if i > 0 {
                out.push(Line::from(std::mem::take(&mut pending)));
                pending = vec![
                    Span::raw(" ".repeat(indent)),
                    Span::styled(CONTINUED, s.muted),
                ];
            }
            pending.push(Span::styled(l.rest[r].trim_end().to_string(), s.text));
        }
        out.push(Line::from(pending));
    }
    out
}

impl RequestPreview {
    pub fn handle(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        let len = self.rows.get();
        let page = match self.height.get() {
            0 => cx.page.max(1),
            drawn => drawn,
        };
        // The last row at the bottom of the pane: scrolling further would only hide rows.
        let end = len.saturating_sub(page);
        self.scroll = match action {
            Action::SelectNext => self.scroll + 1,
            Action::SelectPrev => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll + page,
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::SelectFirst => 0,
            Action::SelectLast => end,
            _ => return Flow::Ignored,
        }
        .min(end);
        Flow::Handled
    }

    pub fn render(&self, f: &mut Frame, area: Rect, v: &View) {
        let s = v.styles;
        let d = v.doc.derived();
        let provider = v.doc.provider();
        let block = v.block(
            PaneId::Preview,
            Span::styled(format!("· {provider} "), s.accent),
        );
        let inner = pad_x(block.inner(area));
        // A board that continues says how above its body (the body shows it as sent), or
        // why a submit would be refused.
        let continues = d.continues.as_ref().map(|c| match c {
            Ok(line) => Line::styled(fit(line, inner.width as usize), s.accent),
            Err(why) => Line::styled(
                fit(&format!("refused: {why}"), inner.width as usize),
                s.error,
            ),
        });
        let [route, said, body, cost] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(u16::from(continues.is_some())),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        if let Some(line) = continues {
            f.render_widget(line, said);
        }
        let width = body.width as usize;
        let height = body.height as usize;
        if let Ok(p) = &d.preview {
            f.render_widget(
                Line::styled(fit(&format!("{} {}", p.method, p.path), width), s.muted),
                route,
            );
        }
        let rows = match &d.preview {
            Ok(p) => body_rows(&p.lines, width, s),
            Err(e) => wrap(e, width, height)
                .into_iter()
                .map(|l| Line::styled(l, s.error))
                .collect(),
        };
        self.rows.set(rows.len());
        self.height.set(height);
        let start = self.scroll.min(rows.len().saturating_sub(height));
        let below = rows.len().saturating_sub(start + height);
        let room = area.width.saturating_sub(2) as usize;
        let block = match more_marker_in(start, below, room, " ") {
            Some(m) => block.title_bottom(Line::styled(m, s.muted).right_aligned()),
            None => block,
        };
        f.render_widget(block, area);
        let shown: Vec<Line> = rows.into_iter().skip(start).take(height).collect();
        f.render_widget(Paragraph::new(shown), body);
        let cost_line = match &d.estimate {
            Some(e) => Line::from(vec![
                Span::styled("cost ", s.muted),
                Span::styled(fit(&e.summary(), width.saturating_sub(5)), s.text),
            ]),
            None => Line::styled(
                fit(
                    &format!(
                        "cost: no price for {provider} {} {} in config.toml [prices]",
                        shotdeck_core::compose::effective_model(v.doc.board(), provider),
                        v.doc.board().quality
                    ),
                    width,
                ),
                s.warn,
            ),
        };
        f.render_widget(cost_line, cost);
    }
}
