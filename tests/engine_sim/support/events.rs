//! An engine's events as a test follows them: the latest view of every job, refusals,
//! answers to commands.

use std::collections::HashMap;

use shotdeck::core::compare::TakeFacts;
use shotdeck::core::elements::{LibraryItem, PreviewFetch};
use shotdeck::engine::EngineHandle;
use shotdeck::engine::events::{JobEvent, JobPhase, JobView, Refusal, SubmitTicket};
use shotdeck::engine::store::JobRecord;

use super::PATIENCE;

/// An engine's events, remembered: the latest view of every job, and rejections.
pub struct Events {
    rx: tokio::sync::mpsc::Receiver<JobEvent>,
    pub latest: HashMap<i64, JobView>,
    /// Every view in arrival order.
    pub history: Vec<JobView>,
    pub rejections: Vec<Refusal>,
    /// The job recorded for each submit, by its ticket.
    pub submitted: HashMap<SubmitTicket, i64>,
    /// Why each refused submit was refused, by its ticket.
    pub refused: HashMap<SubmitTicket, Refusal>,
    /// The latest `JobEvent::Spend`.
    pub spend_today: Option<f64>,
    /// Records sent for `JobCmd::Details`, in arrival order.
    pub details: Vec<JobRecord>,
    /// Answers to `JobCmd::Page`, in arrival order.
    pub pages: Vec<JobEvent>,
    /// Takes sent for `JobCmd::Compare`, in arrival order.
    pub compared: Vec<[TakeFacts; 2]>,
    /// Answers to `JobCmd::Elements`, in arrival order.
    pub libraries: Vec<Result<Vec<LibraryItem>, String>>,
    /// Answers to `JobCmd::ElementPreview`, in arrival order.
    pub pictures: Vec<(String, PreviewFetch)>,
}

impl Events {
    pub fn new(engine: &mut EngineHandle) -> Events {
        let (_, empty) = tokio::sync::mpsc::channel(1);
        Events {
            rx: std::mem::replace(&mut engine.event_rx, empty),
            latest: HashMap::new(),
            history: Vec::new(),
            rejections: Vec::new(),
            submitted: HashMap::new(),
            refused: HashMap::new(),
            spend_today: None,
            details: Vec::new(),
            pages: Vec::new(),
            compared: Vec::new(),
            libraries: Vec::new(),
            pictures: Vec::new(),
        }
    }

