//! A job's whole record over the panes (Enter in the job queue): its take (the keeper, the
//! take it retries), ids in full, provider and model, every phase with its time, the
//! failure, the cost, and each file with its size and path. The UI has no store: the
//! queue's view shows at once, and the phase history fills in when the engine answers
//! `JobCmd::Details`.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::labels::{clock, file_size, take_notes, time_of_day};
use crate::model::jobs::JobBook;
use crate::model::msg::{Msg, Toast};
use crate::overlays::layer::{Layer, Outcome, Reply, Seen};
use crate::overlays::scroll::Scroll;
use crate::overlays::{centered, framed};
use crate::theme::Styles;
use shotdeck_core::jobs::JobRecord;
use shotdeck_core::jobs::{JobId, JobView};

/// Label column width: values start after it, and wrapped values stay under it.
const LABEL_W: usize = 14;

#[derive(Debug, Clone)]
pub(crate) struct JobDetails {
    pub id: JobId,
    /// The store's record, once the engine has sent it.
    pub record: Option<Box<JobRecord>>,
    pub scroll: Scroll,
}

pub(crate) enum DetailsFlow {
    Close,
    Stay,
    Open,
}

impl JobDetails {
    pub(crate) fn new(id: JobId) -> JobDetails {
        JobDetails {
            id,
            record: None,
            scroll: Scroll::default(),
        }
    }

    /// An action from the `[job_details]` keymap.
    pub(crate) fn handle(&mut self, action: Action) -> DetailsFlow {
        match action {
            Action::Close => DetailsFlow::Close,
            Action::OpenResult => DetailsFlow::Open,
            other => {
                self.scroll.handle(other);
                DetailsFlow::Stay
            }
        }
    }

    /// The freshest view: the queue's (live) if it has the job, else the record's.
    pub(crate) fn view<'a>(&'a self, jobs: &'a JobBook) -> Option<&'a JobView> {
        jobs.get(self.id).or(self.record.as_ref().map(|r| &r.view))
    }

    pub(crate) fn render(
        &self,
        f: &mut Frame,
        area: Rect,
        jobs: &JobBook,
        keymap: &Keymap,
        s: &Styles,
    ) {
        let box_area = centered(area, area.width.saturating_sub(4), area.height - 2);
        let title = format!(" Job #{} ", self.id);
        let inner = framed(f, box_area, &title, &footer(keymap), s.border_focused, s);
        let inner = crate::widgets::pad_x(inner);
        let lines = match self.view(jobs) {
            Some(v) => self.lines(v, inner.width as usize, s),
            None => vec![Line::styled("this job is not in the list", s.muted)],
        };
        self.scroll.render_marking_more(f, inner, lines, s.accent);
    }

