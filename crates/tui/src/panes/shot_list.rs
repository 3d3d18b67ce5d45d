//! The shot list: number, duration, a duration bar, the prompt's first words and a marker
//! on shots with findings. Shot edits (add, delete, duplicate, move, split, ±1 s, spread)
//! happen here; the selection lives in the doc because the prompt editor follows it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::labels::{bar, fit, layout_seconds, secs, wrap_hanging};
use crate::model::derived::Level;
use crate::model::edit::{self, Refusal};
use crate::model::history::EditKind;
use crate::model::msg::{Flow, Msg, PaneId, Toast};
use crate::panes::{PaneCtx, View};
use crate::widgets::filter::FilterInput;
use crate::widgets::hits::RowHits;
use crate::widgets::moved_selection;
use shotdeck_core::{Board, FieldPath};

#[derive(Debug, Default)]
pub struct ShotList {
    pub hits: RowHits,
    /// `/`: only shots whose prompt, negative prompt or "Shot N" match are listed.
    pub filter: FilterInput,
}

impl ShotList {
    /// The indices of the shots the list shows (every shot unless filtered).
    pub fn shown(&self, board: &Board) -> Vec<usize> {
        (0..board.shots.len())
            .filter(|&i| {
                let shot = &board.shots[i];
                let name = format!("Shot {}", i + 1);
                let negative = shot.extra.get("negative_prompt").and_then(|v| v.as_str());
                let fields = [Some(shot.prompt.as_str()), negative, Some(&name)];
                self.filter.matches(fields.into_iter().flatten())
            })
            .collect()
    }

    /// Keeps the selection on a shown shot after the rows changed: the next one shown,
    /// else the last.
    pub fn snap(&self, cx: &mut PaneCtx) {
        let shown = self.shown(cx.doc.board());
        let sel = cx.doc.selected;
        if !shown.contains(&sel)
            && let Some(&to) = shown.iter().find(|&&i| i > sel).or(shown.last())
        {
            cx.doc.select(to);
        }
    }

    pub fn handle(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        if action == Action::AddShot {
            // A new shot is empty: it must not land hidden behind the filter.
            self.filter = FilterInput::default();
        }
        let flow = self.handle_shown(action, cx);
        self.snap(cx);
        flow
    }

    fn handle_shown(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        let limits = &cx.doc.limits();
        let shown = self.shown(cx.doc.board());
        let n = shown.len();
        let sel = cx.doc.selected;
        let needs_a_shot = matches!(
            action,
            Action::DeleteShot
                | Action::DuplicateShot
                | Action::MoveShotUp
                | Action::MoveShotDown
                | Action::SplitShot
                | Action::DurationUp
                | Action::DurationDown
        );
        let edits_a_shot =
            needs_a_shot || matches!(action, Action::EditPrompt | Action::EditNegative);
        if n == 0 && self.filter.query().is_some() && edits_a_shot {
            return Flow::toast_err("no shot matches the filter (esc in / clears it)");
        }
        if needs_a_shot && n == 0 && cx.doc.board().uses_shot_list() {
            let add = cx.keys.key_for(Context::ShotList, Action::AddShot);
            return Flow::toast_err(format!("no shot selected (add one with {add})"));
        }
        // Moves go through the rows shown, so a filtered list skips the hidden shots.
        let at = shown.iter().position(|&i| i >= sel).unwrap_or(n);
        if let Some(to) = moved_selection(action, at, n, cx.page) {
            if let Some(&i) = shown.get(to) {
                cx.doc.select(i);
            }
            cx.doc.break_burst();
            return Flow::Handled;
        }
        match action {
            Action::EditPrompt => Flow::Msg(Msg::EditPrompt { negative: false }),
            Action::EditNegative => Flow::Msg(Msg::EditPrompt { negative: true }),
            // The new shot is empty: typing its prompt is what comes next.
            Action::AddShot => match apply(cx, |b, s| edit::add_shot(b, s, limits)) {
                Flow::Handled => Flow::Msg(Msg::EditPrompt { negative: false }),
                refused => refused,
            },
            Action::DeleteShot => match apply(cx, edit::delete_shot) {
                Flow::Handled => {
                    let undo = cx.keys.key_for(Context::Global, Action::Undo);
                    let note = format!("deleted Shot {} — {undo} undoes", sel + 1);
                    Flow::Msg(Msg::Toast(Toast::info(note)))
                }
                refused => refused,
            },
            Action::DuplicateShot => apply(cx, edit::duplicate_shot),
            Action::MoveShotUp => apply(cx, |b, s| edit::move_shot(b, s, true)),
            Action::MoveShotDown => apply(cx, |b, s| edit::move_shot(b, s, false)),
            Action::SplitShot => apply(cx, |b, s| edit::split_shot(b, s, limits)),
            Action::DurationUp => apply(cx, |b, s| edit::change_duration(b, s, 1, limits)),
            Action::DurationDown => apply(cx, |b, s| edit::change_duration(b, s, -1, limits)),
            Action::SpreadDurations => {
                apply(cx, |b, s| edit::spread_durations(b, limits).map(|()| s))
            }
            _ => Flow::Ignored,
        }
    }

    /// A click on row `i` of the list as drawn.
    pub fn select_row(&mut self, i: usize, cx: &mut PaneCtx) -> Flow {
        if let Some(&shot) = self.shown(cx.doc.board()).get(i) {
            cx.doc.select(shot);
            cx.doc.break_burst();
        }
        Flow::Handled
    }

