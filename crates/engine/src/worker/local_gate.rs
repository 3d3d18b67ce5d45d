//! The account's limit as one engine learns it, for a store that keeps no account (one
//! machine's SQLite). The provider refuses a create past its account's concurrency (Kling's
//! 1303) and nothing tells when a slot frees but the end of a task. So after a refusal
//! with `n` of this engine's creates and tasks out, no more than `n` go out at once
//! until the cooldown ends: each further create waits for one of ours to end, and the
//! account is asked about once per freed slot instead of by every job on its backoff.
//! A store with an account gate (PostgreSQL) never refuses here: the gate does it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

#[derive(Default)]
pub(crate) struct LocalGate(Mutex<State>);

#[derive(Default)]
struct State {
    /// This engine's creates being sent and tasks in flight at the provider.
    out: usize,
    /// At most this many out, until then (the limit learned from a refusal).
    cap: Option<(usize, Instant)>,
    /// Jobs waiting for a turn, first come first served.
    waiting: VecDeque<Arc<Notify>>,
}

impl State {
    fn cap(&mut self) -> Option<(usize, Instant)> {
        if self.cap.is_some_and(|(_, until)| until <= Instant::now()) {
            self.cap = None;
        }
        self.cap
    }

    fn room(&mut self) -> bool {
        self.cap().is_none_or(|(cap, _)| self.out < cap)
    }

    /// Rings the first waiting job if there is room for it.
    fn wake_next(&mut self) {
        if self.room()
            && let Some(next) = self.waiting.pop_front()
        {
            next.notify_one();
        }
    }
}

/// One create (then its task) out at the provider; dropped when the create was refused
/// or the task ended (or its worker stopped), which gives the turn to the next job.
pub(super) struct Out(Arc<LocalGate>);

impl Drop for Out {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.out = state.out.saturating_sub(1);
        state.wake_next();
    }
}

/// A job's place among the waiting; leaving unserved after being rung passes the ring on.
struct Waiting<'a> {
    gate: &'a LocalGate,
    wake: Arc<Notify>,
    /// It took its turn: nothing to pass on.
    served: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.served {
            return;
        }
        let mut state = self.gate.state();
        let before = state.waiting.len();
        state.waiting.retain(|w| !Arc::ptr_eq(w, &self.wake));
        if state.waiting.len() == before {
            // Rung already (popped): the turn is the next one's.
            state.wake_next();
        }
    }
}

impl LocalGate {
    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a turn to send a create: at once unless a refusal set a limit that is
    /// reached, or others wait before us. Also says whether it had to wait.
    pub(super) async fn enter(self: &Arc<Self>) -> (Out, bool) {
        let mut waited = false;
        loop {
            let (mut waiting, until) = {
                let mut state = self.state();
                if state.waiting.is_empty() && state.room() {
                    state.out += 1;
                    return (Out(self.clone()), waited);
                }
                let wake = Arc::new(Notify::new());
                state.waiting.push_back(wake.clone());
                let until = state.cap().map(|(_, until)| until);
                let waiting = Waiting {
                    gate: self,
                    wake,
                    served: false,
                };
                (waiting, until)
            };
            let far = Instant::now() + Duration::from_secs(3600);
            tokio::select! {
                () = waiting.wake.notified() => {}
                // The limit's end lets everyone try again.
                () = tokio::time::sleep_until(until.unwrap_or(far)) => {}
            }
            {
                let mut state = self.state();
                if state.room() {
                    state.out += 1;
                    // Out of the line (rung: already; the limit's end: now).
                    state.waiting.retain(|w| !Arc::ptr_eq(w, &waiting.wake));
                    waiting.served = true;
                    return (Out(self.clone()), true);
                }
            }
            // No room after all (the limit was lowered meanwhile): in line again, behind;
            // dropping `waiting` (unlocked) passes a ring on.
            waited = true;
        }
    }

    /// The provider refused a create over the account's concurrency (its `Out` already
    /// given back): at most as many as are out now may be out until `cooldown` passed
    /// (at least one, so a job keeps asking when none of ours holds the account).
    pub(super) fn refused(&self, cooldown: Duration) {
        let mut state = self.state();
        state.cap = Some((state.out.max(1), Instant::now() + cooldown));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // On tokio's paused clock: nothing here depends on the machine's speed.
    #[tokio::test(start_paused = true)]
    async fn after_a_refusal_one_goes_out_per_one_that_ends() {
        let gate = Arc::new(LocalGate::default());
        let (first, waited) = gate.enter().await;
        assert!(!waited, "no limit learned yet");
        let (second, _) = gate.enter().await;
        let (refused, _) = gate.enter().await;
        drop(refused);
        gate.refused(Duration::from_secs(120));
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.enter().await })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiter.is_finished(), "two out: the learned limit");
        drop(first);
        let (third, waited) = waiter.await.unwrap();
        assert!(waited);
        let another = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.enter().await })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!another.is_finished(), "still two out");
        // The learned limit lasts its cooldown only.
        tokio::time::sleep(Duration::from_secs(120)).await;
        let _fourth = another.await.unwrap();
        drop((second, third));
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_that_leaves_after_its_ring_passes_the_turn_on() {
        let gate = Arc::new(LocalGate::default());
        let (out, _) = gate.enter().await;
        gate.refused(Duration::from_secs(120));
        let spawn = |gate: Arc<LocalGate>| tokio::spawn(async move { gate.enter().await });
        let (a, b) = (spawn(gate.clone()), spawn(gate.clone()));
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(out);
        // `a` was rung; it is aborted before it took its turn.
        a.abort();
        let _ = a.await;
        let b = tokio::time::timeout(Duration::from_secs(1), b).await;
        assert!(b.is_ok(), "the turn went to the next waiting job");
    }
}
