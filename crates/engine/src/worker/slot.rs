//! The account gate from a worker's side: a job is sent only once the store gave it one of
//! its account's slots, waits visibly ("queued: 3 of 3 slots in use on account studio-a")
//! until then, and a create the provider refused for the account's sake is shared through
//! the store with every engine on it.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::{Halt, Next, Shared, Worker};
use shotdeck_core::jobs::{JobId, JobPhase};
use shotdeck_providers::ProviderError;
use shotdeck_store::{JobChange, Requeue, Slot, SlotWait};

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

/// This engine's jobs that want a slot, oldest first (by creation, then id: the gate's
/// order). Only the first asks the store. The gate admits in that order across the team,
/// so when the oldest is told to wait every younger job of ours would be told the same:
/// asking for them too would only make the store's work grow with the queue. The first
/// asks once per tick (or when a slot of ours freed); the next asks as soon as it leaves.
#[derive(Default)]
pub(crate) struct SlotLine(Mutex<BTreeSet<(i64, JobId)>>);

impl SlotLine {
    fn set(&self) -> std::sync::MutexGuard<'_, BTreeSet<(i64, JobId)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_first(&self, key: (i64, JobId)) -> bool {
        self.set().first() == Some(&key)
    }
}

/// A worker's place in its engine's [`SlotLine`]; dropping it (a slot taken, the job
/// lost, cancelled or its worker aborted) lets the next one ask at once.
pub(super) struct InLine {
    shared: Arc<Shared>,
    key: (i64, JobId),
}

impl InLine {
    fn join(shared: &Arc<Shared>, key: (i64, JobId)) -> InLine {
        shared.slot_line.set().insert(key);
        InLine {
            shared: shared.clone(),
            key,
        }
    }
}

impl Drop for InLine {
    fn drop(&mut self) {
        self.shared.slot_line.set().remove(&self.key);
        self.shared.slot_freed.notify_waiters();
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

    /// Waits until a slot may have freed: one of this engine's jobs left its slot, the
    /// engine's watch tick came (another engine's job may have), or a tick's time passed.
    pub(super) async fn await_slot(&self) {
        let freed = self.shared.slot_freed.notified();
        tokio::select! {
            () = freed => {}
            () = tokio::time::sleep(self.shared.tuning.tick()) => {}
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
            Requeue::Local => Ok(None),
            Requeue::Lost => Err(Halt::LeaseLost),
        }
    }
}
