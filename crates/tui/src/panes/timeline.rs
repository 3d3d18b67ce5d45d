//! The timeline and validation bar: shots as proportional segments on a 15-second ruler,
//! the total coloured by its state, and every finding (Enter goes to what it is about).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::keymap::action::Action;
use crate::labels::{finding_text, fit, layout_seconds, secs, severity_mark};
use crate::model::derived::Level;
use crate::model::msg::{Flow, Msg, PaneId};
use crate::panes::{PaneCtx, View};
use crate::widgets::filter::FilterInput;
use crate::widgets::hits::RowHits;
use crate::widgets::{moved_selection, pad_x};
use shotdeck_core::sequence::SequenceStatus;
use shotdeck_core::{Finding, Severity};

#[derive(Debug, Default)]
pub struct Timeline {
    /// The selected row among the findings shown.
    pub selected: usize,
    pub hits: RowHits,
    /// `/`: only findings whose text or path match are listed.
    pub filter: FilterInput,
}

impl Timeline {
    /// The indices of the findings the list shows (all unless filtered).
    pub fn shown(&self, findings: &[Finding]) -> Vec<usize> {
        (0..findings.len())
            .filter(|&i| {
                let f = &findings[i];
                let (text, path) = (finding_text(f), f.path.to_string());
                self.filter.matches([text.as_str(), path.as_str()])
            })
            .collect()
    }

    pub fn handle(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        let findings = &cx.doc.derived().findings;
        let shown = self.shown(findings);
        let last = shown.len().saturating_sub(1);
        if let Some(to) = moved_selection(action, self.selected, shown.len(), cx.page) {
            self.selected = to;
            return Flow::Handled;
        }
        match action {
            Action::JumpToFinding => match shown.get(self.selected.min(last)) {
                Some(&i) => Flow::Msg(Msg::Jump(findings[i].path)),
                None => Flow::Ignored,
            },
            _ => Flow::Ignored,
        }
    }

