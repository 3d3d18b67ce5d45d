//! Counts panics on tokio worker threads: a panicking engine or worker task would otherwise
//! vanish silently (tokio catches it), leaving only a job that never finishes.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

static WORKER_PANICS: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

/// Installs the counting hook once per test binary; the previous hook still prints.
pub fn watch() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let on_worker = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("tokio-runtime-worker"));
            if on_worker {
                WORKER_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

/// Panics seen on tokio worker threads since the hook was installed.
pub fn worker_panics() -> usize {
    WORKER_PANICS.load(Ordering::SeqCst)
}
