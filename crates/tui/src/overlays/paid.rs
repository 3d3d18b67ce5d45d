//! What a paid send is shown as before the user says yes: the same lines for a submit and
//! for a retry (provider, duration, quality and model, estimated cost, the local files that
//! will be uploaded with their sizes), and for a retry which job and which way.

use ratatui::text::{Line, Span};

use crate::labels::{file_size, fit, secs};
use crate::theme::Styles;
use shotdeck_core::jobs::JobId;
use shotdeck_core::{Finding, Provider};

/// One local image the engine will read and upload. Sizes come from the file system
/// (`stat`), never from reading the image.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Upload {
    /// As the board names it (relative to the board's folder, usually).
    pub name: String,
    /// `None`: the file could not be looked at.
    pub bytes: Option<u64>,
    /// The file really read when it is not where `name` says (a symlink out of the
    /// board's folder).
    pub target: Option<std::path::PathBuf>,
}

/// A board about to be sent: what it costs and what leaves the machine.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Paid {
    pub provider: Provider,
    pub seconds: f64,
    pub shots: Option<usize>,
    pub quality: String,
    pub model: String,
    /// `≈ $1.01 (…, estimate)`, or why there is none.
    pub cost: String,
    pub uploads: Vec<Upload>,
    pub warnings: usize,
    /// `--demo`: the send goes to the simulated backend and costs nothing.
    pub simulated: bool,
    /// What the send asks for that no page of the provider's docs shows (4k on the official
    /// API): said before the user pays, not only as a count of warnings.
    pub unverified: Vec<String>,
    /// What the route will carry: "3 shots as multi_prompt", "single prompt".
    pub carries: String,
    /// One take's estimate in USD, when a price is known (the total of N takes).
    pub usd: Option<f64>,
    /// How many takes (variants) a submit records and sends, each its own task: 1 to
    /// `MAX_TAKES`. A retry sends one.
    pub takes: u32,
    /// How the board continues from the previous board's keeper, when its sequence says
    /// so: `02-market continues from 01-arrival take 2: video reference (omni)`.
    pub continues: Option<String>,
}

impl Paid {
    /// Sets the count of takes, kept within 1 to `MAX_TAKES`.
    pub(crate) fn set_takes(&mut self, n: u32) {
        self.takes = n.clamp(1, shotdeck_core::jobs::MAX_TAKES);
    }

    pub(crate) fn lines(&self, s: &Styles) -> Vec<Line<'static>> {
        let shots = self.shots.map_or("single shot".to_string(), |n| {
            format!("{n} shot{}", if n == 1 { "" } else { "s" })
        });
        let mut l = vec![
            kv("Provider", self.provider.as_str().to_string(), s),
            kv("Duration", format!("{} s ({shots})", secs(self.seconds)), s),
            kv("Quality", format!("{} · {}", self.quality, self.model), s),
            kv("Carries", self.carries.clone(), s),
            kv("Cost", self.cost.clone(), s),
        ];
        if let Some(line) = &self.continues {
            l.push(kv("Sequence", line.clone(), s));
        }
        if self.takes > 1 {
            let total = match self.usd {
                Some(usd) => format!("≈ ${:.2} in all", usd * f64::from(self.takes)),
                None => "no price configured".into(),
            };
            let n = self.takes;
            l.push(kv("Takes", format!("{n}, each its own task: {total}"), s));
        }
        if self.simulated {
            l.push(Line::styled(
                "Simulated (--demo): nothing is charged",
                s.warn,
            ));
        }
        l.extend(upload_lines(&self.uploads, s));
        for note in &self.unverified {
            l.push(Line::styled(format!("Unverified: {note}"), s.warn));
        }
        if self.warnings > 0 {
            l.push(Line::default());
            l.push(Line::styled(
                format!("{} warning(s): see the timeline", self.warnings),
                s.warn,
            ));
        }
        l
    }
}

fn upload_lines(uploads: &[Upload], s: &Styles) -> Vec<Line<'static>> {
    if uploads.is_empty() {
        return vec![kv("Uploads", "no local files".into(), s)];
    }
    uploads
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let size = u.bytes.map_or("cannot be read".into(), file_size);
            let name = fit(&shotdeck_core::printable(&u.name), 36);
            let shown = match &u.target {
                // The file that leaves the machine, named whole: it is what the user agrees to.
                Some(t) => format!("{name} → {} · {size}", shotdeck_core::printable_path(t)),
                None => format!("{name} · {size}"),
            };
            kv(if i == 0 { "Uploads" } else { "" }, shown, s)
        })
        .collect()
}

/// The ways a job can be tried again, in the order they are offered: the free one first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryWay {
    /// Ask the provider about the task it already accepted: nothing is created.
    PollAgain,
    /// A new job from the board as it is now, validated again.
    BoardNow,
    /// A new job from the request stored with the job, as it was sent.
    StoredRequest,
    /// The job itself, recorded by a submit that stopped before sending (`not_sent`).
    SendRecorded,
}