    /// Waits until `take` finds the answer a command asked for among the events noted.
    async fn answer<T>(&mut self, what: &str, take: impl Fn(&mut Events) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(found) = take(self) {
                return found;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                _ => panic!("no {what} came; rejected: {:?}", self.rejections),
            }
        }
    }

    /// Waits for the record a `JobCmd::Details` asked for.
    pub async fn details(&mut self) -> JobRecord {
        self.answer("job details", |e| e.details.pop()).await
    }

    /// Waits for the answer to a `JobCmd::Page`.
    pub async fn page(&mut self) -> JobEvent {
        self.answer("page", |e| e.pages.pop()).await
    }

    /// Waits for the takes a `JobCmd::Compare` asked for.
    pub async fn compared(&mut self) -> [TakeFacts; 2] {
        self.answer("comparison", |e| e.compared.pop()).await
    }

    /// Waits for the answer to a `JobCmd::Elements`.
    pub async fn library(&mut self) -> Result<Vec<LibraryItem>, String> {
        self.answer("element library", |e| e.libraries.pop()).await
    }

    /// Waits for the answer to a `JobCmd::ElementPreview`: the element's id and the outcome.
    pub async fn picture(&mut self) -> (String, PreviewFetch) {
        self.answer("element picture", |e| e.pictures.pop()).await
    }

    /// Waits until the latest view of some job satisfies `pred`, and returns it.
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&JobView) -> bool) -> JobView {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(v) = self.latest.values().find(|v| pred(v)) {
                return v.clone();
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                Ok(None) => panic!("engine stopped while waiting for {what}"),
                Err(_) => panic!(
                    "timed out waiting for {what}; latest: {:#?}; rejected: {:?}",
                    self.latest, self.rejections
                ),
            }
        }
    }

    /// Waits for a rejection and returns its reason.
    pub async fn rejection(&mut self) -> Refusal {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(r) = self.rejections.pop() {
                return r;
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(JobEvent::Rejected { reason, .. })) => return reason,
                Ok(Some(event)) => self.note(event),
                _ => panic!("no rejection came"),
            }
        }
    }

    fn note(&mut self, event: JobEvent) {
        match event {
            JobEvent::Submitted { ticket, job } => {
                self.submitted.insert(ticket, job.id);
                self.history.push(job.clone());
                self.latest.insert(job.id, job);
            }
            JobEvent::Updated(v) => {
                self.history.push(v.clone());
                self.latest.insert(v.id, v);
            }
            JobEvent::Rejected { reason, ticket } => {
                if let Some(ticket) = ticket {
                    self.refused.insert(ticket, reason.clone());
                }
                self.rejections.push(reason);
            }
            JobEvent::Spend { today_usd } => self.spend_today = Some(today_usd),
            JobEvent::Details(record) => self.details.push(*record),
            page @ JobEvent::Page { .. } => self.pages.push(page),
            JobEvent::Compared(takes) => self.compared.push(*takes),
            JobEvent::Elements(answer) => self.libraries.push(answer),
            JobEvent::ElementPreview { id, outcome } => self.pictures.push((id, outcome)),
        }
    }

    /// Why the engine refused the submit named by `ticket`.
    pub async fn refusal(&mut self, ticket: SubmitTicket) -> Refusal {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(reason) = self.refused.get(&ticket) {
                return reason.clone();
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                _ => panic!("no refusal of {ticket:?}; latest: {:#?}", self.latest),
            }
        }
    }

    /// The engine's answer to the submit named by `ticket`: its job, or why it was refused.
    pub async fn outcome(&mut self, ticket: SubmitTicket) -> Result<JobView, Refusal> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(reason) = self.refused.get(&ticket) {
                return Err(reason.clone());
            }
            if self.submitted.contains_key(&ticket) {
                return Ok(self.job_for(ticket).await);
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                _ => panic!("no answer to {ticket:?}; latest: {:#?}", self.latest),
            }
        }
    }

    /// The job recorded for the submit named by `ticket` (as it was when recorded).
    pub async fn job_for(&mut self, ticket: SubmitTicket) -> JobView {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(id) = self.submitted.get(&ticket) {
                let first = self.history.iter().find(|v| v.id == *id);
                return first.expect("recorded views are kept").clone();
            }
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(event)) => self.note(event),
                Ok(None) => panic!("engine stopped before recording {ticket:?}"),
                Err(_) => panic!(
                    "no job recorded for {ticket:?}; rejected: {:?}",
                    self.rejections
                ),
            }
        }
    }

    /// Waits until job `id` is done or failed.
    pub async fn finished(&mut self, id: i64) -> JobView {
        self.wait_for(&format!("job {id} to finish"), |v| {
            v.id == id && !v.phase.is_active()
        })
        .await
    }

    /// Waits until job `id` is done, failed or waiting for the user.
    pub async fn settled(&mut self, id: i64) -> JobView {
        self.wait_for(&format!("job {id} to settle"), |v| {
            v.id == id && (!v.phase.is_active() || v.phase == JobPhase::NeedsAttention)
        })
        .await
    }

    /// Waits until job `id` reaches `phase`.
    pub async fn reached(&mut self, id: i64, phase: JobPhase) -> JobView {
        self.wait_for(&format!("job {id} to reach {phase:?}"), |v| {
            v.id == id && v.phase == phase
        })
        .await
    }

    /// Whatever arrived without waiting; counts the events about jobs (not the spend
    /// summary that follows a job's last change).
    pub fn drain(&mut self) -> usize {
        let mut n = 0;
        while let Ok(ev) = self.rx.try_recv() {
            n += usize::from(!matches!(ev, JobEvent::Spend { .. }));
            self.note(ev);
        }
        n
    }
}
