//! A provider error in the words a job shows: what failed, and when it is tried again.

use std::time::Duration;

use shotdeck_core::jobs::JobError;
use shotdeck_providers::ProviderError;

/// What a retry waits for, in words: each wait is reported, so a job never sits silent.
pub(super) fn retry_words(
    what: &str,
    attempt: u32,
    wait: Duration,
    retry_after: Option<Duration>,
) -> String {
    let asked = match retry_after {
        Some(ra) => format!(" (the provider asked for {} s)", ra.as_secs()),
        None => String::new(),
    };
    let secs = wait.as_secs_f64();
    let secs = if secs < 10.0 {
        format!("{secs:.1}")
    } else {
        format!("{secs:.0}")
    };
    format!("{what} retry {attempt} in {secs} s{asked}")
}

/// A provider error as the user sees it.
pub(super) fn error_of(e: &ProviderError, retryable: bool) -> JobError {
    JobError {
        code: e.code(),
        message: e.to_string(),
        retryable,
    }
}
