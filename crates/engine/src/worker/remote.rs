//! Talking to the provider: submitting (with reconciliation) and polling.

use super::odd::{Ours, odd_answer};
use super::{Halt, Next, Request, Step, Worker};
use shotdeck_core::jobs::machine::phase_for;
use shotdeck_core::jobs::{JobError, JobPhase};
use shotdeck_store::JobChange;
use tokio::time::Instant;

use shotdeck_providers::{ProviderError, TaskSnapshot, TaskState};

impl Worker {
    /// Sends the create, or, when an earlier attempt may have reached the provider (a lost
    /// or unreadable answer, a conflict, a crash mid-send), first looks the task up by its
    /// `external_task_id` and sends only if the provider has never seen it. One attempt per
    /// step: the request slot is released before any wait, which `on_error` decides.
    pub(super) async fn submit(&mut self) -> Step {
        // A gateway cannot be asked whether an earlier create arrived: never send again.
        let looks_up = self.provider.looks_up_by_external_id();
        if self.create_in_doubt && !looks_up {
            return self.needs_attention(None).await;
        }
        let client = match self.client().await? {
            Ok(c) => c,
            Err(next) => return Ok(next),
        };
        let ext = self.view.external_task_id.clone();
        if self.view.phase != JobPhase::Submitting {
            // Written before anything leaves the machine, and only once the account has a
            // free slot: after a crash from here on the restarted engine knows to look
            // before it sends.
            if let Some(next) = self.take_slot().await? {
                return Ok(next);
            }
        }
        let permit = self.shared.gate.enter().await;
        let earlier = if self.create_in_doubt {
            client.find_by_external_id(&self.create_path, &ext).await
        } else {
            Ok(None)
        };
        let result = match earlier {
            Ok(Some(task)) => {
                tracing::info!(job = self.id, task = %task.task_id, "found the task of an earlier submit");
                Ok(task)
            }
            Ok(None) => {
                if let Some(left) = self.absence_unsettled() {
                    drop(permit);
                    return self.not_listed_yet(left).await;
                }
                self.create_sent = Some(Instant::now());
                let sent = client.submit(&self.request, &ext).await;
                self.create_in_doubt = sent.as_ref().is_err_and(|e| e.task_may_exist());
                sent
            }
            // The doubt stands: look again next time.
            Err(e) => Err(e),
        };
        drop(permit);
        match result {
            Ok(task) => {
                self.reset_errors();
                let task_id = task.task_id.clone();
                let step = self.take_snapshot(task).await;
                if matches!(step, Err(Halt::LeaseLost)) {
                    self.record_late_task(task_id).await;
                }
                step
            }
            Err(e) if e.task_may_exist() && !looks_up => self.needs_attention(Some(&e)).await,
            Err(e) if self.doubt_is_kept() => self.doubt_stands(&e).await,
            Err(e) => self.on_error(&e, Request::Create).await,
        }
    }

    /// The create was answered but the job's lease is gone (this process was suspended
    /// past it, or another engine adopted the job): the task id is still recorded, so the
    /// paid task is never lost from both the store and the log.
    async fn record_late_task(&mut self, task_id: String) {
        let (id, task) = (self.id, task_id.clone());
        let late = self
            .shared
            .store
            .record_late_task(id, &task, self.shared.now())
            .await;
        match late {
            Ok(Some(view)) => {
                tracing::warn!(job = id, task = %task_id, "create answered after the lease was lost; task id recorded");
                self.publish(view).await;
            }
            Ok(None) => {
                tracing::info!(job = id, task = %task_id, "create answered after the lease was lost; the job already has a task id");
            }
            Err(e) => {
                tracing::error!(job = id, task = %task_id, error = %e, "create answered after the lease was lost; recording its task id failed");
            }
        }
    }

    /// One status request (the engine paces and retries, so a job never costs more than one
    /// request per interval): the kind's list when enough tasks share it, else a query.
    pub(super) async fn poll(&mut self) -> Step {
        let client = match self.client().await? {
            Ok(c) => c,
            Err(next) => return Ok(next),
        };
        let Some(task_id) = self.view.task_id.clone() else {
            let error = JobError {
                code: None,
                message: "the job has no task id to poll".into(),
                retryable: false,
            };
            return self.fail(error, "poll").await;
        };
        if let Some(task) = self.listed_task(&client, &task_id, Instant::now()).await {
            return self.polled(Ok(task)).await;
        }
        let result = {
            let _permit = self.shared.gate.enter().await;
            client.query(&self.create_path, &task_id).await
        };
        self.polled(result).await
    }

