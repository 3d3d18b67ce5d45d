//! Housekeeping while jobs are in flight: leases another process took, other processes'
//! changes, and adopting jobs no live engine holds. Renewal is the heartbeat's, beside the
//! loop (see `heartbeat`).

use tokio::time::Instant;

use super::EngineLoop;
use crate::worker::Worker;
use shotdeck_core::jobs::JobId;
use shotdeck_store::Adopted;

impl EngineLoop {
    /// Housekeeping while anything is in flight.
    pub(super) async fn tick(&mut self) {
        self.next_tick = Instant::now() + self.shared.tuning.tick();
        let lost = self.heartbeat.lost();
        self.note_lost(lost).await;
        // Our first job waiting for a slot asks on its own tick; a slot another engine
        // gave back rings it through the feed (see `worker::slot`).
        self.read_changes().await;
        self.adopt(false).await;
        self.refresh_watching().await;
    }

    /// The store's change feed woke the loop: report what other processes changed, and
    /// start ticking if one of their jobs is now in flight (its progress then comes from
    /// the tick, as the feed carries phase changes only).
    pub(super) async fn store_changed(&mut self) {
        self.read_changes().await;
        if self.slot_watch.is_none() {
            // Another engine's job may have given its slot back: our first asks again.
            self.shared.slot_line.wake_first();
        }
        // Already watching, the next tick reads whether we still need to: one query per
        // change heard would cost every engine one per phase change of the team's jobs.
        if !self.watching {
            self.refresh_watching().await;
        }
    }

    /// Reports the in-scope rows other processes changed since the last read. The store's
    /// cursor, not a clock, says where the last read ended, so a writer whose clock is
    /// behind is not missed; a row read again unchanged is not reported twice.
    async fn read_changes(&mut self) {
        match self.shared.store.changed_since(self.cursor).await {
            Ok(changes) => {
                self.cursor = changes.next;
                for v in changes.jobs {
                    // The store's row is the truth about another process's job: no writer's
                    // `updated_at` (its own clock) decides which view is newer.
                    let newer = self.known.get(&v.id).is_none_or(|k| *k != v);
                    // Our own workers report their jobs directly, and fresher; not a job
                    // whose lease went elsewhere (cancelled, or taken over).
                    let ours = self.workers.contains_key(&v.id) && !self.lost.contains(&v.id);
                    if self.scope.contains(v.id) && !ours && newer {
                        self.report(v);
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "watching the store failed"),
        }
    }

    /// Jobs our workers run whose lease another process took (`jobs cancel`, or an engine
    /// that adopted them while this one was suspended past its lease): from now on their
    /// views come from the store, so whoever follows them here sees what really happens.
    /// The worker finds out at its next write and stops.
    async fn note_lost(&mut self, lost: Vec<JobId>) {
        let mut fresh = Vec::new();
        // A job whose worker already stopped was released by us, not taken.
        for id in lost.into_iter().filter(|id| self.workers.contains_key(id)) {
            if self.lost.insert(id) {
                tracing::info!(
                    job = id,
                    "its lease went to another process; following it from the store"
                );
                fresh.push(id);
            }
        }
        if fresh.is_empty() {
            return;
        }
        // The heartbeat found out beside the loop: a read of changes since may already
        // have passed over the other process's write while the job was still ours.
        match self.shared.store.views(fresh).await {
            Ok(views) => {
                for v in views {
                    if self.scope.contains(v.id) && self.known.get(&v.id) != Some(&v) {
                        self.report(v);
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "reading jobs taken over failed"),
        }
    }

    /// Takes the lease of in-scope active jobs no live engine holds, and works on them.
    /// Stalled jobs only on start: otherwise they wait for the user.
    pub(super) async fn adopt(&mut self, include_stalled: bool) {
        let terms = self.shared.tuning.lease_terms();
        let now = self.shared.now();
        let ids = match self
            .shared
            .store
            .adoptable(terms, now, include_stalled)
            .await
        {
            Ok(ids) => ids,
            Err(e) => return tracing::error!(error = %e, "looking for jobs to adopt failed"),
        };
        for id in ids {
            if !self.scope.contains(id) || self.workers.contains_key(&id) {
                continue;
            }
            let now = self.shared.now();
            let adopted = self
                .shared
                .store
                .adopt(id, &self.shared.owner, terms, now)
                .await;
            match adopted {
                Ok(Adopted::Work(changed)) => {
                    if let Some(view) = changed {
                        self.report(view);
                    }
                    tracing::info!(job = id, "adopted");
                    self.spawn_worker(id).await;
                }
                Ok(Adopted::Parked(view)) => {
                    tracing::info!(job = id, "recorded but never sent; waits for the user");
                    self.report(view);
                }
                Ok(Adopted::Busy) => {}
                Err(e) => tracing::error!(job = id, error = %e, "adopting failed"),
            }
        }
    }

    pub(super) async fn spawn_worker(&mut self, id: JobId) {
        match Worker::load(self.shared.clone(), id).await {
            Ok(worker) => {
                self.workers.insert(id, tokio::spawn(worker.run()));
                self.held_changed();
            }
            Err(e) => {
                tracing::error!(job = id, error = %e, "cannot start work on the job");
                let _ = self.shared.store.release(id, &self.shared.owner).await;
            }
        }
    }

    /// Whether an in-scope job is in flight beyond our own workers.
    pub(super) async fn refresh_watching(&mut self) {
        match self.shared.store.in_flight().await {
            Ok(ids) => {
                self.watching = ids
                    .into_iter()
                    .any(|id| self.scope.contains(id) && !self.workers.contains_key(&id));
            }
            Err(e) => tracing::error!(error = %e, "reading in-flight jobs failed"),
        }
    }
}
