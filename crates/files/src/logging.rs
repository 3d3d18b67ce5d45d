//! The log file. Every command that talks to a provider or runs the editor logs here, never
//! to the terminal (the editor owns the screen; headless output is for the user).

use std::path::PathBuf;

use super::paths;

pub fn log_path() -> PathBuf {
    paths::state_dir().join("shotdeck.log")
}

/// Sends tracing output to `shotdeck.log` in the state dir, filtered by `SHOTDECK_LOG`
/// (default `info`). Keep the guard alive until exit so buffered lines are written.
pub fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::EnvFilter;
    let path = log_path();
    let dir = path.parent()?.to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "shotdeck.log");
    // The default queue holds 128,000 lines: a 4 MB array written in full when it is made,
    // a fifth of the editor's resident memory. A thousand lines is far more than a burst
    // ever logs; past it lines are dropped (as before) rather than stall the editor on a
    // slow disk: the log is for diagnosis, what costs money is in the job store.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .finish(appender);
    let filter = EnvFilter::try_from_env("SHOTDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
