//! A store wrapped for tests and benchmarks: it counts the calls each method gets (a
//! backend does at least one database round trip for each), adds up the time they took,
//! and can hold them, as a
//! network partition would, so an engine's lease renewals stop and its writes arrive late.
//!
//! The wrapper knows nothing of either backend: what it proves about fencing holds for
//! whatever a backend does inside `renew_leases`, `apply` and the others.

mod forward;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::JobStore;

/// Which calls a [`Tap`] holds until released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Every call goes through.
    Nothing,
    /// `renew_leases` waits (the engine's heartbeat stops); everything else goes through.
    Renewals,
    /// Every call waits, and goes through, late, once released: a partition.
    Everything,
    /// Everything but `renew_leases` waits: an engine alive (its heartbeat goes on) but
    /// too busy, or too slow a link, to get anything else done for a while.
    AllButRenewals,
}

impl Hold {
    fn holds(self, method: &str) -> bool {
        match self {
            Hold::Nothing => false,
            Hold::Renewals => method == "renew_leases",
            Hold::Everything => true,
            Hold::AllButRenewals => method != "renew_leases",
        }
    }
}

/// A [`JobStore`] that forwards every call to `inner`, counting it and waiting while held.
pub struct Tap {
    inner: Arc<dyn JobStore>,
    calls: Mutex<BTreeMap<&'static str, u64>>,
    /// Time spent inside the forwarded calls (not waiting while held), by method.
    busy: Mutex<BTreeMap<&'static str, Duration>>,
    hold: watch::Sender<Hold>,
}

/// Adds the time since it was made to its method's total when dropped: held by each
/// forwarded call until the inner call returned (or was dropped unfinished).
struct Timing<'a> {
    tap: &'a Tap,
    method: &'static str,
    started: Instant,
}

impl Drop for Timing<'_> {
    fn drop(&mut self) {
        let took = self.started.elapsed();
        let mut busy = self.tap.busy.lock().unwrap_or_else(PoisonError::into_inner);
        *busy.entry(self.method).or_default() += took;
    }
}

impl Tap {
    /// `call` (built, not yet run: every store's futures start when polled) once the tap
    /// lets `name` through.
    fn forward<'a, T: 'a, E: 'a>(
        &'a self,
        name: &'static str,
        call: crate::StoreFuture<'a, T, E>,
    ) -> crate::StoreFuture<'a, T, E> {
        Box::pin(async move {
            let _timing = self.pass(name).await;
            call.await
        })
    }

    pub fn new(inner: Arc<dyn JobStore>) -> Arc<Tap> {
        Arc::new(Tap {
            inner,
            calls: Mutex::new(BTreeMap::new()),
            busy: Mutex::new(BTreeMap::new()),
            hold: watch::Sender::new(Hold::Nothing),
        })
    }

    /// From now on, calls `hold` names wait (those already past the gate finish).
    pub fn hold(&self, hold: Hold) {
        self.hold.send_replace(hold);
    }

    /// Lets every waiting call through, in no particular order.
    pub fn release(&self) {
        self.hold.send_replace(Hold::Nothing);
    }

    /// Calls so far, by method name.
    pub fn calls(&self) -> BTreeMap<&'static str, u64> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Time spent in the calls so far (from the store's answer being asked for to its
    /// arrival, the wait in the pool included), by method name.
    pub fn busy(&self) -> BTreeMap<&'static str, Duration> {
        self.busy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Calls so far, every method.
    pub fn total(&self) -> u64 {
        self.calls().values().sum()
    }

    async fn pass(&self, method: &'static str) -> Timing<'_> {
        *self
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(method)
            .or_default() += 1;
        let mut rx = self.hold.subscribe();
        // The sender lives as long as `self`: the wait cannot end in an error first.
        let _ = rx.wait_for(|h| !h.holds(method)).await;
        Timing {
            tap: self,
            method,
            started: Instant::now(),
        }
    }
}
