//! The account gate from a worker's side: a job is sent only once the store gave it one of
//! its account's slots, waits visibly ("queued: 3 of 3 slots in use on account studio-a")
//! until then, and a create the provider refused for the account's sake is shared through
//! the store with every engine on it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;

use super::{Halt, Next, Shared, Worker};
use shotdeck_core::jobs::{JobId, JobPhase};
use shotdeck_providers::ProviderError;
use shotdeck_store::{JobChange, Requeue, Slot, SlotFreed, SlotFrees, SlotWait};

/// How long an account's limit stays lowered after a 1303 that came while fewer tasks
/// than the limit were counted (someone outside the store is using the account).
const OVER_LIMIT_COOLDOWN: Duration = Duration::from_secs(120);

/// The phases in which a job holds one of its account's slots.
pub(super) fn holds_slot(phase: JobPhase) -> bool {
    matches!(
        phase,
        JobPhase::Submitting | JobPhase::Submitted | JobPhase::Processing
    )
}

/// How many of this engine's own slot frees are remembered, so the feed's note about
/// them wakes nobody again (more than are ever freed between two notes).
const FREED_HERE: usize = 64;

/// This engine's jobs that want a slot, oldest first (by creation, then id: the gate's
/// order). Only the first asks the store. The gate admits in that order across the team,
/// so when the oldest is told to wait every younger job of ours would be told the same:
/// asking for them too would only make the store's work grow with the queue.
///
/// Each waiting job has a wake-up of its own, and only the first's is ever rung: when a
/// slot of ours is given back, when the store's feed says another engine's was, and when
/// the first leaves (its successor asks at once). A wake-up rung while the first is
/// still asking is kept for its next wait, so a slot freed during a gate call is never
/// missed until the next tick; the younger jobs sleep until they are first, however
/// many slots free meanwhile. The first also asks once per tick by itself (a lowered
/// limit's end, an older job elsewhere leaving the queue: nothing rings for those).
#[derive(Default)]
pub(crate) struct SlotLine {
    line: Mutex<BTreeMap<(i64, JobId), Arc<Notify>>>,
    /// Our jobs that gave a slot back lately (see [`FREED_HERE`]).
    freed_here: Mutex<VecDeque<JobId>>,
}

impl SlotLine {
    fn line(&self) -> MutexGuard<'_, BTreeMap<(i64, JobId), Arc<Notify>>> {
        self.line.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_first(&self, key: (i64, JobId)) -> bool {
        self.line().first_key_value().map(|(k, _)| *k) == Some(key)
    }

    /// Rings the first waiting job's wake-up (kept until it waits, if it is asking now).
    pub(crate) fn wake_first(&self) {
        if let Some((_, first)) = self.line().first_key_value() {
            first.notify_one();
        }
    }

    /// Job `id` of this engine gave its slot back: the first of ours asks now.
    pub(crate) fn freed_here(&self, id: JobId) {
        {
            let mut freed = self
                .freed_here
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if freed.len() == FREED_HERE {
                freed.pop_front();
            }
            freed.push_back(id);
        }
        self.wake_first();
    }

    /// The store's feed says a slot was given back on the account: the first of ours
    /// asks, unless the slot was one of ours (it asked already when we gave it back).
    pub(crate) fn heard(&self, freed: SlotFreed) {
        if let SlotFreed::Job(id) = freed {
            let mut mine = self
                .freed_here
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(at) = mine.iter().position(|j| *j == id) {
                mine.remove(at);
                return;
            }
        }
        self.wake_first();
    }
}

/// Rings this engine's first waiting job whenever the store's feed says a slot was given
/// back on the account, until the feed ends; stopped when dropped (with the engine).
pub(crate) struct SlotWatch(tokio::task::JoinHandle<()>);

impl SlotWatch {
    pub(crate) fn start(shared: Arc<Shared>, mut frees: Box<dyn SlotFrees>) -> SlotWatch {
        SlotWatch(tokio::spawn(async move {
            while let Some(freed) = frees.next().await {
                shared.slot_line.heard(freed);
            }
        }))
    }
}

