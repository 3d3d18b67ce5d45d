//! The jobs the engine has told us about, keyed by id. The engine owns the truth; this is
//! the UI's latest view of it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::engine::events::{JobId, JobPhase, JobView};

#[derive(Debug, Default)]
pub struct JobBook {
    jobs: BTreeMap<JobId, JobView>,
}

impl JobBook {
    pub fn new(initial: Vec<JobView>) -> JobBook {
        JobBook {
            jobs: initial.into_iter().map(|j| (j.id, j)).collect(),
        }
    }

    /// Stores a job's new state and returns the previous one.
    pub fn update(&mut self, job: JobView) -> Option<JobView> {
        self.jobs.insert(job.id, job)
    }

    pub fn get(&self, id: JobId) -> Option<&JobView> {
        self.jobs.get(&id)
    }

    /// Newest first; only `board`'s jobs unless `all`.
    pub fn visible(&self, board: &Path, all: bool) -> Vec<&JobView> {
        self.jobs
            .values()
            .rev()
            .filter(|j| all || j.board_path == board)
            .collect()
    }

    /// True while any job needs the engine: the UI ticks (spinners, elapsed) only then.
    pub fn any_active(&self) -> bool {
        self.jobs.values().any(|j| j.phase.is_active())
    }

    /// The first job still in flight, for the quit confirmation.
    pub fn in_flight(&self) -> Option<&JobView> {
        self.jobs.values().find(|j| {
            matches!(
                j.phase,
                JobPhase::Queued
                    | JobPhase::Submitting
                    | JobPhase::Submitted
                    | JobPhase::Processing
                    | JobPhase::Downloading
            )
        })
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}
