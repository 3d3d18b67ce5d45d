//! Talking to the provider: submitting (with reconciliation) and polling.

use std::path::PathBuf;

use super::odd::{Ours, odd_answer};
use super::{Halt, Next, Request, Step, Worker};
use shotdeck_core::jobs::machine::phase_for;
use shotdeck_core::jobs::{JobError, JobPhase};
use shotdeck_store::{FileTarget, JobChange};
use tokio::time::Instant;

use shotdeck_providers::{ProviderError, RemoteVideo, TaskSnapshot, TaskState};

impl Worker {
    /// Sends the create, or, when an earlier attempt may have reached the provider (a lost
    /// or unreadable answer, a conflict, a crash mid-send), first looks the task up by its
    /// `external_task_id` and sends only if the provider has never seen it. One attempt per
    /// step: the request slot is released before any wait, which `on_error` decides.
    pub(super) async fn submit(&mut self) -> Step {
        // A gateway (or Kling's v2 design) cannot be asked whether an earlier create
        // arrived: never send again.
        let looks_up =
            shotdeck_core::kling_v2::looks_up_by_external_id(self.provider, &self.create_path);
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
        let result = {
            let _permit = self.shared.gate.enter().await;
            let earlier = if self.create_in_doubt {
                client.find_by_external_id(&self.create_path, &ext).await
            } else {
                Ok(None)
            };
            match earlier {
                Ok(Some(task)) => {
                    tracing::info!(job = self.id, task = %task.task_id, "found the task of an earlier submit");
                    Ok(task)
                }
                Ok(None) => {
                    let sent = client.submit(&self.request, &ext).await;
                    self.create_in_doubt = sent.as_ref().is_err_and(|e| e.task_may_exist());
                    sent
                }
                // The doubt stands: look again next time.
                Err(e) => Err(e),
            }
        };
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
            return self.odd(why).await;
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

    /// Where each video goes (see [`file_targets`]).
    async fn record_files(&mut self, videos: &[RemoteVideo]) -> Result<(), Halt> {
        let asked_here = self.shared.asked_here(self.view.asked_on());
        let board = self.shared.settings.board_here(&self.view, asked_here);
        let dir = self.shared.settings.render_dir_for(&board);
        let stem = board
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "board".into());
        let names = FileNames {
            dir: PathBuf::from(&dir),
            stem,
            job: self.id,
            unique: unique_part(&self.view.external_task_id),
        };
        let targets = file_targets(&names, videos, self.watermark);
        let (id, owner) = (self.id, self.shared.owner.clone());
        let view = self
            .shared
            .store
            .set_files(id, &owner, targets, self.shared.now())
            .await?
            .ok_or(Halt::LeaseLost)?;
        self.view = view;
        Ok(())
    }
}

/// What a job's file names are made of.
struct FileNames {
    dir: PathBuf,
    stem: String,
    job: i64,
    /// From the job's external id: job ids restart in every store (the demo's, another
    /// data dir, a deleted one), so `<board>-<job id>` alone once named two paid videos.
    unique: String,
}

/// Eight characters of the external id (`shotdeck-<uuid>`), enough to tell jobs apart.
fn unique_part(external_task_id: &str) -> String {
    let id = external_task_id
        .strip_prefix("shotdeck-")
        .unwrap_or(external_task_id);
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect()
}

/// `<render dir>/<board stem>-<job id>-<unique>[-<n>].<ext>` per video, and, when the board
/// asked for a watermark and the provider made one, `…-watermarked.<ext>` right after it:
/// the copy says what it is.
fn file_targets(names: &FileNames, videos: &[RemoteVideo], watermark: bool) -> Vec<FileTarget> {
    let mut targets = Vec::new();
    for (i, v) in videos.iter().enumerate() {
        let n = if videos.len() > 1 {
            format!("-{}", i + 1)
        } else {
            String::new()
        };
        let base = format!("{}-{}-{}{n}", names.stem, names.job, names.unique);
        targets.push(FileTarget {
            url: v.url.clone(),
            path: names.dir.join(format!("{base}.{}", extension(&v.url))),
        });
        if let Some(url) = v.watermark_url.as_ref().filter(|_| watermark) {
            targets.push(FileTarget {
                url: url.clone(),
                path: names
                    .dir
                    .join(format!("{base}-watermarked.{}", extension(url))),
            });
        }
    }
    targets
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

/// The file extension of a result URL, `mp4` unless the URL names another video type.
fn extension(url: &str) -> &'static str {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    ["mov", "webm", "mkv"]
        .into_iter()
        .find(|ext| path.ends_with(&format!(".{ext}")))
        .unwrap_or("mp4")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_extensions_default_to_mp4() {
        assert_eq!(extension("https://cdn.example/v/abc.mp4?sig=1"), "mp4");
        assert_eq!(extension("https://cdn.example/v/abc.MOV"), "mov");
        assert_eq!(extension("https://cdn.example/v/abc"), "mp4");
        assert_eq!(extension("https://cdn.example/v.webm#t=1"), "webm");
    }

    #[test]
    fn the_watermarked_copy_is_named_beside_the_clean_file_only_when_asked_for() {
        let names = FileNames {
            dir: PathBuf::from("/r"),
            stem: "noir".into(),
            job: 7,
            unique: unique_part("shotdeck-3f9a1c2e-77aa-4d2b-9c1e-0123456789ab"),
        };
        let video = |url: &str, wm: Option<&str>| RemoteVideo {
            id: None,
            url: url.into(),
            watermark_url: wm.map(str::to_string),
            duration_secs: None,
        };
        let one = [video("https://c/a.mp4", Some("https://c/a-wm.mp4"))];
        let paths = |t: Vec<FileTarget>| -> Vec<String> {
            t.iter().map(|f| f.path.display().to_string()).collect()
        };
        assert_eq!(
            paths(file_targets(&names, &one, true)),
            [
                "/r/noir-7-3f9a1c2e.mp4",
                "/r/noir-7-3f9a1c2e-watermarked.mp4"
            ]
        );
        assert_eq!(
            paths(file_targets(&names, &one, false)),
            ["/r/noir-7-3f9a1c2e.mp4"]
        );
        let two = [
            video("https://c/a.mp4", Some("https://c/a-wm.mp4")),
            video("https://c/b.mp4", None),
        ];
        assert_eq!(
            paths(file_targets(&names, &two, true)),
            [
                "/r/noir-7-3f9a1c2e-1.mp4",
                "/r/noir-7-3f9a1c2e-1-watermarked.mp4",
                "/r/noir-7-3f9a1c2e-2.mp4"
            ]
        );
    }

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
