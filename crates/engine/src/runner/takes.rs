//! The take commands: marking a board's keeper, and gathering two takes for a comparison.

use super::EngineLoop;
use crate::takes::take_facts;
use shotdeck_core::jobs::{Action, JobEvent, JobId, Refusal, Step};
use shotdeck_store::KeeperError;

impl EngineLoop {
    /// Moves (or clears) a board's keeper mark and reports every job whose mark changed.
    pub(super) async fn set_keeper(&mut self, id: JobId, keep: bool) {
        let written = self
            .shared
            .store
            .set_keeper(id, keep, self.shared.now())
            .await;
        match written {
            Ok(changed) => {
                for view in changed {
                    self.scope.add(view.id);
                    self.report(view);
                }
            }
            Err(KeeperError::NotDone { id, phase }) => self.reject(Refusal::WrongPhase {
                id,
                phase,
                action: Action::Keep,
            }),
            Err(KeeperError::Store(e)) => self.reject(Refusal::Failed {
                step: Step::Mark(id),
                error: e.to_string(),
            }),
        }
    }

    /// Reads both records, then looks at their files on a blocking thread (sizes, MP4
    /// headers) so the loop never waits on the disk.
    pub(super) async fn compare(&mut self, a: JobId, b: JobId) {
        let store = &self.shared.store;
        let records = match (store.record(a).await, store.record(b).await) {
            (Ok(ra), Ok(rb)) => Ok((ra, rb)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        let (ra, rb) = match records {
            Ok((Some(ra), Some(rb))) => (ra, rb),
            Ok((None, _)) => {
                return self.reject(Refusal::NotFound {
                    id: a,
                    action: Action::Read,
                });
            }
            Ok((_, None)) => {
                return self.reject(Refusal::NotFound {
                    id: b,
                    action: Action::Read,
                });
            }
            Err(e) => {
                return self.reject(Refusal::Failed {
                    step: Step::ReadPair(a, b),
                    error: e.to_string(),
                });
            }
        };
        let profiles = self.shared.settings.profiles.clone();
        let prices = self.shared.settings.usd_per_unit.clone();
        let gathered = tokio::task::spawn_blocking(move || {
            [
                take_facts(&ra, &profiles, &prices),
                take_facts(&rb, &profiles, &prices),
            ]
        })
        .await;
        match gathered {
            Ok(facts) => {
                self.events.push(JobEvent::Compared(Box::new(facts)));
            }
            Err(e) => self.reject(Refusal::Failed {
                step: Step::Compare(a, b),
                error: e.to_string(),
            }),
        }
    }
}
