//! A worker's side of list polling (see `engine::list_poll`): joining its task's group
//! while the task is in flight, taking list answers while it waits, and reading the list
//! (or the v2 batch lookup) instead of querying when its poll is due.

use std::time::Duration;

use tokio::time::Instant;

use super::{Step, Worker};
use crate::list_poll::{GroupOf, ListAnswer, ListRequest, Shown};
use shotdeck_core::jobs::JobPhase;
use shotdeck_core::kling_v2::{lists_tasks, looks_up_in_batches};
use shotdeck_providers::{Client, TaskSnapshot};

impl Worker {
    /// In the group while the task is in flight at a provider that lists tasks (or looks
    /// v2 tasks up by ids); out of it otherwise (the group only counts tasks that still
    /// need polling).
    pub(super) fn sync_listing(&mut self) {
        let task_id = match self.view.phase {
            JobPhase::Submitted | JobPhase::Processing => self.view.task_id.clone(),
            _ => None,
        };
        let of = match task_id.as_deref() {
            Some(id) if looks_up_in_batches(self.provider, &self.create_path) => {
                Some(GroupOf::Batch(id))
            }
            Some(_) if lists_tasks(self.provider, &self.create_path) => {
                Some(GroupOf::Kind(&self.create_path))
            }
            _ => None,
        };
        match (of, self.listing.is_some()) {
            (Some(of), false) => {
                self.listing = Some(self.shared.lists.join(self.provider, of));
                self.off_the_list = false;
            }
            (None, true) => self.listing = None,
            _ => {}
        }
    }

    /// Waits `wait`, unless a list answer showing this job's task comes first: that answer
    /// is this job's poll, and the step it leads to is returned.
    pub(super) async fn pause(&mut self, wait: Duration) -> Option<Step> {
        let deadline = Instant::now() + wait;
        loop {
            let answer = self.next_answer_before(deadline).await?;
            if let Some(step) = self.take_list_answer(&answer).await {
                return Some(step);
            }
        }
    }

    /// The next list answer, or `None` at `deadline` (at once when the job is in no group).
    async fn next_answer_before(
        &mut self,
        deadline: Instant,
    ) -> Option<std::sync::Arc<ListAnswer>> {
        let Some(listing) = self.listing.as_mut() else {
            tokio::time::sleep_until(deadline).await;
            return None;
        };
        tokio::select! {
            // An answer and the end of the wait at once: the answer, which is fresh.
            biased;
            answer = listing.next_answer() => Some(answer),
            () = tokio::time::sleep_until(deadline) => None,
        }
    }

    /// The task as a list answer received after `due` shows it, reading the list if need
    /// be; `None` when this job's task should be queried on its own: the group is too
    /// small, the list cannot be read now, or the answer leaves the task out.
    ///
    /// A v2 task a batch lookup asked for and left out (Kling answers an id it does not
    /// know with nothing; an odd item is skipped) is never taken for failed: it is asked
    /// alone at its next poll (once; then it is back in the batch), unless another batch
    /// shows it first.
    pub(super) async fn listed_task(
        &mut self,
        client: &Client,
        task_id: &str,
        due: Instant,
    ) -> Option<TaskSnapshot> {
        let listing = self.listing.as_mut()?;
        let batch = listing.is_batch();
        if self.off_the_list || !listing.shares_a_list() {
            if batch {
                self.off_the_list = false;
            }
            return None;
        }
        let request = ListRequest {
            client,
            create_path: &self.create_path,
            gate: &self.shared.gate,
            schedule: &self.shared.tuning.poll,
        };
        let answer = listing.fresh_answer(due, request).await?;
        match answer.show(task_id) {
            Shown::Task(task) => return Some(task.clone()),
            Shown::NotAsked => return None,
            Shown::Missing => self.off_the_list = true,
        }
        if !batch {
            return None;
        }
        let next_poll = self
            .shared
            .tuning
            .poll
            .interval(self.polls, &mut rand::rng());
        let deadline = Instant::now() + next_poll;
        while let Some(answer) = self.next_answer_before(deadline).await {
            if let Shown::Task(task) = answer.show(task_id) {
                self.off_the_list = false;
                return Some(task.clone());
            }
        }
        self.off_the_list = false;
        None
    }

    /// A list answer while waiting: the task's poll answer when it shows the task. One
    /// that asked for the task and left it out sends the task to its own query when due;
    /// a batch that did not ask for it says nothing.
    async fn take_list_answer(&mut self, answer: &ListAnswer) -> Option<Step> {
        let task_id = self.view.task_id.as_deref()?;
        match answer.show(task_id) {
            Shown::Task(task) => {
                let task = task.clone();
                self.off_the_list = false;
                Some(self.polled(Ok(task)).await)
            }
            Shown::Missing => {
                self.off_the_list = true;
                None
            }
            Shown::NotAsked => None,
        }
    }
}
