//! When to ask the provider again: adaptive poll intervals and error backoff, with jitter.
//!
//! A task usually takes one to a few minutes, but short ones finish in seconds: polling starts
//! fast and slows down geometrically, so a long task costs a few requests a minute while a
//! quick one is noticed promptly. Every wait gets ±20 % jitter so jobs submitted together do
//! not poll (or retry) in lockstep.

use std::time::Duration;

use rand::{Rng, RngExt};

/// Fraction of a wait that is randomised either way.
pub const JITTER: f64 = 0.2;

/// Longest `Retry-After` honoured as sent; anything longer is clamped so a confused server
/// cannot park a job for hours (the job asks again then, and is told again if need be).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq)]
pub struct PollSchedule {
    /// Wait before the first poll after the task was accepted.
    pub first: Duration,
    /// Longest wait between two polls of one job.
    pub max: Duration,
    /// Each wait is the previous one times this (≥ 1).
    pub growth: f64,
    /// First wait after a retryable error; doubles with each consecutive error.
    pub backoff_base: Duration,
    /// Cap on an error backoff (a server's `Retry-After` may ask for longer, and wins).
    pub backoff_max: Duration,
}

impl Default for PollSchedule {
    /// 1.5 s, then ×1.3 per poll up to 20 s: the first minute costs about 12 polls, and a
    /// job past the two-minute mark costs 3 a minute.
    fn default() -> Self {
        PollSchedule {
            first: Duration::from_millis(1500),
            max: Duration::from_secs(20),
            growth: 1.3,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(60),
        }
    }
}

impl PollSchedule {
    /// The un-jittered wait before poll number `n` (0 = the first poll).
    pub fn base_interval(&self, n: u32) -> Duration {
        let factor = self.growth.max(1.0).powi(n.min(64) as i32);
        let secs = self.first.as_secs_f64() * factor;
        Duration::from_secs_f64(secs.min(self.max.as_secs_f64()))
    }

    /// How many polls the schedule makes in a task's first `age`: a job resumed after a
    /// restart continues at the slow end instead of starting fast again.
    pub fn polls_for_age(&self, age: Duration) -> u32 {
        let mut t = Duration::ZERO;
        let mut n = 0;
        while n < 10_000 {
            t += self.base_interval(n);
            if t > age {
                break;
            }
            n += 1;
        }
        n
    }

    /// The wait before poll number `n`, jittered.
    pub fn interval(&self, n: u32, rng: &mut impl Rng) -> Duration {
        jitter(self.base_interval(n), rng)
    }

    /// The wait after the `errors`-th consecutive retryable error (1-based). A server's
    /// `Retry-After` is a floor (up to [`MAX_RETRY_AFTER`]): we never ask sooner than it
    /// allows.
    pub fn backoff(
        &self,
        errors: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Duration {
        let doublings = errors.saturating_sub(1).min(30);
        let ceiling = self
            .backoff_base
            .saturating_mul(1u32 << doublings)
            .min(self.backoff_max);
        let wait = jitter(ceiling, rng);
        match retry_after {
            Some(floor) => wait.max(floor.min(MAX_RETRY_AFTER)),
            None => wait,
        }
    }
}

/// `d` ± 20 %, uniformly.
pub fn jitter(d: Duration, rng: &mut impl Rng) -> Duration {
    let f = rng.random_range((1.0 - JITTER)..=(1.0 + JITTER));
    Duration::from_secs_f64(d.as_secs_f64() * f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn intervals_grow_from_fast_to_the_cap() {
        let s = PollSchedule::default();
        assert_eq!(s.base_interval(0), Duration::from_millis(1500));
        assert!(s.base_interval(1) > s.base_interval(0));
        assert_eq!(s.base_interval(40), Duration::from_secs(20));
        assert_eq!(s.base_interval(u32::MAX), Duration::from_secs(20));
        let mut prev = Duration::ZERO;
        for n in 0..30 {
            let d = s.base_interval(n);
            assert!(d >= prev, "poll {n}");
            prev = d;
        }
    }

    #[test]
    fn default_schedule_costs_a_few_polls_a_minute_once_settled() {
        let s = PollSchedule::default();
        let (mut t, mut n) = (0.0, 0u32);
        while t < 60.0 {
            t += s.base_interval(n).as_secs_f64();
            n += 1;
        }
        assert!((8..=16).contains(&n), "{n} polls in the first minute");
        let settled = 60.0 / s.base_interval(100).as_secs_f64();
        assert!(settled <= 4.0, "{settled} polls a minute later on");
    }

    #[test]
    fn a_resumed_job_continues_where_its_age_says() {
        let s = PollSchedule::default();
        assert_eq!(s.polls_for_age(Duration::ZERO), 0);
        assert_eq!(s.polls_for_age(Duration::from_millis(1400)), 0);
        assert_eq!(s.polls_for_age(Duration::from_millis(1600)), 1);
        let late = s.polls_for_age(Duration::from_secs(600));
        assert_eq!(s.base_interval(late), s.max);
    }

    #[test]
    fn jitter_stays_within_twenty_percent_and_varies() {
        let mut rng = StdRng::seed_from_u64(3);
        let d = Duration::from_secs(10);
        let all: Vec<Duration> = (0..500).map(|_| jitter(d, &mut rng)).collect();
        assert!(
            all.iter()
                .all(|x| *x >= Duration::from_secs(8) && *x <= Duration::from_secs(12))
        );
        assert!(all.iter().any(|x| *x < Duration::from_millis(8500)));
        assert!(all.iter().any(|x| *x > Duration::from_millis(11500)));
    }

    #[test]
    fn backoff_doubles_is_capped_and_honours_retry_after() {
        let s = PollSchedule::default();
        let mut rng = StdRng::seed_from_u64(9);
        let first = s.backoff(1, None, &mut rng);
        assert!(first >= Duration::from_millis(1600) && first <= Duration::from_millis(2400));
        let third = s.backoff(3, None, &mut rng);
        assert!(third >= Duration::from_millis(6400) && third <= Duration::from_millis(9600));
        let capped = s.backoff(50, None, &mut rng);
        assert!(capped <= Duration::from_secs(72));
        let floor = Duration::from_secs(30);
        assert!(s.backoff(1, Some(floor), &mut rng) >= floor);
        let day = Duration::from_secs(86_400);
        assert_eq!(s.backoff(1, Some(day), &mut rng), MAX_RETRY_AFTER);
    }
}
