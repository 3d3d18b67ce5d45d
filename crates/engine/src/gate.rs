//! The one door every provider request goes through: a global concurrency limit, and a
//! shared hold-off after a rate limit.
//!
//! Rate limits are per account, not per job: when one job's poll is told to slow down,
//! every job of this engine waits out the same `Retry-After`, so a 429 storm costs one
//! request per window instead of one per job. No one holds a slot while waiting: a job
//! backing off (a rate-limited create, a server error) has given its slot back.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

pub struct RequestGate {
    permits: Semaphore,
    quiet_until: Mutex<Option<Instant>>,
}

impl RequestGate {
    pub fn new(limit: usize) -> Self {
        RequestGate {
            permits: Semaphore::new(limit.max(1)),
            quiet_until: Mutex::new(None),
        }
    }

    /// Waits for a free slot outside any hold-off. Hold the permit for the request.
    pub async fn enter(&self) -> SemaphorePermit<'_> {
        loop {
            if let Some(until) = self.quiet_until() {
                tokio::time::sleep_until(until).await;
            }
            let permit = self
                .permits
                .acquire()
                .await
                .expect("the gate's semaphore is never closed");
            // Another request may have been rate limited while we queued for the slot.
            if self.quiet_until().is_none() {
                return permit;
            }
        }
    }

    /// Asks every request to wait `d` from now (a longer hold-off already set wins).
    pub fn hold_off(&self, d: Duration) {
        let until = Instant::now() + d;
        let mut q = self.quiet_until.lock().unwrap_or_else(|e| e.into_inner());
        if q.is_none_or(|cur| cur < until) {
            *q = Some(until);
        }
    }

    /// The end of the current hold-off, if one is running.
    fn quiet_until(&self) -> Option<Instant> {
        let mut q = self.quiet_until.lock().unwrap_or_else(|e| e.into_inner());
        match *q {
            Some(until) if until > Instant::now() => Some(until),
            _ => {
                *q = None;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn no_more_than_the_limit_run_at_once() {
        let gate = Arc::new(RequestGate::new(3));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    let _permit = gate.enter().await;
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    // On tokio's paused clock: the bounds are exact, whatever the machine's load.
    #[tokio::test(start_paused = true)]
    async fn a_hold_off_delays_everyone_and_the_longest_wins() {
        let gate = RequestGate::new(4);
        gate.hold_off(Duration::from_millis(120));
        gate.hold_off(Duration::from_millis(10));
        let start = Instant::now();
        drop(gate.enter().await);
        assert!(start.elapsed() >= Duration::from_millis(120));
        let start = Instant::now();
        drop(gate.enter().await);
        assert!(
            start.elapsed() < Duration::from_millis(50),
            "over once expired"
        );
    }
}
