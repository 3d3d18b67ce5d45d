//! The request preview: the exact JSON body `compose` builds for the chosen provider (local
//! images as placeholders; a submit embeds them), its method and path, and the cost estimate.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::keymap::action::Action;
use crate::ui::labels::fit;
use crate::ui::panes::{Flow, PaneCtx, PaneId, View, pad_x};

#[derive(Debug, Default)]
pub struct RequestPreview {
    /// First body line shown.
    pub scroll: usize,
}

impl RequestPreview {
    pub fn handle(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        let len = cx
            .doc
            .derived()
            .preview
            .as_ref()
            .map_or(0, |p| p.lines.len());
        let last = len.saturating_sub(1);
        let page = cx.page.max(1);
        self.scroll = match action {
            Action::SelectNext => self.scroll + 1,
            Action::SelectPrev => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll + page,
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::SelectFirst => 0,
            Action::SelectLast => last.saturating_sub(page.saturating_sub(1)),
            _ => return Flow::Ignored,
        }
        .min(last);
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
        f.render_widget(block, area);
        let [route, body, cost] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let width = body.width as usize;
        if let Ok(p) = &d.preview {
            f.render_widget(
                Line::styled(fit(&format!("{} {}", p.method, p.path), width), s.muted),
                route,
            );
        }
        let lines: Vec<Line> = match &d.preview {
            Ok(p) => {
                let rows = body.height as usize;
                let start = self.scroll.min(p.lines.len().saturating_sub(rows));
                p.lines
                    .iter()
                    .skip(start)
                    .take(rows)
                    .map(|l| {
                        let key_w = unicode_width::UnicodeWidthStr::width(l.key.as_str());
                        Line::from(vec![
                            Span::styled(fit(&l.key, width), s.accent),
                            Span::styled(fit(&l.rest, width.saturating_sub(key_w)), s.text),
                        ])
                    })
                    .collect()
            }
            Err(e) => vec![Line::styled(fit(e, width), s.error)],
        };
        f.render_widget(Paragraph::new(lines), body);
        let cost_line = match &d.estimate {
            Some(e) => Line::from(vec![
                Span::styled("cost ", s.muted),
                Span::styled(fit(&e.summary(), width.saturating_sub(5)), s.text),
            ]),
            None => Line::styled(
                fit(
                    &format!(
                        "cost: no price for {provider} {} {} in config.toml [prices]",
                        crate::core::compose::effective_model(v.doc.board(), provider),
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
