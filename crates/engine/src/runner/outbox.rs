//! The engine's events on their way to a front end, through a bounded channel.
//!
//! Policy when the channel is full: the engine loop never waits for the front end (a front
//! end that waits for the engine, or a relay forwarding commands to it, would otherwise
//! deadlock with it). Events wait here instead, and a job's views coalesce: a newer view of
//! a job replaces its older one still waiting, in place, so a flood of progress ticks holds
//! one view per job, and the last one (the final state) always arrives. Today's spend
//! coalesces the same way. Answers to commands (submitted, refused, pages, details) are
//! kept whole; the loop stops taking commands while more than [`BACKLOG`] events wait, so
//! those are bounded by the command channel.

use std::collections::VecDeque;

use tokio::sync::mpsc::{self, error::TrySendError};

use shotdeck_core::jobs::JobEvent;

/// Events a front end may be behind by before the engine waits for it.
pub const EVENT_CAPACITY: usize = 256;

/// Waiting events past which the loop takes no new command.
pub(super) const BACKLOG: usize = 1_024;

pub(super) struct Outbox {
    tx: mpsc::Sender<JobEvent>,
    waiting: VecDeque<JobEvent>,
}

impl Outbox {
    pub(super) fn new(tx: mpsc::Sender<JobEvent>) -> Self {
        Outbox {
            tx,
            waiting: VecDeque::new(),
        }
    }

    /// Sends `event` now if the channel has room and nothing waits before it; otherwise
    /// it waits, coalesced with an older event of the same job (or spend).
    pub(super) fn push(&mut self, event: JobEvent) {
        if self.waiting.is_empty() {
            match self.tx.try_send(event) {
                Ok(()) | Err(TrySendError::Closed(_)) => return,
                Err(TrySendError::Full(event)) => return self.wait(event),
            }
        }
        self.wait(event);
        self.flush();
    }

    fn wait(&mut self, event: JobEvent) {
        let older = self.waiting.iter_mut().find(|e| match (&**e, &event) {
            (JobEvent::Updated(old), JobEvent::Updated(new)) => old.id == new.id,
            (JobEvent::Spend { .. }, JobEvent::Spend { .. }) => true,
            _ => false,
        });
        match older {
            Some(slot) => *slot = event,
            None => self.waiting.push_back(event),
        }
    }

    /// Sends what waits, in order, while the channel has room.
    pub(super) fn flush(&mut self) {
        while let Some(event) = self.waiting.pop_front() {
            match self.tx.try_send(event) {
                Ok(()) => {}
                Err(TrySendError::Full(event)) => {
                    self.waiting.push_front(event);
                    return;
                }
                // Nobody listens: nothing to keep.
                Err(TrySendError::Closed(_)) => self.waiting.clear(),
            }
        }
    }

    pub(super) fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// A sender to wait for room on (`reserve`) while the loop also does other things.
    pub(super) fn sender(&self) -> mpsc::Sender<JobEvent> {
        self.tx.clone()
    }

    /// Sends the first waiting event through a slot `reserve` gave, then whatever else fits.
    pub(super) fn send_reserved(&mut self, permit: mpsc::Permit<'_, JobEvent>) {
        match self.waiting.pop_front() {
            Some(event) => permit.send(event),
            None => drop(permit),
        }
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shotdeck_core::jobs::{JobPhase, JobView};
    use shotdeck_core::provider::Provider;

    /// Job `id`'s view at `tick` (its `updated_at`).
    fn view(id: i64, tick: i64) -> JobEvent {
        JobEvent::Updated(JobView {
            board_key: Default::default(),
            id,
            board_path: "b.json".into(),
            board_title: String::new(),
            provider: Provider::Kling,
            external_task_id: String::new(),
            task_id: None,
            phase: JobPhase::Downloading,
            status_msg: None,
            error: None,
            files: Vec::new(),
            seconds: 5.0,
            estimated_usd: None,
            units_charged: None,
            created_at: 0,
            updated_at: tick,
            finished_at: None,
            take: 1,
            keeper: false,
            retry_of_take: None,
            submitted_by: None,
        })
    }

    fn tick_of(e: &JobEvent) -> (i64, i64) {
        match e {
            JobEvent::Updated(v) => (v.id, v.updated_at),
            other => panic!("{other:?}"),
        }
    }

    /// Reads everything as a slow reader would: one event per turn, the outbox flushing
    /// into the room each read makes.
    fn drain(out: &mut Outbox, rx: &mut mpsc::Receiver<JobEvent>) -> Vec<JobEvent> {
        let mut seen = Vec::new();
        while let Ok(e) = rx.try_recv() {
            seen.push(e);
            out.flush();
        }
        assert_eq!(out.waiting(), 0);
        seen
    }

    #[test]
    fn a_flood_of_progress_for_a_slow_reader_holds_one_view_per_job_and_ends_on_the_last() {
        let (tx, mut rx) = mpsc::channel(4);
        let mut out = Outbox::new(tx);
        for t in 0..100_000i64 {
            out.push(view(1 + t % 3, t));
            assert!(out.waiting() <= 3, "one waiting view per job");
        }
        let seen: Vec<_> = drain(&mut out, &mut rx).iter().map(tick_of).collect();
        // The four that fit, then the newest view of each job.
        assert_eq!(seen.len(), 7, "{seen:?}");
        assert_eq!(&seen[4..], &[(2, 99_997), (3, 99_998), (1, 99_999)]);
    }

    #[test]
    fn answers_are_kept_whole_and_in_order_behind_coalesced_views() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut out = Outbox::new(tx);
        out.push(view(1, 0));
        out.push(view(1, 10));
        out.push(JobEvent::Spend { today_usd: 1.0 });
        out.push(JobEvent::Page {
            board: None,
            below: 9,
            jobs: Vec::new(),
            ended: true,
            filter: None,
            matching: None,
        });
        out.push(view(1, 20));
        out.push(JobEvent::Spend { today_usd: 2.0 });
        assert_eq!(out.waiting(), 3);
        let seen = drain(&mut out, &mut rx);
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert_eq!(tick_of(&seen[0]), (1, 0));
        assert_eq!(tick_of(&seen[1]), (1, 20));
        assert!(matches!(seen[2], JobEvent::Spend { today_usd } if today_usd == 2.0));
        assert!(matches!(seen[3], JobEvent::Page { below: 9, .. }));
    }

    #[tokio::test]
    async fn a_reserved_slot_sends_the_oldest_waiting_event() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut out = Outbox::new(tx);
        out.push(view(1, 0));
        out.push(view(2, 0));
        let sender = out.sender();
        let reserved = tokio::spawn(async move { sender.reserve_owned().await.map(drop) });
        assert_eq!(tick_of(&rx.recv().await.expect("first")), (1, 0));
        reserved.await.expect("joined").expect("room");
        out.flush();
        assert_eq!(tick_of(&rx.recv().await.expect("second")), (2, 0));
        assert_eq!(out.waiting(), 0);
    }

    #[test]
    fn a_closed_channel_keeps_nothing() {
        let (tx, rx) = mpsc::channel(1);
        let mut out = Outbox::new(tx);
        drop(rx);
        out.push(view(1, 0));
        out.push(view(2, 0));
        assert_eq!(out.waiting(), 0);
    }
}