    pub fn render(&self, f: &mut Frame, area: Rect, v: &View) {
        let board = v.doc.board();
        let d = v.doc.derived();
        let count = if board.uses_shot_list() {
            format!("{}/{} ", board.shots.len(), v.doc.limits().max_shots)
        } else if board.multi_shot {
            "auto ".into()
        } else {
            "single ".into()
        };
        let shown = self.shown(board);
        let mut block = v.block(PaneId::Shots, Span::styled(count, v.styles.muted));
        if board.uses_shot_list() {
            let (k, n) = (shown.len(), board.shots.len());
            block = self.filter.on_block(block, k, n, v.styles.accent);
        }
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = inner.width as usize;
        let bar_w = match w {
            0..34 => 5,
            34..60 => 8,
            _ => 15,
        };
        // Words before the bar: where the bar would leave under 20 characters of prompt,
        // it goes (the timeline draws the durations anyway).
        let num_w = board.shots.len().max(1).to_string().len();
        let head_w = 1 + num_w + 5;
        let bar_w = if w < head_w + bar_w + 1 + 20 {
            0
        } else {
            bar_w
        };
        let scale = board
            .shots
            .iter()
            .map(|s| layout_seconds(s.duration))
            .fold(v.doc.limits().total_max_seconds, f64::max);
        // With room to spare, each shot shows more of its prompt on extra lines.
        let n = board.shots.len().max(1);
        let per_shot = if board.uses_shot_list() {
            (inner.height as usize / n).clamp(1, 3)
        } else {
            (inner.height as usize).saturating_sub(1).clamp(1, 3)
        };
        let row = |marker: Span<'static>, num: String, dur: f64, prompt: &str, sel: bool| {
            let head = format!("{num:>num_w$} {:>3} ", format!("{}s", secs(dur)));
            let b = bar(layout_seconds(dur), scale, bar_w);
            let bar_cells = if bar_w == 0 { 0 } else { bar_w + 1 };
            let indent = 1 + head.chars().count() + bar_cells;
            let text_w = w.saturating_sub(indent);
            let style = v.sel_style(sel);
            let bar_span = match bar_w {
                0 => Span::raw(""),
                _ => Span::styled(format!("{b:<bar_w$} "), v.styles.accent),
            };
            if prompt.trim().is_empty() {
                let words = Span::styled(fit("(empty)", text_w), v.styles.muted);
                let mut out =
                    vec![Line::from(vec![marker, Span::raw(head), bar_span, words]).style(style)];
                out.resize(per_shot, Line::default());
                return out;
            }
            // Narrow panes start continuation lines further left to show more words.
            let cont = if text_w < 16 { 4.min(indent) } else { indent };
            let mut chunks =
                wrap_hanging(prompt, text_w, w.saturating_sub(cont), per_shot).into_iter();
            let first = chunks.next().unwrap_or_default();
            let mut out = vec![
                Line::from(vec![marker, Span::raw(head), bar_span, Span::raw(first)]).style(style),
            ];
            out.extend(chunks.map(|c| Line::from(format!("{:cont$}{c}", "")).style(style)));
            out.resize(per_shot, Line::default());
            out
        };
        let mut lines = Vec::new();
        if board.uses_shot_list() {
            let at = shown.iter().position(|&i| i >= v.doc.selected);
            let range = self.hits.window(
                shown.len(),
                at.unwrap_or(0),
                inner.height as usize / per_shot,
            );
            self.hits.record(inner, range.start, range.len(), per_shot);
            for i in range.map(|p| shown[p]) {
                let shot = &board.shots[i];
                let level = d.shot_levels.get(i).copied().unwrap_or(Level::Ok);
                lines.extend(row(
                    mark(level, v),
                    (i + 1).to_string(),
                    shot.duration,
                    &shot.prompt,
                    i == v.doc.selected,
                ));
            }
            if shown.is_empty() && !board.shots.is_empty() {
                lines.push(Line::styled(" no shot matches the filter", v.styles.muted));
            }
            if board.shots.is_empty() {
                let add = v.keymap.key_for(Context::ShotList, Action::AddShot);
                lines.push(Line::styled(
                    format!(" no shots yet (press {add})"),
                    v.styles.muted,
                ));
            }
        } else {
            self.hits.clear();
            let level = d
                .findings
                .iter()
                .filter(|f| matches!(f.path, FieldPath::Prompt | FieldPath::Duration))
                .map(|f| f.severity)
                .min()
                .map_or(Level::Ok, |s| match s {
                    shotdeck_core::Severity::Error => Level::Error,
                    shotdeck_core::Severity::Warning => Level::Warning,
                });
            lines.extend(row(
                mark(level, v),
                "·".into(),
                board.duration,
                &board.prompt,
                true,
            ));
            if !board.shots.is_empty() {
                lines.push(Line::styled(
                    fit(
                        &format!(
                            " {} shot(s) ignored: {}",
                            board.shots.len(),
                            if board.multi_shot {
                                "shots are auto"
                            } else {
                                "multi-shot is off"
                            }
                        ),
                        w,
                    ),
                    v.styles.muted,
                ));
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}

/// Applies a shot edit that returns the shot to select afterwards.
fn apply(cx: &mut PaneCtx, f: impl FnOnce(&mut Board, usize) -> Result<usize, Refusal>) -> Flow {
    let now = cx.now;
    cx.doc
        .edit(EditKind::Discrete, now, |b, s| {
            *s = f(b, *s)?;
            Ok(())
        })
        .into()
}

fn mark(level: Level, v: &View) -> Span<'static> {
    match level {
        Level::Ok => Span::raw(" "),
        Level::Warning => Span::styled("!", v.styles.warn),
        Level::Error => Span::styled("✗", v.styles.error),
    }
}
