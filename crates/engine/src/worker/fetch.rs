//! Downloading a finished job's videos, with coalesced progress.

use std::path::Path;

use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use super::{Halt, Next, Step, Worker};
use crate::download::{DownloadError, Downloader, Progress};
use shotdeck_core::jobs::{JobError, JobFile, JobPhase};
use shotdeck_store::{FileProgress, JobChange};

impl Worker {
    /// Fetches every file not yet on disk, then marks the job done. A file that keeps
    /// failing (retried with backoff, its download slot given back meanwhile) leaves the
    /// job in `downloading` with the error shown, waiting for a `Redownload` (which resumes
    /// from the partial file).
    pub(super) async fn download(&mut self) -> Step {
        // Another machine asked for it: its engine downloads it there when it next runs.
        if let Some(asker) = self.asked_elsewhere() {
            tracing::info!(
                job = self.id,
                asker,
                "left for the machine that asked for it"
            );
            return Ok(Next::Stop);
        }
        // On a shared store each machine has its own file rows: an engine that took over
        // a job another machine had begun downloading sees none, and asks the task for its
        // videos again (a free read) to record them here. Once: a task that still gives
        // none fails the job below.
        if self.view.files.is_empty() && self.view.task_id.is_some() && !self.files_asked {
            let step = self.poll().await;
            // A poll that did not reach the provider is not the one ask: it is retried.
            self.files_asked = self.errors == 0;
            return step;
        }
        if self.view.files.is_empty() {
            let error = JobError {
                code: None,
                message: "the task succeeded but no video was recorded for it".into(),
                retryable: false,
            };
            return self.fail(error, "download").await;
        }
        let shared = self.shared.clone();
        let downloader = match shared.downloader() {
            Ok(d) => d,
            Err(e) => {
                let error = JobError {
                    code: None,
                    message: e.clone(),
                    retryable: true,
                };
                return self.stall(error).await;
            }
        };
        for idx in 0..self.view.files.len() {
            let file = self.view.files[idx].clone();
            if already_on_disk(&file) {
                continue;
            }
            if let Some(error) = self.fetch_with_retries(downloader, idx, &file).await? {
                return self.stall(error).await;
            }
            self.explain(idx).await?;
        }
        let n = self.view.files.len();
        let note = match (&self.shared.host, self.orphan) {
            (Some(host), true) => format!("{n} file(s) on disk on {host}: nobody had fetched them"),
            _ => format!("{n} file(s) on disk"),
        };
        let change = JobChange {
            stalled: Some(false),
            status_msg: Some(None),
            ..JobChange::phase(JobPhase::Done)
                .with_error(None)
                .with_note(note)
        };
        self.change(change).await?;
        Ok(Next::Stop)
    }

    /// `Ok(None)` once the file is complete; `Ok(Some(error))` when tries ran out.
    async fn fetch_with_retries(
        &mut self,
        downloader: &Downloader,
        idx: usize,
        file: &JobFile,
    ) -> Result<Option<JobError>, Halt> {
        let attempts = self.shared.tuning.download_attempts.max(1);
        for attempt in 1..=attempts {
            // A slot per attempt, not per file: a server that hangs or trickles gives its
            // slot back while this job waits to try again.
            let shared = self.shared.clone();
            let slot = shared
                .downloads
                .acquire()
                .await
                .expect("the download semaphore is never closed");
            let fetched = self.fetch_one(downloader, idx, file).await?;
            drop(slot);
            let err = match fetched {
                Ok(()) => return Ok(None),
                Err(e) => e,
            };
            let name = file.path.display();
            if !err.is_transient() || attempt == attempts {
                return Ok(Some(JobError {
                    code: None,
                    message: format!("{name}: {err}"),
                    retryable: true,
                }));
            }
            let note = format!(
                "{name}: {err}; resuming (try {} of {attempts})",
                attempt + 1
            );
            self.change(JobChange::default().with_note(note)).await?;
            let wait = self
                .shared
                .tuning
                .poll
                .backoff(attempt, None, &mut rand::rng());
            tokio::time::sleep(wait).await;
        }
        unreachable!("the last attempt returns")
    }

    /// One download attempt. Progress goes to the store and the front ends at most every
    /// `progress_interval`, however small the chunks are.
    async fn fetch_one(
        &mut self,
        downloader: &Downloader,
        idx: usize,
        file: &JobFile,
    ) -> Result<Result<(), DownloadError>, Halt> {
        let (tx, mut rx) = watch::channel(None::<Progress>);
        let fetch = downloader.download(&file.url, &file.path, move |p| {
            tx.send_replace(Some(p));
        });
        tokio::pin!(fetch);
        let mut ticker = tokio::time::interval(self.shared.tuning.progress_interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let result = loop {
            tokio::select! {
                result = &mut fetch => break result,
                _ = ticker.tick() => {
                    if rx.has_changed().unwrap_or(false) {
                        let latest = *rx.borrow_and_update();
                        if let Some(p) = latest {
                            self.save_progress(idx, p, false).await?;
                        }
                    }
                }
            }
        };
        match result {
            Ok(size) => {
                let done = Progress {
                    bytes_done: size,
                    bytes_total: Some(size),
                };
                self.save_progress(idx, done, true).await?;
                Ok(Ok(()))
            }
            Err(e) => Ok(Err(e)),
        }
    }

    async fn save_progress(&mut self, idx: usize, p: Progress, complete: bool) -> Result<(), Halt> {
        let (id, owner) = (self.id, self.shared.owner.clone());
        let progress = FileProgress {
            bytes_done: p.bytes_done,
            bytes_total: p.bytes_total,
            complete,
        };
        let view = self
            .shared
            .store
            .file_progress(id, &owner, idx, progress, self.shared.now())
            .await?
            .ok_or(Halt::LeaseLost)?;
        self.publish(view).await;
        Ok(())
    }
}

impl Worker {
    /// The machine that asked for the job, when its videos do not land on this one.
    pub(super) fn asked_elsewhere(&self) -> Option<String> {
        if self.orphan {
            return None;
        }
        let asker = self.view.asked_on();
        (!self.shared.fetches_here(self.id, asker)).then(|| asker.unwrap_or_default().to_string())
    }
}

/// A file recorded complete that is still there at its recorded size.
fn already_on_disk(file: &JobFile) -> bool {
    file.complete && size_of(&file.path) == Some(file.bytes_total.unwrap_or(file.bytes_done))
}

fn size_of(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}
