//! The store's change feed ([`crate::JobStore::watch`]): one listener per store (its
//! clones share it), started by the first `watch`, turned into wake-ups.
//!
//! A `Notify` keeps one permit while nobody waits, so a burst of changes is one wake-up
//! and a change between two waits is never lost: the woken engine re-reads the store,
//! which is what it needs, not each notification.
//!
//! A notification this store's own connections caused (its `writer`) wakes nobody: the
//! process knows its own writes, and re-reading for them cost the engine two queries per
//! phase change of each of its jobs. A re-read after a reconnect names no writer and
//! always wakes.
//!
//! Slots given back on the store's account go to every subscriber of [`ChangeFeed::slots`]
//! whoever wrote them: several engines may share one store, and each needs to hear of
//! the others' (an engine tells its own apart by the job).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Notify, broadcast};

use super::PgStore;
use super::listen::SlotNote;
use crate::{ChangeFeed, SlotFreed, SlotFrees, StoreError};

/// Slot notes waiting for the slowest subscriber; past it, it hears `Missed`.
const SLOT_CAPACITY: usize = 64;

pub(crate) struct PgFeed {
    notify: Arc<Notify>,
    slots: broadcast::Sender<SlotFreed>,
    counts: Arc<FeedCounts>,
    /// Owns the listener; stopped with the last handle on the feed.
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PgFeed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the feed heard and what it woke for (see [`PgStore::feed_counts`]).
#[derive(Debug, Default)]
pub(crate) struct FeedCounts {
    /// Notifications (and re-read changes) received.
    pub(crate) heard: AtomicU64,
    /// Of those, the ones written by this store itself, which woke nobody.
    pub(crate) own: AtomicU64,
}

impl ChangeFeed for PgFeed {
    fn changed(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(self.notify.notified())
    }

    fn slots(&self) -> Option<Box<dyn SlotFrees>> {
        Some(Box::new(Slots(self.slots.subscribe())))
    }
}

struct Slots(broadcast::Receiver<SlotFreed>);

impl SlotFrees for Slots {
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<SlotFreed>> + Send + '_>> {
        Box::pin(async move {
            match self.0.recv().await {
                Ok(freed) => Some(freed),
                Err(broadcast::error::RecvError::Lagged(_)) => Some(SlotFreed::Missed),
                Err(broadcast::error::RecvError::Closed) => None,
            }
        })
    }
}

impl PgStore {
    /// How many changes this store's feed heard and how many were its own (no wake-up);
    /// `None` before the first `watch`.
    pub fn feed_counts(&self) -> Option<(u64, u64)> {
        let feed = self.feed.get()?;
        Some((
            feed.counts.heard.load(Ordering::Relaxed),
            feed.counts.own.load(Ordering::Relaxed),
        ))
    }

    /// The shared feed, its listener started (LISTEN in place) on first use.
    pub(super) async fn feed(&self) -> Result<Arc<PgFeed>, StoreError> {
        let feed = self
            .feed
            .get_or_try_init(|| async {
                let mut listener = self.listen().await?;
                let mut slot_notes = listener.take_slots();
                let notify = Arc::new(Notify::new());
                let counts = Arc::new(FeedCounts::default());
                let (wake, heard, me) = (notify.clone(), counts.clone(), self.writer.clone());
                let (slots, _) = broadcast::channel(SLOT_CAPACITY);
                let (freed, account) = (slots.clone(), self.account.clone());
                // The listener reconnects and re-reads by itself; it ends only when its
                // task is aborted (the feed dropped).
                let task = tokio::spawn(async move {
                    loop {
                        let note = async {
                            match slot_notes.as_mut() {
                                Some(notes) => notes.recv().await,
                                None => std::future::pending().await,
                            }
                        };
                        tokio::select! {
                            change = listener.recv() => {
                                let Some(change) = change else { break };
                                heard.heard.fetch_add(1, Ordering::Relaxed);
                                if change.writer.as_deref() == Some(&*me) {
                                    heard.own.fetch_add(1, Ordering::Relaxed);
                                    continue;
                                }
                                wake.notify_one();
                            }
                            note = note => {
                                let freed_now = match note {
                                    Some(SlotNote::Freed { id, account: a }) if a == account => {
                                        SlotFreed::Job(id)
                                    }
                                    Some(SlotNote::Freed { .. }) => continue,
                                    Some(SlotNote::Missed) => SlotFreed::Missed,
                                    None => {
                                        slot_notes = None;
                                        continue;
                                    }
                                };
                                // No subscriber yet is no error.
                                let _ = freed.send(freed_now);
                            }
                        }
                    }
                });
                Ok::<_, StoreError>(Arc::new(PgFeed {
                    notify,
                    slots,
                    counts,
                    task,
                }))
            })
            .await?;
        Ok(feed.clone())
    }
}
