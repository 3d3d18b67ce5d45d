//! Takes in the job queue: each row's `Take N` (with its board in the all-boards view), the
//! keeper's star, the compare mark, and the keys that set them. The engine writes the
//! keeper; the queue only asks.

use ratatui::text::{Line, Span};

use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::labels::{fit, take_notes};
use crate::model::msg::{Flow, Msg, Toast};
use crate::panes::job_queue::JobQueue;
use crate::panes::{PaneCtx, View};
use shotdeck_core::jobs::{JobCmd, JobId, JobPhase, JobView};

/// The board name's share of a row in the all-boards view.
const BOARD_W: usize = 10;

/// `★` on the keeper, `◆` on the take marked for comparison, then `Take N` (after the
/// board's name in the all-boards view).
pub(super) fn take_spans(
    j: &JobView,
    v: &View,
    show_board: bool,
    compare_mark: Option<JobId>,
) -> Vec<Span<'static>> {
    let s = v.styles;
    let mut spans = Vec::new();
    if show_board {
        let name = j
            .board_path
            .file_stem()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        spans.push(Span::styled(format!(" {} ·", fit(&name, BOARD_W)), s.muted));
    }
    spans.push(Span::raw(format!(" Take {:<3}", j.take)));
    spans.push(if j.keeper {
        Span::styled("★", s.ok)
    } else {
        Span::raw(" ")
    });
    spans.push(if compare_mark == Some(j.id) {
        Span::styled("◆", s.accent)
    } else {
        Span::raw(" ")
    });
    spans
}

/// Under the selected row: whether it is the keeper and which take it retries.
pub(super) fn take_detail(j: &JobView, v: &View, width: usize) -> Option<Line<'static>> {
    let notes = take_notes(j);
    let parts = [vec![format!("Take {}", j.take)], notes].concat();
    (parts.len() > 1).then(|| Line::styled(fit(&parts.join(" · "), width), v.styles.muted))
}

/// The keeper and compare keys on the selected take.
pub(super) fn handle(queue: &mut JobQueue, action: Action, cx: &mut PaneCtx) -> Flow {
    let list = cx.jobs.visible(cx.doc.identity(), queue.show_all);
    let Some(j) = list.get(queue.selected.min(list.len().saturating_sub(1))) else {
        return Flow::toast_err("no job selected");
    };
    let key = |a| cx.keys.key_for(Context::Queue, a);
    match action {
        Action::ToggleKeeper if !j.keeper && j.phase != JobPhase::Done => Flow::toast_err(format!(
            "Take {} is {}: only a done take (one with its video) can be the keeper",
            j.take,
            j.phase.as_str()
        )),
        Action::ToggleKeeper => Flow::Msg(Msg::job(JobCmd::SetKeeper {
            id: j.id,
            keep: !j.keeper,
        })),
        Action::MarkCompare => match queue.compare_mark {
            Some(marked) if marked == j.id => {
                queue.compare_mark = None;
                info(format!("Take {} unmarked", j.take))
            }
            Some(marked) => {
                queue.compare_mark = None;
                Flow::Msg(Msg::Compare(marked, j.id))
            }
            None => {
                queue.compare_mark = Some(j.id);
                info(format!(
                    "Take {} marked: {} (or {}) on another take compares them",
                    j.take,
                    key(Action::CompareTakes),
                    key(Action::MarkCompare)
                ))
            }
        },
        _ => match queue.compare_mark {
            Some(marked) if marked != j.id => {
                queue.compare_mark = None;
                Flow::Msg(Msg::Compare(marked, j.id))
            }
            _ => Flow::toast_err(format!(
                "mark a take with {}, then {} on another take compares them",
                key(Action::MarkCompare),
                key(Action::CompareTakes)
            )),
        },
    }
}

fn info(text: String) -> Flow {
    Flow::Msg(Msg::Toast(Toast::info(text)))
}
