//! Progress of one followed job, on stderr: each phase, the task id, the provider's words
//! and every tenth of a download.

use crate::core::printable;
use crate::engine::events::{JobId, JobPhase, JobView};

/// Prints phase changes and download progress of one job on stderr.
pub(super) struct Reporter {
    id: JobId,
    last_phase: Option<JobPhase>,
    last_task: Option<String>,
    last_status: Option<String>,
    last_error: Option<String>,
    last_pct: Option<u64>,
}

impl Reporter {
    pub(super) fn new(id: JobId) -> Self {
        Reporter {
            id,
            last_phase: None,
            last_task: None,
            last_status: None,
            last_error: None,
            last_pct: None,
        }
    }

    pub(super) fn show(&mut self, v: &JobView) {
        let id = self.id;
        let phase_changed = self.last_phase != Some(v.phase);
        if phase_changed {
            self.last_phase = Some(v.phase);
            // A failure's reason is printed once, by `finish`.
            let status = match v.status_msg.as_deref() {
                Some(m) if v.phase != JobPhase::Failed => format!(" ({})", printable(m)),
                _ => String::new(),
            };
            eprintln!("job {id}: {}{status}", v.phase.as_str());
        }
        // A new word from the provider within a phase (an unknown status, say) is shown too.
        if v.status_msg != self.last_status {
            if let Some(m) = v.status_msg.as_deref()
                && !phase_changed
                && v.phase.is_active()
            {
                eprintln!("job {id}: {}", printable(m));
            }
            self.last_status = v.status_msg.clone();
        }
        if v.task_id.is_some() && v.task_id != self.last_task {
            self.last_task = v.task_id.clone();
            let task = printable(v.task_id.as_deref().unwrap_or_default());
            eprintln!(
                "job {id}: {} task {task} (external id {})",
                v.provider,
                printable(&v.external_task_id)
            );
        }
        let error = v.error.as_ref().map(|e| e.message.clone());
        if error.is_some() && error != self.last_error && v.phase.is_active() {
            eprintln!(
                "job {id}: {}",
                printable(error.as_deref().unwrap_or_default())
            );
        }
        self.last_error = error;
        if v.phase == JobPhase::Downloading {
            let done: u64 = v.files.iter().map(|f| f.bytes_done).sum();
            let total: Option<u64> = v.files.iter().map(|f| f.bytes_total).sum();
            if let Some(total) = total.filter(|t| *t > 0) {
                let pct = done * 100 / total;
                // Every tenth is plenty on a terminal.
                if self
                    .last_pct
                    .is_none_or(|p| pct / 10 > p / 10 || (pct == 100 && p != 100))
                {
                    self.last_pct = Some(pct);
                    eprintln!("job {id}: downloading {pct}% ({done} of {total} bytes)");
                }
            }
        }
    }
}
