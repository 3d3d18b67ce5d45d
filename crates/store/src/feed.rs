//! What a store's change feed ([`crate::JobStore::watch`]) wakes an engine for: any change
//! another process made, and, apart, a slot given back on the account.

use std::future::Future;
use std::pin::Pin;

use shotdeck_core::jobs::JobId;

/// Wake-ups from a store's change feed.
pub trait ChangeFeed: Send + Sync {
    /// Resolves at the next change, or at once if one came since the last wait resolved
    /// (changes between waits coalesce into one wake-up; none is lost).
    fn changed(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;

    /// The slots given back on this store's account from now on, by whichever process
    /// (this one's included: one store may serve several engines), each to every
    /// subscriber. `None`: the feed does not say (an engine then asks on its tick).
    fn slots(&self) -> Option<Box<dyn SlotFrees>> {
        None
    }
}

/// One engine's subscription to the slots given back ([`ChangeFeed::slots`]).
pub trait SlotFrees: Send {
    /// The next slot given back; `None` once the feed ended.
    fn next(&mut self) -> Pin<Box<dyn Future<Output = Option<SlotFreed>> + Send + '_>>;
}

/// A slot given back on the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotFreed {
    /// Job `id` left the phases that hold a slot.
    Job(JobId),
    /// Some went by unread (the subscriber fell behind): any slot may be free.
    Missed,
}
