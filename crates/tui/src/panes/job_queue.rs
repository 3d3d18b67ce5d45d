//! The job queue: this board's jobs (or all boards'), newest first, with a spinner while a
//! job is in flight, elapsed time, download progress, errors and the downloaded file.
//! Actions become engine commands (retry, re-download) or host effects (open, copy URL).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use std::path::Path;

use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::labels::{clock, fit, megabytes};
use crate::model::jobs::JobBook;
use crate::model::msg::{Flow, Msg, PaneId};
use crate::model::retries::can_retry;
use crate::panes::{PaneCtx, View};
use crate::widgets::filter::FilterInput;
use crate::widgets::hits::RowHits;
use crate::widgets::{moved_selection, pad_x};
use shotdeck_core::jobs::{JobCmd, JobId, JobPhase, JobView};

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// How often the UI ticks while a job is active (spinner frame, elapsed time).
pub const TICK_MS: i64 = 200;

#[derive(Debug, Default)]
pub struct JobQueue {
    pub selected: usize,
    pub show_all: bool,
    pub hits: RowHits,
    /// `/`: the store lists only the jobs whose id, external id, task id, board, phase,
    /// provider or model match (see `JobBook::set_filter`).
    pub filter: FilterInput,
    /// The take marked (`v`) to be compared with the next one chosen.
    pub compare_mark: Option<JobId>,
}