impl Drop for SlotWatch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A worker's place in its engine's [`SlotLine`]; dropping it (a slot taken, the job
/// lost, cancelled or its worker aborted) lets the next one ask at once.
pub(super) struct InLine {
    shared: Arc<Shared>,
    key: (i64, JobId),
    wake: Arc<Notify>,
}

impl InLine {
    fn join(shared: &Arc<Shared>, key: (i64, JobId)) -> InLine {
        let wake = Arc::new(Notify::new());
        shared.slot_line.line().insert(key, wake.clone());
        InLine {
            shared: shared.clone(),
            key,
            wake,
        }
    }
}

impl Drop for InLine {
    fn drop(&mut self) {
        let mut line = self.shared.slot_line.line();
        let was_first = line.first_key_value().map(|(k, _)| *k) == Some(self.key);
        line.remove(&self.key);
        if was_first && let Some((_, next)) = line.first_key_value() {
            next.notify_one();
        }
    }
}

impl Worker {
    /// Asks the store for a slot when this job is the first of the engine's line (see
    /// [`SlotLine`]): `None` once the job is `submitting` (send now), else what to wait for.
    pub(super) async fn take_slot(&mut self) -> Result<Option<Next>, Halt> {
        let key = (self.view.created_at, self.id);
        let in_line = self
            .in_line
            .get_or_insert_with(|| InLine::join(&self.shared, key));
        if !self.shared.slot_line.is_first(in_line.key) {
            return Ok(Some(Next::Slot));
        }
        let (id, owner) = (self.id, self.shared.owner.clone());
        let slot = self
            .shared
            .store
            .take_slot(id, &owner, self.shared.now())
            .await;
        if !matches!(slot, Ok(Slot::Wait(_))) {
            // Taken, lost or failed: this job no longer waits first in line.
            self.in_line = None;
        }
        match slot? {
            Slot::Taken(view) => {
                self.publish(view).await;
                self.local_turn().await;
                Ok(None)
            }
            Slot::Wait(wait) => self.wait_for_slot(wait).await.map(Some),
            Slot::Lost => Err(Halt::LeaseLost),
        }
    }

    /// Shows why the job waits (written only when the words change) and how long.
    async fn wait_for_slot(&mut self, wait: SlotWait) -> Result<Next, Halt> {
        let words = wait.to_string();
        if self.view.status_msg.as_deref() != Some(words.as_str()) {
            tracing::info!(job = self.id, "{words}");
            let change = JobChange {
                status_msg: Some(Some(words)),
                ..JobChange::default()
            };
            self.change(change).await?;
        }
        Ok(match wait {
            SlotWait::HeldOff { for_ms, .. } => {
                Next::After(Duration::from_millis(for_ms.max(1) as u64))
            }
            SlotWait::Full { .. } => Next::Slot,
        })
    }

    /// Waits for this engine's turn to send a create (see `local_gate`), once the job has
    /// its slot and after a refusal; a job already counted out (a create retried after
    /// another error) goes on.
    /// Says whether it had to wait (one of ours ended meanwhile).
    pub(super) async fn local_turn(&mut self) -> bool {
        if self.out.is_some() {
            return false;
        }
        let (out, waited) = self.shared.local_gate.enter().await;
        self.out = Some(out);
        waited
    }

    /// Waits until this job should ask the gate (see [`SlotLine`]): the first of the line
    /// until its wake-up rings or a tick passed, any other until it is first.
    pub(super) async fn await_slot(&self) {
        let tick = self.shared.tuning.tick();
        let Some(in_line) = &self.in_line else {
            return tokio::time::sleep(tick).await;
        };
        if !self.shared.slot_line.is_first(in_line.key) {
            // Rung by the first's leaving; a ring since the check above is kept.
            return in_line.wake.notified().await;
        }
        tokio::select! {
            () = in_line.wake.notified() => {}
            () = tokio::time::sleep(tick) => {}
        }
    }

    /// A create the provider refused for the account's sake, to be waited out for `wait`.
    /// A 1303 (over its concurrency; nothing was created) sends the job back to the queue
    /// through the store, which frees its slot and may lower the account's limit for a
    /// while; a store that keeps no account leaves it to the usual backoff (`None`). Any
    /// other rate limit (1302, 429) holds the account off for every engine on the store;
    /// the job itself then backs off as before.
    pub(super) async fn refused_for_account(
        &mut self,
        e: &ProviderError,
        wait: Duration,
    ) -> Result<Option<Next>, Halt> {
        let (id, owner) = (self.id, self.shared.owner.clone());
        if !e.is_over_concurrency() {
            self.shared.store.hold_off(id, wait).await?;
            return Ok(None);
        }
        let requeue = self
            .shared
            .store
            .over_limit(id, &owner, wait, OVER_LIMIT_COOLDOWN, self.shared.now())
            .await?;
        match requeue {
            Requeue::Queued { view, limit } => {
                tracing::info!(job = id, limit, ?wait, "1303: back in the queue");
                self.publish(view).await;
                Ok(Some(Next::After(wait)))
            }
            Requeue::Local => {
                // Nothing was created: its turn goes back, the limit is learned, and the
                // create goes again as soon as one of ours ended (the job stays
                // `submitting`; the account, not this job, was the trouble). With none
                // of ours out to end, the usual backoff paces it (`None`).
                self.out = None;
                self.shared.local_gate.refused(OVER_LIMIT_COOLDOWN);
                tracing::info!(job = id, "1303: waiting for one of ours to end");
                Ok(self.local_turn().await.then_some(Next::Now))
            }
            Requeue::Lost => Err(Halt::LeaseLost),
        }
    }
}
