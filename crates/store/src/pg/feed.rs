//! The store's change feed ([`crate::JobStore::watch`]): one listener per store (its
//! clones share it), started by the first `watch`, turned into wake-ups.
//!
//! A `Notify` keeps one permit while nobody waits, so a burst of changes is one wake-up
//! and a change between two waits is never lost: the woken engine re-reads the store,
//! which is what it needs, not each notification.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::Notify;

use super::PgStore;
use crate::{ChangeFeed, StoreError};

pub(crate) struct PgFeed {
    notify: Arc<Notify>,
    /// Owns the listener; stopped with the last handle on the feed.
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PgFeed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ChangeFeed for PgFeed {
    fn changed(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(self.notify.notified())
    }
}

impl PgStore {
    /// The shared feed, its listener started (LISTEN in place) on first use.
    pub(super) async fn feed(&self) -> Result<Arc<PgFeed>, StoreError> {
        let feed = self
            .feed
            .get_or_try_init(|| async {
                let mut listener = self.listen().await?;
                let notify = Arc::new(Notify::new());
                let wake = notify.clone();
                // The listener reconnects and re-reads by itself; it ends only when its
                // task is aborted (the feed dropped).
                let task = tokio::spawn(async move {
                    while listener.recv().await.is_some() {
                        wake.notify_one();
                    }
                });
                Ok::<_, StoreError>(Arc::new(PgFeed { notify, task }))
            })
            .await?;
        Ok(feed.clone())
    }
}
