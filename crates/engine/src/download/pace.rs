//! How slow a body may be before the attempt is cut (and the next one resumes): no byte at
//! all for `stall`, or fewer than `min_rate` bytes a second over a whole `rate_window`.
//! A server trickling one byte every ten seconds never trips a stall timeout alone, and
//! would hold a download slot for days.

use std::time::Duration;

use tokio::time::Instant;

use super::DownloadLimits;

pub(super) struct Pace {
    stall: Duration,
    min_rate: u64,
    window: Duration,
    window_start: Instant,
    window_bytes: u64,
    last_byte: Instant,
}

impl Pace {
    pub(super) fn new(limits: &DownloadLimits, now: Instant) -> Pace {
        Pace {
            stall: limits.stall,
            min_rate: limits.min_rate,
            window: limits.rate_window,
            window_start: now,
            window_bytes: 0,
            last_byte: now,
        }
    }

    fn rate_checked(&self) -> bool {
        self.min_rate > 0 && !self.window.is_zero()
    }

    /// When [`Pace::check`] must run next even if no byte arrives.
    pub(super) fn deadline(&self) -> Instant {
        let stall_at = self.last_byte + self.stall;
        if self.rate_checked() {
            stall_at.min(self.window_start + self.window)
        } else {
            stall_at
        }
    }

    pub(super) fn arrived(&mut self, bytes: u64, now: Instant) {
        self.window_bytes += bytes;
        self.last_byte = now;
    }

    /// `Err(why)` once the body is too slow; a window that met the rate starts the next.
    pub(super) fn check(&mut self, now: Instant) -> Result<(), String> {
        if now >= self.last_byte + self.stall {
            return Err(format!(
                "no data for {} s; the next try resumes",
                self.stall.as_secs_f64()
            ));
        }
        if !self.rate_checked() || now < self.window_start + self.window {
            return Ok(());
        }
        let needed = self.min_rate as f64 * self.window.as_secs_f64();
        if (self.window_bytes as f64) < needed {
            return Err(format!(
                "slower than {} bytes/s ({} bytes in {} s); the next try resumes",
                self.min_rate,
                self.window_bytes,
                self.window.as_secs_f64()
            ));
        }
        self.window_start = now;
        self.window_bytes = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> DownloadLimits {
        DownloadLimits {
            stall: Duration::from_secs(30),
            min_rate: 1024,
            rate_window: Duration::from_secs(30),
            ..DownloadLimits::default()
        }
    }

    #[test]
    fn a_trickle_is_cut_at_the_end_of_the_window() {
        let t0 = Instant::now();
        let mut pace = Pace::new(&limits(), t0);
        for s in (10..=20).step_by(10) {
            pace.arrived(1, t0 + Duration::from_secs(s));
            assert_eq!(pace.check(t0 + Duration::from_secs(s)), Ok(()));
        }
        assert_eq!(pace.deadline(), t0 + Duration::from_secs(30));
        let why = pace.check(t0 + Duration::from_secs(30)).unwrap_err();
        assert!(
            why.contains("slower than 1024 bytes/s (2 bytes in 30 s)"),
            "{why}"
        );
    }

    #[test]
    fn a_fast_window_starts_the_next_and_silence_is_a_stall() {
        let t0 = Instant::now();
        let mut pace = Pace::new(&limits(), t0);
        pace.arrived(1 << 20, t0 + Duration::from_secs(29));
        assert_eq!(pace.check(t0 + Duration::from_secs(30)), Ok(()));
        assert_eq!(pace.deadline(), t0 + Duration::from_secs(59));
        let why = pace.check(t0 + Duration::from_secs(59)).unwrap_err();
        assert!(why.contains("no data for 30 s"), "{why}");
        let off = DownloadLimits {
            min_rate: 0,
            ..limits()
        };
        let pace = Pace::new(&off, t0);
        assert_eq!(pace.deadline(), t0 + Duration::from_secs(30));
    }
}
