//! A second Ctrl-C while a command waits for a create's answer on its way out: the user
//! chose not to wait, so shotdeck exits at once, saying which jobs were left `submitting`
//! (their create may have made a task) and how to look at them.

use crate::engine::events::{JobId, JobPhase};

use super::follow::EXIT_INTERRUPTED;

/// Says which jobs engine `instance` still had `submitting`, then exits with 130. The next
/// engine that takes them over looks the task up by its external id.
pub(super) fn exit_now(instance: &str) -> ! {
    let ids = submitting_jobs(instance);
    if ids.is_empty() {
        eprintln!("interrupted again; exiting now");
    }
    for id in ids {
        eprintln!("{}", left_submitting(id));
    }
    std::process::exit(i32::from(EXIT_INTERRUPTED))
}

/// What is said about job `id`, left `submitting` by an exit that did not wait.
pub(super) fn left_submitting(id: JobId) -> String {
    format!(
        "interrupted again; exiting now: job {id} is still `submitting` (its create was sent \
         and not answered, so a task may exist and be charged); look at it with: \
         shotdeck jobs show {id}"
    )
}

/// The jobs this engine leases that are still `submitting` (best effort: an unreadable
/// store names none).
fn submitting_jobs(instance: &str) -> Vec<JobId> {
    super::stored::read_aside(|s| {
        let store = s.store();
        let unfinished = s.block(store.unfinished()).unwrap_or_default();
        let ids = unfinished
            .into_iter()
            .filter(|v| v.phase == JobPhase::Submitting)
            .filter(|v| {
                s.block(store.record(v.id))
                    .ok()
                    .flatten()
                    .is_some_and(|r| r.lease_owner.as_deref() == Some(instance))
            })
            .map(|v| v.id)
            .collect();
        Some(ids)
    })
    .unwrap_or_default()
}
