//! After a video is on disk: its length checked against the request, and its sidecar
//! written beside it. Neither can fail the job: the video is there and paid for, so a
//! problem becomes a note in the job's history.

use super::{Halt, Worker};
use crate::media::mp4_duration_secs;
use crate::sidecar;
use shotdeck_store::JobChange;

impl Worker {
    pub(super) async fn explain(&mut self, idx: usize) -> Result<(), Halt> {
        let path = self.view.files[idx].path.clone();
        let read = tokio::task::spawn_blocking(move || mp4_duration_secs(&path)).await;
        if let Ok(Ok(Some(seconds))) = read {
            let (id, owner) = (self.id, self.shared.owner.clone());
            let view = self
                .shared
                .store
                .file_media_seconds(id, &owner, idx, seconds, self.shared.now())
                .await?
                .ok_or(Halt::LeaseLost)?;
            self.publish(view).await;
        }
        let mismatch = self.view.duration_mismatch(&self.view.files[idx]);
        if let Some(m) = mismatch {
            tracing::warn!(job = self.id, "duration check: {m}");
            self.change(JobChange::default().with_note(format!("duration check: {m}")))
                .await?;
        }
        let id = self.id;
        let record = self.shared.store.record(id).await?;
        let Some(rec) = record else { return Ok(()) };
        let file = self.view.files[idx].clone();
        let prices = self.shared.settings.usd_per_unit.clone();
        let written =
            tokio::task::spawn_blocking(move || sidecar::write(&rec, &file, &prices)).await;
        let problem = match written {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(why) = problem {
            let note = format!("could not write the sidecar: {why}");
            self.change(JobChange::default().with_note(note)).await?;
        }
        Ok(())
    }
}
