//! Every paid action asks first: a submit and a retry open the same kind of confirmation
//! (cost and the files that will be uploaded), and nothing is sent until the user says yes.
//! A job is retried once from here; the engine refuses a second retry from anywhere.

use crate::app::App;
use crate::model::continues;
use crate::model::doc::Doc;
use crate::overlays::confirm::Confirm;
use crate::overlays::paid::{Paid, RetryAsk, RetryWay, Stored, Upload};
use shotdeck_core::jobs::CANCELLED_CODE;
use shotdeck_core::jobs::{JobCmd, JobId, JobPhase, SubmitOptions, SubmitRequest, SubmitTicket};
use shotdeck_core::rules::sent_images;
use shotdeck_core::{Finding, Severity};
use shotdeck_files::image_probe::{real_target, resolve};

impl App {
    /// `Err` (already said in a toast) when nothing paid may go to `provider`: checked
    /// before a confirmation opens, so a send that cannot work is never asked for.
    fn paid_allowed(&mut self, provider: shotdeck_core::Provider) -> Result<(), ()> {
        (self.env.paid_check)(provider).map_err(|why| {
            self.toast_error(format!("{why}; nothing was sent"));
        })
    }

    pub(crate) fn request_submit(&mut self) {
        if self.paid_allowed(self.model.doc.provider()).is_err() {
            return;
        }
        let errors = board_errors(&self.model.doc);
        if !errors.is_empty() {
            return self.layers.push(Confirm::Refused { errors });
        }
        // A board that continues from the previous keeper: the way chosen is said in the
        // question; one that cannot be built is refused in its place (the engine refuses
        // it too), so a video that does not continue is never asked for.
        let continues = match self.continuation() {
            Some(Err(refusal)) => {
                return self.layers.push(Confirm::Blocked {
                    why: refusal.to_string(),
                });
            }
            Some(Ok(line)) => Some(line),
            None => None,
        };
        let mut paid = paid_board(&self.model.doc, self.env.simulated);
        paid.continues = continues;
        self.layers.push(Confirm::Submit(paid));
    }

    /// How the board continues from the previous board's keeper, as its sequence says,
    /// planned now (see `model::continues`): the line the dialog shows, or the refusal.
    fn continuation(&self) -> Option<Result<String, shotdeck_core::jobs::Refusal>> {
        let doc = &self.model.doc;
        let (identity, board) = (doc.identity(), doc.board());
        let planned = continues::plan(
            doc.sequence(),
            identity,
            board,
            doc.provider(),
            doc.profiles(),
        )?;
        Some(planned.map(|c| continues::line(identity, &c, board)))
    }

    /// Saves the board (so the job matches the file) and asks the engine to submit it; the
    /// engine validates again, mints the idempotency key and embeds the images.
    fn send_board(&mut self, retry_of: Option<JobId>, takes: u32) -> SubmitTicket {
        self.save_now(false);
        let provider = self.model.doc.provider();
        let request = SubmitRequest::new(
            self.model.doc.path(),
            self.model.doc.board().clone(),
            provider,
            SubmitOptions {
                retry_of,
                takes,
                ..SubmitOptions::default()
            },
        );
        let ticket = request.ticket;
        self.send(JobCmd::Submit(request));
        self.panes.queue.selected = 0;
        ticket
    }

    pub(crate) fn submit_now(&mut self, takes: u32) {
        self.send_board(None, takes);
        let provider = self.model.doc.provider();
        self.toast_unless_error(if takes > 1 {
            format!("submitting {takes} takes to {provider}…")
        } else {
            format!("submitting to {provider}…")
        });
    }

    /// Opens the retry confirmation for job `id`, unless this editor already retried it.
    pub(crate) fn request_retry(&mut self, id: JobId) {
        if let Some(why) = self.model.retries.already(id) {
            return self.toast_error(format!("{why}; nothing was sent"));
        }
        match self.retry_ask(id) {
            Some(ask) => self.layers.push(Confirm::Retry(Box::new(ask))),
            None => self.toast_error(format!("no job #{id}")),
        }
    }

    /// The engine refused job `id`'s stored request because its reference video is past
    /// Kling's 30 days: the retry dialog opens again offering only the board as it is now,
    /// which plans the continuation again, saying why first.
    pub(crate) fn offer_board_now(&mut self, id: JobId, why: String) {
        let Some(mut ask) = self.retry_ask(id) else {
            return;
        };
        ask.ways = vec![RetryWay::BoardNow];
        ask.selected = 0;
        ask.note = Some(why);
        self.layers.push(Confirm::Retry(Box::new(ask)));
    }