/// The stored request's side of a retry, as far as the UI knows it without the store.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored {
    pub provider: Provider,
    pub seconds: f64,
    pub estimated_usd: Option<f64>,
}

/// "Retry job #7?": which job, how (one of `ways`), and what each way sends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RetryAsk {
    pub job: JobId,
    /// `failed · 1102 Account balance not enough`.
    pub state: String,
    pub task_id: Option<String>,
    pub ways: Vec<RetryWay>,
    pub selected: usize,
    pub board: Paid,
    /// Errors that would refuse the board as it is now.
    pub board_errors: Vec<Finding>,
    /// Why the board as it is now would be refused although it has no errors: its
    /// continuation from the previous keeper cannot be built (the refusal's words).
    pub board_blocked: Option<String>,
    pub stored: Stored,
    /// Said first, in the error colour: why the dialog opened again (the engine refused
    /// the stored request; the board as it is now is offered instead).
    pub note: Option<String>,
}

impl RetryAsk {
    pub(crate) fn way(&self) -> RetryWay {
        self.ways[self.selected.min(self.ways.len() - 1)]
    }

    /// Moves the choice by one, staying within the list.
    pub(crate) fn choose(&mut self, down: bool) {
        self.selected = if down {
            (self.selected + 1).min(self.ways.len() - 1)
        } else {
            self.selected.saturating_sub(1)
        };
    }

    /// What the confirm key does with the current choice.
    pub(crate) fn verb(&self) -> &'static str {
        match self.way() {
            RetryWay::PollAgain => "poll again",
            RetryWay::BoardNow | RetryWay::StoredRequest | RetryWay::SendRecorded => "send",
        }
    }

    fn label(&self, way: RetryWay) -> String {
        let id = self.job;
        match way {
            RetryWay::PollAgain => format!(
                "Poll task {} again (free)",
                fit(self.task_id.as_deref().unwrap_or("?"), 24)
            ),
            RetryWay::BoardNow => "Send a new one: the board as it is now".into(),
            RetryWay::StoredRequest => format!("Send a new one: job #{id}'s stored request"),
            RetryWay::SendRecorded => format!("Send job #{id}: recorded, never sent"),
        }
    }

    pub(crate) fn lines(&self, s: &Styles) -> Vec<Line<'static>> {
        // Kept to one row: the dialog's height counts rows, not wrapped lines.
        let state = fit(&self.state, 44);
        let mut l = Vec::new();
        if let Some(note) = &self.note {
            l.push(Line::styled(note.clone(), s.error));
            l.push(Line::default());
        }
        l.push(kv("Job", format!("#{} {state}", self.job), s));
        l.push(Line::default());
        for (i, way) in self.ways.iter().enumerate() {
            let chosen = i == self.selected.min(self.ways.len() - 1);
            let (mark, style) = if chosen {
                ("› ", s.title_focused)
            } else {
                ("  ", s.muted)
            };
            l.push(Line::styled(format!("{mark}{}", self.label(*way)), style));
        }
        l.push(Line::default());
        match self.way() {
            RetryWay::PollAgain => {
                l.push(kv(
                    "Cost",
                    "nothing: the provider already has the task".into(),
                    s,
                ));
            }
            RetryWay::BoardNow if !self.board_errors.is_empty() => {
                l.extend(self.board.lines(s));
                l.push(Line::styled(
                    format!(
                        "{} error(s) block the board: it will be refused",
                        self.board_errors.len()
                    ),
                    s.error,
                ));
            }
            RetryWay::BoardNow => {
                l.extend(self.board.lines(s));
                if let Some(why) = &self.board_blocked {
                    l.push(Line::styled(format!("It will be refused: {why}"), s.error));
                }
            }
            RetryWay::StoredRequest | RetryWay::SendRecorded => {
                let st = &self.stored;
                let cost = st
                    .estimated_usd
                    .map_or(format!("job #{}'s had no price", self.job), |usd| {
                        format!("≈ ${usd:.2} (job #{}'s estimate)", self.job)
                    });
                l.extend([
                    kv("Provider", st.provider.as_str().to_string(), s),
                    kv("Duration", format!("{} s", secs(st.seconds)), s),
                    kv("Quality", format!("as sent with job #{}", self.job), s),
                    kv("Cost", cost, s),
                    kv(
                        "Uploads",
                        format!("the images stored in job #{}'s request", self.job),
                        s,
                    ),
                ]);
            }
        }
        l
    }
}

pub(crate) fn kv(k: &str, v: String, s: &Styles) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k:<10}"), s.muted),
        Span::styled(v, s.text),
    ])
}