    /// What a poll of the task answered, by its own query or on a list page: the same
    /// answer leads to the same step either way.
    pub(super) async fn polled(&mut self, result: Result<TaskSnapshot, ProviderError>) -> Step {
        let (id, owner) = (self.id, self.shared.owner.clone());
        self.shared
            .store
            .note_poll(id, &owner, self.shared.now())
            .await?;
        self.polls = self.polls.saturating_add(1);
        match result {
            Ok(task) => {
                self.reset_errors();
                let task_id = task.task_id.clone();
                let step = self.take_snapshot(task).await;
                if matches!(step, Err(Halt::LeaseLost)) {
                    self.record_late_task(task_id).await;
                }
                step
            }
            Err(e) if self.orphan => self.orphan_refused(&e).await,
            Err(e) => self.on_error(&e, Request::Poll).await,
        }
    }

    /// Records what the provider says about the task; writes only when something changed.
    async fn take_snapshot(&mut self, task: TaskSnapshot) -> Step {
        let ours = Ours {
            task_id: self.view.task_id.as_deref(),
            external_task_id: &self.view.external_task_id,
        };
        if let Some(why) = odd_answer(&ours, &task) {
            return match self.orphan {
                true => self.orphan_gone(why).await,
                false => self.odd(why).await,
            };
        }
        if self.orphan && task.state != TaskState::Succeeded {
            let state = phase_for(task.state).as_str();
            return self
                .orphan_gone(format!("the provider now says the task is {state}"))
                .await;
        }
        let phase = phase_for(task.state);
        let mut change = JobChange {
            phase: Some(phase).filter(|p| *p != self.view.phase),
            task_id: Some(task.task_id.clone()).filter(|t| self.view.task_id.as_ref() != Some(t)),
            status_msg: Some(task.status_msg.clone()).filter(|m| *m != self.view.status_msg),
            units_charged: task
                .units_charged
                .clone()
                .filter(|u| self.units_charged.as_ref() != Some(u)),
            error: self.view.error.is_some().then_some(None),
            ..JobChange::default()
        };
        if change.units_charged.is_some() {
            self.units_charged = change.units_charged.clone();
        }
        match task.state {
            TaskState::Failed => {
                let error = task_failure(&task);
                change.note = Some(format!("the provider failed the task: {}", error.message));
                change.error = Some(Some(error));
                self.change(change).await?;
                Ok(Next::Stop)
            }
            TaskState::Succeeded => {
                // `odd_answer` kept a success without a video from reaching here.
                let n = task.videos.len();
                change.note = Some(match self.asked_elsewhere() {
                    // Recorded by the asker's engine, which asks the task again (free).
                    Some(asker) => format!("{n} video(s) ready; left for {asker} to download"),
                    None => {
                        self.record_files(&task.videos).await?;
                        format!("{n} video(s) ready")
                    }
                });
                self.change(change).await?;
                Ok(Next::Now)
            }
            TaskState::Submitted | TaskState::Processing => {
                if change != JobChange::default() {
                    self.change(change).await?;
                }
                Ok(Next::After(self.poll_interval()))
            }
        }
    }

    /// An answer that does not fit the job ([`odd_answer`]): nothing of it is taken (not its
    /// task id, phase, charge or videos); the job shows why, with one history note per new
    /// reason, and the task is polled again at the usual pace.
    async fn odd(&mut self, why: String) -> Step {
        tracing::warn!(job = self.id, "{why}");
        let new_reason = self.view.status_msg.as_deref() != Some(why.as_str());
        if new_reason || self.view.error.is_some() {
            let change = JobChange {
                status_msg: Some(Some(why.clone())),
                error: self.view.error.is_some().then_some(None),
                note: new_reason.then_some(why),
                ..JobChange::default()
            };
            self.change(change).await?;
        }
        Ok(Next::After(self.poll_interval()))
    }

    fn poll_interval(&self) -> std::time::Duration {
        self.shared
            .tuning
            .poll
            .interval(self.polls, &mut rand::rng())
    }
}

/// Why the provider failed the task (Kling answers code 0 and says so only in
/// `task_status_msg`). The user may retry: some failures are transient.
fn task_failure(task: &TaskSnapshot) -> JobError {
    JobError {
        code: task.error_code.clone(),
        message: task
            .status_msg
            .clone()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| "the provider reported the task failed without a reason".into()),
        retryable: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_task_without_a_reason_still_says_something() {
        let task = TaskSnapshot {
            task_id: "1".into(),
            external_task_id: None,
            state: TaskState::Failed,
            status_msg: Some("  ".into()),
            videos: vec![],
            units_charged: None,
            error_code: None,
        };
        let e = task_failure(&task);
        assert!(e.message.contains("without a reason"));
        assert_eq!(e.code, None);
    }
}
