//! How often and how patiently a request is retried.
//!
//! Exponential backoff with full jitter (a random wait between zero and the capped
//! exponential ceiling), so several shotdeck jobs hitting the same rate limit spread out
//! instead of retrying in lockstep. A `Retry-After` from the server takes precedence.

use std::time::Duration;

use rand::{Rng, RngExt};

use super::errors::ProviderError;

/// Longest `Retry-After` honoured as sent; anything longer is clamped so a confused server
/// cannot park a job for hours inside one call (the engine can always poll again later).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Tries in all, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Ceiling of the first backoff; doubles with each retry. Rate limits without a
    /// `Retry-After` wait at least this long (Kling asks for a first wait of ≥ 1 s).
    pub base: Duration,
    /// Cap on any computed backoff.
    pub max: Duration,
    /// Bound on each single request, sending and reading the answer included.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_secs(1),
            max: Duration::from_secs(30),
            // Create bodies may carry two 10 MB images as Base64: leave room for slow uplinks.
            request_timeout: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The exponential ceiling before the `retry`-th retry (1-based): `base · 2^(retry-1)`,
    /// capped at `max`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(30);
        self.base.saturating_mul(1u32 << doublings).min(self.max)
    }

    /// How long to wait before the `retry`-th retry after `err`, with an explicit random
    /// source so tests can pin it.
    pub fn delay_with(&self, retry: u32, err: &ProviderError, rng: &mut impl Rng) -> Duration {
        if let Some(wait) = err.retry_after() {
            return wait.min(MAX_RETRY_AFTER);
        }
        let jitter = full_jitter(self.ceiling(retry), rng);
        match err {
            // Retrying a rate limit sooner than `base` only earns another 429.
            ProviderError::RateLimited { .. } => (self.base + jitter).min(self.max.max(self.base)),
            _ => jitter,
        }
    }

    /// [`Self::delay_with`] using the thread's random generator.
    pub fn delay(&self, retry: u32, err: &ProviderError) -> Duration {
        self.delay_with(retry, err, &mut rand::rng())
    }
}

/// A uniformly random duration in `[0, ceiling]`.
fn full_jitter(ceiling: Duration, rng: &mut impl Rng) -> Duration {
    let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.random_range(0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn server_error() -> ProviderError {
        ProviderError::Server {
            status: 503,
            code: "5001".into(),
            message: "maintenance".into(),
        }
    }

    fn rate_limited(retry_after: Option<Duration>) -> ProviderError {
        ProviderError::RateLimited {
            code: "1302".into(),
            message: "too fast".into(),
            retry_after,
        }
    }

    #[test]
    fn ceiling_doubles_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.ceiling(1), Duration::from_secs(1));
        assert_eq!(p.ceiling(2), Duration::from_secs(2));
        assert_eq!(p.ceiling(5), Duration::from_secs(16));
        assert_eq!(p.ceiling(6), Duration::from_secs(30));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn full_jitter_stays_within_the_ceiling_and_varies() {
        let p = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..200)
            .map(|_| p.delay_with(3, &server_error(), &mut rng))
            .collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(4)));
        assert!(
            delays.iter().any(|d| *d < Duration::from_secs(1)),
            "full jitter reaches low values"
        );
        assert!(
            delays.iter().any(|d| *d > Duration::from_secs(3)),
            "full jitter reaches high values"
        );
    }

    #[test]
    fn rate_limits_wait_at_least_the_base_even_on_the_first_retry() {
        let p = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..200 {
            let d = p.delay_with(1, &rate_limited(None), &mut rng);
            assert!(
                d >= Duration::from_secs(1) && d <= Duration::from_secs(2),
                "{d:?}"
            );
        }
    }

    #[test]
    fn retry_after_takes_precedence_and_is_clamped() {
        let p = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(2);
        let seven = Some(Duration::from_secs(7));
        assert_eq!(
            p.delay_with(1, &rate_limited(seven), &mut rng),
            Duration::from_secs(7)
        );
        let huge = Some(Duration::from_secs(86_400));
        assert_eq!(
            p.delay_with(1, &rate_limited(huge), &mut rng),
            MAX_RETRY_AFTER
        );
    }
}