impl JobQueue {
    fn selected_job<'a>(&self, cx: &'a PaneCtx) -> Option<&'a JobView> {
        let list = cx.jobs.visible(cx.doc.identity(), self.show_all);
        let i = self.selected.min(list.len().saturating_sub(1));
        list.get(i)
    }

    /// The selected job's id, as the list shows it now.
    pub fn selected_id(&self, jobs: &JobBook, board: &Path) -> Option<JobId> {
        let list = jobs.visible(board, self.show_all);
        list.get(self.selected.min(list.len().saturating_sub(1)))
            .map(|j| j.id)
    }

    /// A click on row `i` of the list as drawn.
    pub fn select_row(&mut self, i: usize, cx: &PaneCtx) -> Flow {
        self.selected = i;
        self.next_page(cx)
    }

    /// Asks for the next page of history once the selection nears the last loaded row.
    fn next_page(&self, cx: &PaneCtx) -> Flow {
        match cx
            .jobs
            .page_wanted(cx.doc.identity(), self.show_all, self.selected)
        {
            Some(cmd) => Flow::Msg(Msg::job(cmd)),
            None => Flow::Handled,
        }
    }

    pub fn handle(&mut self, action: Action, cx: &mut PaneCtx) -> Flow {
        let len = cx.jobs.visible(cx.doc.identity(), self.show_all).len();
        if let Some(to) = moved_selection(action, self.selected, len, cx.page) {
            self.selected = to;
            return self.next_page(cx);
        }
        match action {
            Action::ToggleAllBoards => {
                self.show_all = !self.show_all;
                self.selected = 0;
            }
            Action::RefreshJobs => return Flow::Msg(Msg::job(JobCmd::Refresh)),
            Action::ToggleKeeper | Action::MarkCompare | Action::CompareTakes => {
                return super::job_takes::handle(self, action, cx);
            }
            Action::RetryJob => {
                // Only asks: the confirmation offers polling again before paying again.
                return match self.selected_job(cx) {
                    Some(j) if can_retry(j) => Flow::Msg(Msg::AskRetry(j.id)),
                    Some(j) => Flow::toast_err(format!(
                        "job #{} is {}; only failed jobs (or ones stopped after the provider accepted them) can be retried",
                        j.id,
                        j.phase.as_str()
                    )),
                    None => Flow::toast_err("no job selected"),
                };
            }
            Action::RedownloadJob => {
                // Also resumes an active job the engine stopped on (see JobCmd::Redownload);
                // the engine refuses anything else with a reason.
                return match self.selected_job(cx) {
                    Some(j) if j.phase == JobPhase::Failed => Flow::toast_err(format!(
                        "job #{} failed; retry it ({}) to send it again",
                        j.id,
                        cx.keys.key_for(Context::Queue, Action::RetryJob)
                    )),
                    // Done on another machine: the pane says where the videos come from.
                    Some(j) if j.fetch_hint().is_some() => Flow::Msg(Msg::FetchHere {
                        id: j.id,
                        asker: j.asked_on().unwrap_or_default().to_string(),
                    }),
                    Some(j) => Flow::Msg(Msg::job(JobCmd::Redownload(j.id))),
                    None => Flow::toast_err("no job selected"),
                };
            }
            Action::OpenResult => {
                return match self
                    .selected_job(cx)
                    .and_then(|j| j.files.iter().find(|f| f.complete))
                {
                    Some(file) => Flow::Msg(Msg::Open(file.path.clone())),
                    None => Flow::toast_err("the selected job has no downloaded video yet"),
                };
            }
            Action::CopyUrl => {
                return match self.selected_job(cx).and_then(|j| j.files.first()) {
                    Some(file) => Flow::Msg(Msg::Copy(file.url.clone())),
                    None => Flow::toast_err("the selected job has no video URL yet"),
                };
            }
            _ => return Flow::Ignored,
        }
        self.next_page(cx)
    }

    pub fn render(&self, f: &mut Frame, area: Rect, v: &View) {
        let s = v.styles;
        let jobs = v.jobs.visible(v.doc.identity(), self.show_all);
        let scope = if self.show_all {
            "all boards"
        } else {
            "this board"
        };
        let all = v.jobs.unfiltered_total(v.doc.identity(), self.show_all);
        let block = v.block(
            PaneId::Queue,
            Span::styled(format!("· {scope} · {all} "), s.muted),
        );
        let block = self.filter.on_block(block, jobs.total(), all, s.accent);
        let inner = pad_x(block.inner(area));
        f.render_widget(block, area);
        let width = inner.width as usize;
        if jobs.is_empty() {
            self.hits.clear();
            let key = |a| v.keymap.key_for(Context::Queue, a);
            let msg = if v.jobs.loading {
                "loading…".to_string()
            } else if self.filter.query().is_some() {
                "no job matches the filter".to_string()
            } else if v.jobs.is_empty() {
                format!("no jobs yet: submit with {}", key(Action::Submit))
            } else {
                format!(
                    "no jobs for this board ({}: all boards)",
                    key(Action::ToggleAllBoards)
                )
            };
            f.render_widget(Line::styled(fit(&msg, width), s.muted), inner);
            return;
        }
        let selected = self.selected.min(jobs.len() - 1);
        let layout = RowLayout {
            width,
            wide: width >= 70,
            show_all: self.show_all,
            compare_mark: self.compare_mark,
        };
        // Detail lines for the selected job when there is room below the list.
        let Some(selected_job) = jobs.get(selected) else {
            return;
        };
        let detail = detail_lines(selected_job, v, width, self.show_all);
        let rows = inner.height as usize;
        let list_rows = if rows > jobs.len().min(4) + detail.len() {
            rows - detail.len()
        } else {
            rows
        };
        let window = self.hits.window(jobs.len(), selected, list_rows);
        self.hits.record(inner, window.start, window.len(), 1);
        let below = jobs.len().saturating_sub(window.end);
        crate::widgets::mark_hidden(f, area, window.start, below, v.styles.muted);
        let mut lines: Vec<Line> = window
            .filter_map(|i| jobs.get(i).map(|j| (i, j)))
            .map(|(i, j)| row(j, v, layout).style(v.sel_style(i == selected)))
            .collect();
        if list_rows < rows {
            lines.resize(list_rows, Line::default());
            lines.extend(detail);
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}

fn phase_style(phase: JobPhase, v: &View) -> Style {
    match phase {
        JobPhase::Done => v.styles.ok,
        JobPhase::Failed => v.styles.error,
        JobPhase::NeedsAttention => v.styles.warn,
        _ => v.styles.accent,
    }
}

fn phase_mark(j: &JobView, now_ms: i64) -> char {
    match j.phase {
        JobPhase::Done => '✓',
        JobPhase::Failed => '✗',
        JobPhase::NeedsAttention => '!',
        _ => SPINNER[((now_ms / TICK_MS).rem_euclid(SPINNER.len() as i64)) as usize],
    }
}

fn elapsed(j: &JobView, now_ms: i64) -> String {
    clock(j.finished_at.unwrap_or(now_ms) - j.created_at)
}

fn progress(j: &JobView) -> Option<String> {
    if j.files.is_empty() || j.phase != JobPhase::Downloading {
        return None;
    }
    let done: u64 = j.files.iter().map(|f| f.bytes_done).sum();
    let total: Option<u64> = j.files.iter().map(|f| f.bytes_total).sum();
    Some(match total {
        Some(t) if t > 0 => format!(
            "{}% {}/{}",
            done * 100 / t,
            megabytes(done).trim_end_matches(" MB"),
            megabytes(t)
        ),
        _ => megabytes(done),
    })
}

/// The short "what happened" of a job: progress, error, file or status.
fn summary(j: &JobView) -> String {
    if let Some(p) = progress(j).filter(|_| j.error.is_none()) {
        return p;
    }
    if let Some(e) = &j.error {
        let what = e.summary();
        // On an active job an error means backing off (retryable) or stopped until `d`.
        return match (j.phase.is_active(), e.retryable) {
            _ if j.phase == JobPhase::NeedsAttention => format!("needs attention: {}", e.message),
            (false, _) => what,
            (true, true) if j.phase != JobPhase::Downloading => format!("retrying: {what}"),
            (true, _) => format!("stopped: {what} (d resumes)"),
        };
    }
    if let Some(hint) = j.fetch_hint() {
        return hint;
    }
    if let Some(f) = j.files.iter().find(|f| f.complete) {
        return f.path.file_name().map_or_else(
            || f.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
    }
    j.status_msg.clone().unwrap_or_default()
}

/// How the queue draws its rows: wide enough for ids and task ids, every board's, and
/// which take is marked for comparison.
#[derive(Clone, Copy)]
struct RowLayout {
    width: usize,
    wide: bool,
    show_all: bool,
    compare_mark: Option<JobId>,
}

fn row(j: &JobView, v: &View, layout: RowLayout) -> Line<'static> {
    let RowLayout {
        width,
        wide,
        show_all,
        compare_mark,
    } = layout;
    let s = v.styles;
    let mut spans = vec![Span::styled(
        format!("{} {:<11}", phase_mark(j, v.now_ms), j.phase.as_str()),
        phase_style(j.phase, v),
    )];
    spans.extend(super::job_takes::take_spans(j, v, show_all, compare_mark));
    if wide {
        spans.push(Span::styled(format!(" #{:<3}", j.id), s.muted));
    }
    // A narrow all-boards row has no room for the time: drop it rather than cut it.
    let before: usize = spans.iter().map(|x| x.width()).sum();
    if before + 6 <= width {
        spans.push(Span::raw(format!(" {:>5}", elapsed(j, v.now_ms))));
    }
    if wide {
        spans.push(Span::styled(
            format!(" {:<7}", j.provider.as_str()),
            s.muted,
        ));
        let task = j.task_id.as_deref().unwrap_or("—");
        spans.push(Span::styled(format!(" {:<14}", fit(task, 14)), s.muted));
        // A shared store's jobs are the team's: whose (the user; the host is in the detail).
        if let Some(who) = &j.submitted_by {
            let user = shotdeck_core::printable(who.split('@').next().unwrap_or(who));
            spans.push(Span::styled(format!(" {:<8}", fit(&user, 8)), s.muted));
        }
    }
    let used: usize = spans.iter().map(|x| x.width()).sum();
    let text = summary(j);
    let style = if j.error.is_some() { s.error } else { s.text };
    spans.push(Span::styled(
        format!(" {}", fit(&text, width.saturating_sub(used + 1))),
        style,
    ));
    Line::from(spans)
}

fn detail_lines(j: &JobView, v: &View, width: usize, show_board: bool) -> Vec<Line<'static>> {
    let s = v.styles;
    let mut out = Vec::new();
    if show_board {
        let file = j
            .board_path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        out.push(Line::styled(
            fit(&format!("board {} · {file}", j.board_title), width),
            s.muted,
        ));
    }
    out.extend(super::job_takes::take_detail(j, v, width));
    out.extend([Line::styled(
        fit(
            &format!(
                "#{} {} · task {} · {} s{}{}",
                j.id,
                j.provider,
                j.task_id.as_deref().unwrap_or("not assigned"),
                crate::labels::secs(j.seconds),
                j.estimated_usd
                    .map_or(String::new(), |u| format!(" · ≈ ${u:.2}")),
                j.submitted_by.as_ref().map_or(String::new(), |who| {
                    format!(" · by {}", shotdeck_core::printable(who))
                }),
            ),
            width,
        ),
        s.muted,
    )]);
    if let Some(e) = &j.error {
        let code = e
            .code
            .as_deref()
            .map_or(String::new(), |c| format!("{c}: "));
        out.push(Line::styled(
            fit(&format!("{code}{}", e.message), width),
            s.error,
        ));
    }
    // Paths under the board's folder read best relative to it.
    let dir = v.doc.board_dir();
    for file in &j.files {
        let shown = file.path.strip_prefix(dir).unwrap_or(&file.path);
        let style = if file.complete { s.ok } else { s.text };
        out.push(Line::styled(
            fit(&shown.display().to_string(), width),
            style,
        ));
    }
    out
}