    fn lines(&self, v: &JobView, width: usize, s: &Styles) -> Vec<Line<'static>> {
        let mut out = Vec::new();
        let field = |label: &str, value: &str, style: Style| -> Vec<Line<'static>> {
            let room = width.saturating_sub(LABEL_W).max(8);
            hard_wrap(value, room)
                .into_iter()
                .enumerate()
                .map(|(i, part)| {
                    let label = if i == 0 { label } else { "" };
                    Line::from(vec![
                        Span::styled(format!("{label:<LABEL_W$}"), s.muted),
                        Span::styled(part, style),
                    ])
                })
                .collect()
        };
        out.extend(field("Board", &v.board_title, s.text));
        let take = [vec![v.take.to_string()], take_notes(v)].concat();
        out.extend(field("Take", &take.join(" · "), s.text));
        out.extend(field("Phase", v.phase.as_str(), s.text));
        out.extend(field("Provider", &v.provider.to_string(), s.text));
        // A shared store's job may be another machine's: say whose.
        if let Some(who) = &v.submitted_by {
            out.extend(field(
                "Submitted by",
                &shotdeck_core::printable(who),
                s.text,
            ));
        }
        if let Some(r) = &self.record {
            out.extend(field("Model", &r.board.model, s.text));
        }
        out.extend(field("External id", &v.external_task_id, s.text));
        out.extend(field(
            "Task id",
            v.task_id.as_deref().unwrap_or("none yet"),
            s.text,
        ));
        if let Some(msg) = &v.status_msg {
            out.extend(field("Status", msg, s.text));
        }
        out.extend(field("Seconds", &format!("{}", v.seconds), s.text));
        let estimate = v
            .estimated_usd
            .map_or("unknown".to_string(), |usd| format!("${usd:.2}"));
        out.extend(field("Estimated", &estimate, s.text));
        let charged = v
            .units_charged
            .as_ref()
            .map_or("nothing reported".to_string(), |u| format!("{u} units"));
        out.extend(field("Charged", &charged, s.text));
        if let Some(e) = &v.error {
            out.extend(field(
                "Failure code",
                e.code.as_deref().unwrap_or("none"),
                s.error,
            ));
            out.extend(field("Failure", &e.message, s.error));
        }
        out.push(Line::default());
        out.push(Line::styled("Phases (UTC, + since created)", s.accent));
        match &self.record {
            None => out.push(Line::styled("  reading the history…", s.muted)),
            Some(r) => {
                for e in &r.history {
                    let when = format!("{} +{}", time_of_day(e.at), clock(e.at - v.created_at));
                    let note = e
                        .note
                        .as_deref()
                        .map_or(String::new(), |n| format!("  {n}"));
                    let text = format!("{:<12}{note}", e.phase.as_str());
                    let room = width.saturating_sub(LABEL_W + 8).max(8);
                    for (i, part) in hard_wrap(&text, room).into_iter().enumerate() {
                        let when = if i == 0 { when.as_str() } else { "" };
                        out.push(Line::from(vec![
                            Span::styled(format!("  {when:<w$}", w = LABEL_W + 6), s.muted),
                            Span::styled(part, s.text),
                        ]));
                    }
                }
            }
        }
        out.push(Line::default());
        out.push(Line::styled("Files", s.accent));
        if v.files.is_empty() {
            out.push(Line::styled("  none yet", s.muted));
        }
        for (i, file) in v.files.iter().enumerate() {
            let size = match (file.complete, file.bytes_total) {
                (true, _) => file_size(file.bytes_done),
                (false, Some(total)) => {
                    format!("{} of {}", file.bytes_done, file_size(total))
                }
                (false, None) => format!("{} so far", file_size(file.bytes_done)),
            };
            let label = format!("  {}.", i + 1);
            out.extend(field(&label, &size, s.text));
            out.extend(field("", &file.path.display().to_string(), s.text));
        }
        for note in v.duration_mismatches() {
            out.extend(field("Mismatch", &note, s.warn));
        }
        out
    }
}

/// Cuts `s` into lines of `width` cells without dropping anything (ids and paths have no
/// spaces to wrap at, and must be read whole).
fn hard_wrap(s: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            out.push(String::new());
            used = 0;
        }
        if let Some(line) = out.last_mut() {
            line.push(c);
        }
        used += w;
    }
    out
}

fn footer(keymap: &Keymap) -> String {
    let key = |a| keymap.key_for(Context::JobDetails, a);
    format!(
        " {}/{} scroll · {} open video · {} close ",
        key(Action::SelectNext),
        key(Action::SelectPrev),
        key(Action::OpenResult),
        key(Action::Close)
    )
}

impl Layer for JobDetails {
    fn name(&self) -> &'static str {
        "job_details"
    }
    fn context(&self) -> Context {
        Context::JobDetails
    }
    fn key(&mut self, _: KeyEvent, action: Option<Action>, seen: &Seen) -> Outcome {
        match action.map_or(DetailsFlow::Stay, |a| self.handle(a)) {
            DetailsFlow::Close => Outcome::Close,
            DetailsFlow::Stay => Outcome::Consumed,
            // `o`: the first downloaded video, as the queue's `o` opens it.
            DetailsFlow::Open => {
                let file = self
                    .view(seen.jobs)
                    .and_then(|v| v.files.iter().find(|f| f.complete));
                Outcome::Ask(Reply::Msg(match file {
                    Some(f) => Msg::Open(f.path.clone()),
                    None => Msg::Toast(Toast::error("this job has no downloaded video yet")),
                }))
            }
        }
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        JobDetails::render(self, f, area, seen.jobs, seen.keymap, seen.styles);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_wrap_whole() {
        assert_eq!(hard_wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(hard_wrap("", 3), [""]);
    }
}
