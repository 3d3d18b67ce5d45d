//! A create in doubt at a provider that cannot look tasks up by our `external_task_id`, or
//! whose lookup kept answering oddly (Kling's v2 design, see `doubt.rs`).

use super::{Next, Step, Worker};
use shotdeck_core::jobs::{JobError, JobPhase};
use shotdeck_providers::ProviderError;
use shotdeck_store::JobChange;

/// The code a job waiting for the user carries when no provider code explains it.
pub(super) const NEEDS_ATTENTION_CODE: &str = "needs_attention";

impl Worker {
    /// Parks the job in `needs_attention` with what the user can do. `cause` is the create's
    /// error; `None` when an earlier run stopped mid-send (a crash).
    pub(super) async fn needs_attention(&mut self, cause: Option<&ProviderError>) -> Step {
        let why = match cause {
            Some(e) => format!("the create's answer was lost or unreadable ({e})"),
            None => "shotdeck stopped while the create was being sent".into(),
        };
        let place = match self.provider.looks_up_by_external_id() {
            true => Place::KlingConsole,
            false => Place::Gateway,
        };
        let message = attention_message(&why, self.id, &self.view.external_task_id, place);
        tracing::warn!(job = self.id, "create in doubt; waiting for the user");
        let error = JobError {
            code: cause
                .and_then(ProviderError::code)
                .or_else(|| Some(NEEDS_ATTENTION_CODE.into())),
            message,
            retryable: false,
        };
        let change = JobChange::phase(JobPhase::NeedsAttention)
            .with_error(Some(error))
            .with_note(format!("needs attention: {why}; nothing was re-sent"));
        self.change(change).await?;
        Ok(Next::Stop)
    }
}

/// Where the user looks for the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// A gateway, which cannot be asked by our id at all.
    Gateway,
    /// Kling, whose lookup by our id answered in a way shotdeck does not trust.
    KlingConsole,
}

/// What the user reads in `jobs`, `jobs show` and the Jobs pane.
pub(super) fn attention_message(
    why: &str,
    id: i64,
    external_task_id: &str,
    place: Place,
) -> String {
    let (who, cannot, look) = match place {
        Place::Gateway => (
            "the gateway",
            "it cannot be asked by our id",
            "the gateway's dashboard",
        ),
        Place::KlingConsole => (
            "Kling",
            "its lookup by our id answered oddly",
            "the task list in Kling's console",
        ),
    };
    format!(
        "{why}; {who} may have created (and charged) the task, and {cannot}, so nothing will \
         be sent again. Check {look} (the task may carry external_task_id \
         {external_task_id}): if it is there, run `shotdeck jobs attach {id} TASK_ID` and \
         polling resumes; if not, run `shotdeck jobs lost {id}`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_both_commands_and_the_key() {
        let m = attention_message("timed out", 7, "shotdeck-abc", Place::Gateway);
        assert!(m.contains("shotdeck jobs attach 7 TASK_ID"), "{m}");
        assert!(m.contains("shotdeck jobs lost 7"), "{m}");
        assert!(m.contains("shotdeck-abc") && m.contains("dashboard"), "{m}");
        let k = attention_message("timed out", 7, "shotdeck-abc", Place::KlingConsole);
        assert!(
            k.contains("Kling's console") && !k.contains("gateway"),
            "{k}"
        );
    }
}
