//! The one place a tokio runtime is built, in the two shapes the app uses.

use std::future::Future;
use std::process::ExitCode;

use tokio::runtime::{Builder, Runtime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// One worker beside the thread that calls `block_on` (where the editor runs): the
    /// engine, its downloads and the demo's simulator share it, so a store write never
    /// delays a frame. A fixed count keeps the editor's idle cost (threads that could wake)
    /// and its memory (each thread has a stack and a malloc arena) the same on every
    /// machine; BENCHMARKS.md measures it with this one.
    MultiThread,
    /// One thread: a headless command following its job (the engine, its downloads and
    /// the HTTP clients all fit on it).
    CurrentThread,
}

/// A runtime of `flavor` with I/O and timers enabled.
pub fn build(flavor: Flavor) -> std::io::Result<Runtime> {
    let mut builder = match flavor {
        Flavor::MultiThread => {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(1);
            b
        }
        Flavor::CurrentThread => Builder::new_current_thread(),
    };
    builder.enable_all().build()
}

/// Runs `fut` to completion on a fresh runtime of `flavor`; a runtime that cannot start
/// is reported on stderr and exits 1.
pub fn block_on(flavor: Flavor, fut: impl Future<Output = ExitCode>) -> ExitCode {
    match build(flavor) {
        Ok(rt) => rt.block_on(fut),
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flavor_runs_timers_and_has_its_worker_count() {
        for (flavor, workers) in [(Flavor::MultiThread, 1), (Flavor::CurrentThread, 1)] {
            let rt = build(flavor).expect("a runtime");
            assert_eq!(rt.metrics().num_workers(), workers, "{flavor:?}");
            // `enable_all`: a timer completes instead of panicking for want of a driver.
            rt.block_on(async { tokio::time::sleep(std::time::Duration::from_millis(1)).await });
        }
    }
}
