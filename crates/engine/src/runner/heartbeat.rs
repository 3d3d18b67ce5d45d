//! The engine's heartbeat: its leases renewed every tick by a task of its own, so a loop
//! busy with other store calls (reading changes, adopting, a slow gate) never makes the
//! engine look dead. On PostgreSQL the renewal is also the engine's `engines.last_seen`;
//! a lease that lapsed because the loop was busy would hand its queued jobs to another
//! engine, which parks them `not_sent`.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::worker::Shared;
use shotdeck_core::jobs::JobId;

pub(super) struct Heartbeat {
    /// The jobs our workers run (the loop's word, sent whenever it changes).
    held: watch::Sender<Vec<JobId>>,
    /// Jobs a renewal found held by another process, for the loop to note.
    lost: mpsc::UnboundedReceiver<Vec<JobId>>,
    task: JoinHandle<()>,
}

impl Heartbeat {
    pub(super) fn start(shared: Arc<Shared>) -> Heartbeat {
        let (held, held_rx) = watch::channel(Vec::new());
        let (lost_tx, lost) = mpsc::unbounded_channel();
        let task = tokio::spawn(beat(shared, held_rx, lost_tx));
        Heartbeat { held, lost, task }
    }

    /// The jobs our workers run now.
    pub(super) fn hold(&self, ids: Vec<JobId>) {
        self.held.send_replace(ids);
    }

    /// Jobs found lost since the last call.
    pub(super) fn lost(&mut self) -> Vec<JobId> {
        let mut all = Vec::new();
        while let Ok(ids) = self.lost.try_recv() {
            all.extend(ids);
        }
        all
    }

    /// No renewal after this: the leases are about to be released.
    pub(super) fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn beat(
    shared: Arc<Shared>,
    mut held: watch::Receiver<Vec<JobId>>,
    lost: mpsc::UnboundedSender<Vec<JobId>>,
) {
    let mut every = tokio::time::interval(shared.tuning.tick());
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        // Nothing held, nothing to renew: an idle engine costs the store nothing.
        if held.wait_for(|h| !h.is_empty()).await.is_err() {
            return;
        }
        every.tick().await;
        let ids = held.borrow_and_update().clone();
        if ids.is_empty() {
            continue;
        }
        let (ttl, now) = (shared.tuning.lease_ttl, shared.now());
        match shared
            .store
            .renew_leases(&shared.owner, ttl, ids, now)
            .await
        {
            Ok(gone) if gone.is_empty() => {}
            Ok(gone) => {
                if lost.send(gone).is_err() {
                    return;
                }
            }
            Err(e) => tracing::error!(error = %e, "lease renewal failed"),
        }
    }
}