    /// The retry confirmation for job `id`: its ways, the default one, and what each sends.
    fn retry_ask(&self, id: JobId) -> Option<RetryAsk> {
        let job = self.model.jobs.get(id)?;
        let ways = if job.phase == JobPhase::NotSent {
            // The job itself is the paid send: a new one would leave it waiting.
            vec![RetryWay::SendRecorded]
        } else {
            let mut ways = Vec::new();
            if job.task_id.is_some() {
                ways.push(RetryWay::PollAgain);
            }
            ways.push(RetryWay::BoardNow);
            // The engine sends a stored request again only once the job has ended.
            if job.phase == JobPhase::Failed {
                ways.push(RetryWay::StoredRequest);
            }
            ways
        };
        let state = match &job.error {
            Some(e) => {
                let code = e.code.as_deref().map_or(String::new(), |c| format!("{c} "));
                format!("{} · {code}{}", job.phase.as_str(), e.message)
            }
            None => job.phase.as_str().to_string(),
        };
        // A task the provider failed will not succeed by asking again: a new one is the
        // default (still confirmed). A job still running, or one the user stopped, polls.
        let provider_failed = job.phase == JobPhase::Failed
            && job.error.as_ref().and_then(|e| e.code.as_deref()) != Some(CANCELLED_CODE);
        let selected = if provider_failed {
            ways.iter()
                .position(|w| *w == RetryWay::BoardNow)
                .unwrap_or(0)
        } else {
            0
        };
        // "Board now" plans the continuation again, as a submit does.
        let mut board = paid_board(&self.model.doc, self.env.simulated);
        let board_blocked = match self.continuation() {
            Some(Err(refusal)) => Some(refusal.to_string()),
            Some(Ok(line)) => {
                board.continues = Some(line);
                None
            }
            None => None,
        };
        Some(RetryAsk {
            job: id,
            state,
            task_id: job.task_id.clone(),
            ways,
            selected,
            stored: Stored {
                provider: job.provider,
                seconds: job.seconds,
                estimated_usd: job.estimated_usd,
            },
            board,
            board_errors: board_errors(&self.model.doc),
            board_blocked,
            note: None,
        })
    }

    /// Does what the retry confirmation's choice says: poll (free) or send once (paid).
    pub(crate) fn retry_now(&mut self, ask: RetryAsk) {
        let id = ask.job;
        if let Some(why) = self.model.retries.already(id) {
            return self.toast_error(format!("{why}; nothing was sent"));
        }
        let provider = match ask.way() {
            RetryWay::PollAgain => None,
            RetryWay::BoardNow => Some(self.model.doc.provider()),
            RetryWay::StoredRequest | RetryWay::SendRecorded => Some(ask.stored.provider),
        };
        if let Some(p) = provider
            && self.paid_allowed(p).is_err()
        {
            return;
        }
        match ask.way() {
            RetryWay::PollAgain => {
                self.send(JobCmd::Repoll(id));
                self.toast_info(format!("polling job #{id}'s task again"));
            }
            RetryWay::BoardNow if !ask.board_errors.is_empty() => {
                // Like a submit: the board is not sent while it has errors.
                let errors = board_errors(&self.model.doc);
                self.layers.push(Confirm::Refused { errors });
            }
            RetryWay::BoardNow => {
                // Like a submit: a continuation that cannot be built (planned again now) is
                // not sent.
                if let Some(Err(refusal)) = self.continuation() {
                    let why = refusal.to_string();
                    return self.layers.push(Confirm::Blocked { why });
                }
                let ticket = self.send_board(Some(id), 1);
                self.model.retries.sent(id, Some(ticket));
                self.toast_unless_error(format!("retrying job #{id} with the board as it is now…"));
            }
            RetryWay::SendRecorded => {
                self.send(JobCmd::Send(id));
                self.toast_info(format!("sending job #{id}…"));
            }
            RetryWay::StoredRequest => {
                self.send(JobCmd::Retry(id));
                self.model.retries.sent(id, None);
                self.toast_info(format!("retrying job #{id} with its stored request…"));
            }
        }
    }

    /// An info toast, unless an error (saving before a submit failed) must stay in view.
    fn toast_unless_error(&mut self, text: String) {
        if self.model.toast.as_ref().is_none_or(|t| !t.error) {
            self.toast_info(text);
        }
    }
}

/// The board's errors: a submit is refused while there are any.
fn board_errors(doc: &Doc) -> Vec<Finding> {
    doc.derived()
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect()
}

/// The board as it is now, as a paid send: cost, and the local files its mode uploads
/// (looked at with `stat` only).
fn paid_board(doc: &Doc, simulated: bool) -> Paid {
    let d = doc.derived();
    let b = doc.board();
    let provider = doc.provider();
    let uploads = sent_images(b)
        .into_iter()
        .filter(|(_, r)| !shotdeck_core::model::is_url(r))
        .map(|(_, r)| Upload {
            name: r.trim().to_string(),
            bytes: std::fs::metadata(resolve(doc.board_dir(), r))
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
            target: real_target(doc.board_dir(), r),
        })
        .collect();
    Paid {
        provider,
        seconds: d.total_seconds,
        shots: b.multi_shot.then_some(b.shots.len()),
        quality: b.quality.clone(),
        model: shotdeck_core::compose::effective_model(b, provider),
        cost: match &d.estimate {
            Some(e) => e.summary(),
            None => "no price configured for this model and quality".into(),
        },
        simulated,
        uploads,
        warnings: d.warnings,
        unverified: shotdeck_core::rules::unverified_notes(b, provider, doc.profiles()),
        carries: d.carries.clone(),
        usd: d.estimate.as_ref().map(|e| e.usd),
        takes: 1,
        continues: None,
    }
}
