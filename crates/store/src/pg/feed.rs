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

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

use super::PgStore;
use crate::{ChangeFeed, StoreError};

pub(crate) struct PgFeed {
    notify: Arc<Notify>,
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
                let notify = Arc::new(Notify::new());
                let counts = Arc::new(FeedCounts::default());
                let (wake, heard, me) = (notify.clone(), counts.clone(), self.writer.clone());
                // The listener reconnects and re-reads by itself; it ends only when its
                // task is aborted (the feed dropped).
                let task = tokio::spawn(async move {
                    while let Some(change) = listener.recv().await {
                        heard.heard.fetch_add(1, Ordering::Relaxed);
                        if change.writer.as_deref() == Some(&*me) {
                            heard.own.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                        wake.notify_one();
                    }
                });
                Ok::<_, StoreError>(Arc::new(PgFeed {
                    notify,
                    counts,
                    task,
                }))
            })
            .await?;
        Ok(feed.clone())
    }
}
