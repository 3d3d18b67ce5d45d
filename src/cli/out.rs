//! Standard output for the headless commands, safe when the reader goes away.
//!
//! `println!` panics when stdout is a closed pipe (`shotdeck jobs --json | head -c 1`), and
//! a panic in the middle of `submit --wait` would skip releasing the job's lease. Here a
//! closed pipe just ends the output quietly: the command finishes its work and exits as it
//! would have. Any other write error (a full disk behind `> jobs.json`) is said once on
//! stderr and turns the exit code into a failure, so a truncated file is never mistaken for
//! a complete one.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Stdout can no longer be written: later output is dropped.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// A write failed for a reason other than the reader leaving.
static FAILED: AtomicBool = AtomicBool::new(false);

/// Prints a line on stdout (see the module docs for what happens when that fails).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// One line, written and flushed as one piece.
pub(super) fn line(args: fmt::Arguments<'_>) {
    write_with(|w| {
        w.write_fmt(args)?;
        w.write_all(b"\n")
    });
}

/// Runs `write` against a locked stdout (for streaming JSON and the like), then flushes.
pub(super) fn write_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Err(e) = write(&mut out).and_then(|()| out.flush()) {
        record(&e);
    }
}

fn record(e: &std::io::Error) {
    CLOSED.store(true, Ordering::Relaxed);
    if e.kind() != ErrorKind::BrokenPipe && !FAILED.swap(true, Ordering::Relaxed) {
        eprintln!("shotdeck: cannot write to standard output: {e}");
    }
}

/// True when some output was lost for a reason other than a closed pipe.
pub(super) fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}
