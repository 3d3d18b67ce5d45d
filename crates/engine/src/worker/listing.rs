//! A worker's side of list polling (see `engine::list_poll`): joining its task's group
//! while the task is in flight, taking list answers while it waits, and reading the list
//! instead of querying when its poll is due.

use std::time::Duration;

use tokio::time::Instant;

use super::{Step, Worker};
use crate::list_poll::{ListAnswer, ListRequest};
use shotdeck_core::jobs::JobPhase;
use shotdeck_providers::{Client, TaskSnapshot};

impl Worker {
    /// In the group while the task is in flight at a provider that lists tasks; out of it
    /// otherwise (the group only counts tasks that still need polling).
    pub(super) fn sync_listing(&mut self) {
        let in_flight = matches!(self.view.phase, JobPhase::Submitted | JobPhase::Processing)
            && self.view.task_id.is_some()
            && shotdeck_core::kling_v2::lists_tasks(self.provider, &self.create_path);
        match (in_flight, self.listing.is_some()) {
            (true, false) => {
                self.listing = Some(self.shared.lists.join(self.provider, &self.create_path));
                self.off_the_list = false;
            }
            (false, true) => self.listing = None,
            _ => {}
        }
    }

    /// Waits `wait`, unless a list answer showing this job's task comes first: that answer
    /// is this job's poll, and the step it leads to is returned.
    pub(super) async fn pause(&mut self, wait: Duration) -> Option<Step> {
        let deadline = Instant::now() + wait;
        loop {
            let Some(listing) = self.listing.as_mut() else {
                tokio::time::sleep_until(deadline).await;
                return None;
            };
            let answer = tokio::select! {
                // An answer and the end of the wait at once: the answer, which is fresh.
                biased;
                answer = listing.next_answer() => answer,
                () = tokio::time::sleep_until(deadline) => return None,
            };
            if let Some(step) = self.take_list_answer(&answer).await {
                return Some(step);
            }
        }
    }

    /// The task as a list answer received after `due` shows it, reading the list if need
    /// be; `None` when this job's task should be queried on its own: the group is too
    /// small, the list cannot be read now, or the page does not show the task.
    pub(super) async fn listed_task(
        &mut self,
        client: &Client,
        task_id: &str,
        due: Instant,
    ) -> Option<TaskSnapshot> {
        let listing = self.listing.as_mut()?;
        if self.off_the_list || !listing.shares_a_list() {
            return None;
        }
        let request = ListRequest {
            client,
            create_path: &self.create_path,
            gate: &self.shared.gate,
            schedule: &self.shared.tuning.poll,
        };
        let answer = listing.fresh_answer(due, request).await?;
        let task = answer.task(task_id).cloned();
        self.off_the_list = task.is_none();
        task
    }

    /// A list answer while waiting: the task's poll answer when the page shows it.
    async fn take_list_answer(&mut self, answer: &ListAnswer) -> Option<Step> {
        let task_id = self.view.task_id.as_deref()?;
        let Some(task) = answer.task(task_id).cloned() else {
            self.off_the_list = true;
            return None;
        };
        self.off_the_list = false;
        Some(self.polled(Ok(task)).await)
    }
}