    pub fn render(&self, f: &mut Frame, area: Rect, v: &View) {
        let s = v.styles;
        let d = v.doc.derived();
        let limit = v.doc.limits().total_max_seconds;
        let total_style = level_style(d.total_level, v);
        let mut title = vec![Span::styled(
            format!(" {} / {} s ", secs(d.total_seconds), secs(limit)),
            total_style,
        )];
        let counts = match (d.errors, d.warnings) {
            (0, 0) => Span::styled("· ready ", s.ok),
            (e, w) => Span::styled(
                format!("· {e} error{} · {w} warning{} ", plural(e), plural(w)),
                if e > 0 { s.error } else { s.warn },
            ),
        };
        title.push(counts);
        let shown = self.shown(&d.findings);
        let block = v.block(PaneId::Timeline, title);
        let block = (self.filter).on_block(block, shown.len(), d.findings.len(), s.accent);
        let inner = pad_x(block.inner(area));
        f.render_widget(block, area);
        if inner.height == 0 || inner.width < 4 {
            return;
        }
        let width = inner.width as usize;
        let scale = layout_seconds(d.total_seconds).max(limit);
        let mut lines = vec![
            self.ruler(v, width, scale, limit),
            ticks(v, width, scale, limit),
        ];
        // The sequence's line sits under the ruler: running time, boards without a keeper.
        let sequence = v.sequence.map(|seq| sequence_line(seq, v, width));
        let head = 2 + usize::from(sequence.is_some());
        lines.extend(sequence);
        let rows = (inner.height as usize).saturating_sub(head);
        if shown.is_empty() {
            self.hits.clear();
            lines.push(match d.findings.is_empty() {
                true => Line::styled("✓ no findings", s.ok),
                false => Line::styled("no finding matches the filter", s.muted),
            });
        } else {
            let selected = self.selected.min(shown.len() - 1);
            let window = self.hits.window(shown.len(), selected, rows);
            // Under the ruler, its second marks and the sequence's line.
            let list_area = Rect {
                y: inner.y + head as u16,
                height: inner.height.saturating_sub(head as u16),
                ..inner
            };
            self.hits.record(list_area, window.start, window.len(), 1);
            let below = shown.len() - window.end;
            crate::widgets::mark_hidden(f, area, window.start, below, s.muted);
            for (i, x) in window.map(|p| (p, &d.findings[shown[p]])) {
                let style = match x.severity {
                    Severity::Error => s.error,
                    Severity::Warning => s.warn,
                };
                let text = format!("{} {}", severity_mark(x.severity), finding_text(x));
                let style = if i == selected && v.focused {
                    s.selection
                } else {
                    style
                };
                lines.push(Line::styled(fit(&text, width), style));
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn ruler(&self, v: &View, width: usize, scale: f64, limit: f64) -> Line<'static> {
        let s = v.styles;
        let b = v.doc.board();
        let segments: Vec<f64> = if b.uses_shot_list() {
            b.shots.iter().map(|x| layout_seconds(x.duration)).collect()
        } else {
            vec![layout_seconds(b.duration)]
        };
        let at = |t: f64| ((t / scale) * width as f64).round() as usize;
        let limit_at = at(limit);
        let mut spans = Vec::new();
        let mut cum = 0.0;
        let mut pos = 0;
        for (i, d) in segments.iter().enumerate() {
            let end = at(cum + d).min(width);
            cum += d;
            if end <= pos {
                continue;
            }
            let label = if b.uses_shot_list() {
                (i + 1).to_string()
            } else {
                "▶".into()
            };
            let base = if b.uses_shot_list() && i == v.doc.selected {
                s.selection
            } else if i % 2 == 0 {
                s.accent
            } else {
                s.text
            };
            // Cells past the limit show in the error style.
            let mut text = String::new();
            for cell in pos..end {
                text.push(if cell == pos {
                    label.chars().next().unwrap_or('━')
                } else {
                    '━'
                });
            }
            let split = limit_at.clamp(pos, end) - pos;
            let (inside, over): (String, String) = (
                text.chars().take(split).collect(),
                text.chars().skip(split).collect(),
            );
            if !inside.is_empty() {
                spans.push(Span::styled(inside, base));
            }
            if !over.is_empty() {
                spans.push(Span::styled(over, s.error));
            }
            pos = end;
        }
        if pos < limit_at {
            spans.push(Span::styled("┄".repeat(limit_at - pos), s.muted));
        }
        Line::from(spans)
    }
}

/// Second marks under the ruler: a label every 5 s and the limit. A long board steps by
/// a multiple of 5 s so the marks never outnumber the cells.
fn ticks(v: &View, width: usize, scale: f64, limit: f64) -> Line<'static> {
    let mut cells = vec![' '; width];
    let per_second = width as f64 / scale;
    let step = if scale <= width as f64 {
        1.0
    } else {
        (scale / width as f64 / 5.0).ceil() * 5.0
    };
    let mut t = 0.0;
    while t <= scale {
        let pos = ((t / scale) * width as f64).round() as usize;
        let label = secs(t);
        let is_label = t % 5.0 == 0.0 || t == limit;
        if is_label && label.len() <= width {
            let start = pos.min(width.saturating_sub(label.len()));
            if cells[start..start + label.len()]
                .iter()
                .all(|c| *c == ' ' || *c == '·')
            {
                for (k, ch) in label.chars().enumerate() {
                    cells[start + k] = ch;
                }
            }
        } else if per_second >= 3.0 && pos < width && cells[pos] == ' ' {
            cells[pos] = '·';
        }
        t += step;
    }
    Line::styled(cells.into_iter().collect::<String>(), v.styles.muted)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub fn level_style(level: Level, v: &View) -> Style {
    match level {
        Level::Ok => v.styles.ok,
        Level::Warning => v.styles.warn,
        Level::Error => v.styles.error,
    }
}

/// `Sequence Night: 2/3 kept · 0:02 of 0:36 · no keeper: 03-exit`, warning-coloured while
/// a board still lacks a keeper (a cut needs every one).
fn sequence_line(seq: &SequenceStatus, v: &View, width: usize) -> Line<'static> {
    let style = if seq.missing().is_empty() {
        v.styles.ok
    } else {
        v.styles.warn
    };
    Line::styled(fit(&seq.summary(), width), style)
}
