//! What the engine's events do to the app: jobs listed and updated, refusals and spend
//! said, a record or a comparison filled in, a job's end announced.

use crate::app::App;
use crate::app::deps::History;
use crate::model::jobs::JobBook;
use crate::model::jobs::filtered::FilteredPage;
use crate::model::msg::Toast;
use shotdeck_core::jobs::{JobEvent, JobPhase, JobView};

impl App {
    /// The engine's event channel closed: jobs will not progress until shotdeck restarts.
    pub fn on_engine_stopped(&mut self) {
        self.toast_error("the job engine stopped; job updates will resume when shotdeck restarts");
    }

    /// Bell and/or desktop notification for a job that just finished or failed, so a user
    /// in another window (or tmux pane) notices.
    fn announce_end(&mut self, job: &JobView) {
        let body = match job.phase {
            JobPhase::Done => format!("job #{} done", job.id),
            JobPhase::Failed => match &job.error {
                Some(e) => format!("job #{} failed: {}", job.id, e.summary()),
                None => format!("job #{} failed", job.id),
            },
            _ => return,
        };
        if self.env.notify == shotdeck_files::config::NotifyMode::Off {
            return;
        }
        if let Err(e) = self.env.host.notify(self.env.notify, "shotdeck", &body) {
            tracing::warn!("notification not sent: {e}");
        }
    }

    /// The engine is up (it starts after the first frame): its history replaces the empty
    /// loading book, and a reason submits are refused is shown.
    pub fn on_history(&mut self, history: History) {
        self.model.jobs = JobBook::new(history.jobs, history.counts);
        if history.sequence.is_some() {
            self.model.doc.set_sequence(history.sequence);
        }
        if let Some(warning) = history.warning {
            self.toast_error(warning);
        }
        self.dirty = true;
    }

    /// Until [`App::on_history`]: the Jobs pane says it is loading.
    pub fn expect_history(&mut self) {
        self.model.jobs = JobBook::loading();
    }

    pub fn on_job_event(&mut self, ev: JobEvent) {
        self.dirty = true;
        match ev {
            JobEvent::Submitted { ticket, job } => {
                self.model.retries.answered(ticket, job.id);
                let (provider, ext) = (job.provider, &job.external_task_id);
                let note = Toast::info(format!("submitted to {provider} as {ext}"));
                // Unless saving before the submit failed: that error stays in view.
                if self.model.toast.as_ref().is_none_or(|t| !t.error) {
                    self.show(note);
                } else {
                    self.log(&note);
                }
                self.model.jobs.update(job);
            }
            JobEvent::Updated(job) => {
                self.model.doc.sequence_job(&job);
                if let Some(said) = self.model.keeper_written(&job) {
                    self.toast_info(said);
                }
                let before = self.model.jobs.update(job.clone()).map(|j| j.phase);
                // Any board's job, but only an end seen happening (not one loaded ended).
                if before.is_some_and(|b| b != job.phase) {
                    self.announce_end(&job);
                }
                let ours = job.board_path == self.model.doc.identity();
                if !ours || before == Some(job.phase) {
                    return;
                }
                match job.phase {
                    JobPhase::Done => {
                        let file = job
                            .files
                            .first()
                            .map_or(String::new(), |f| format!(": {}", f.path.display()));
                        self.toast_info(format!("job #{} done{file}", job.id));
                    }
                    JobPhase::Failed => {
                        let why = job
                            .error
                            .as_ref()
                            .map_or(String::new(), |e| format!(": {}", e.summary()));
                        self.toast_error(format!("job #{} failed{why}", job.id));
                    }
                    _ => {}
                }
            }
            JobEvent::Rejected { reason, ticket } => {
                self.model.retries.refused(ticket);
                self.toast_error(format!("refused: {reason}"));
                if let shotdeck_core::jobs::Refusal::ExpiredReference { id, from, days } = &reason {
                    let why = format!(
                        "Stored request refused: {from}'s video URL is {days} days old, and \
                         Kling keeps results 30 days. Nothing was sent."
                    );
                    self.offer_board_now(*id, why);
                }
            }
            JobEvent::Spend { today_usd } => self.model.spend_today = Some(today_usd),
            JobEvent::Details(record) => self.on_job_details(record),
            JobEvent::Compared(takes) => self.on_compared(*takes),
            JobEvent::Elements(answer) => self.on_library(answer),
            JobEvent::ElementPreview { id, outcome } => self.on_element_preview(id, outcome),
            JobEvent::Page {
                board,
                below,
                jobs,
                ended,
                filter: None,
                ..
            } => self.model.jobs.page(board, below, jobs, ended),
            JobEvent::Page {
                board,
                below,
                jobs,
                ended,
                filter: Some(text),
                matching,
            } => self.model.jobs.filtered_page(FilteredPage {
                board,
                below,
                jobs,
                ended,
                text,
                matching,
            }),
        }
    }
}
