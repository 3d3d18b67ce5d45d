//! Contract bodies for the account gate (see the parent module).

use std::sync::Arc;
use std::time::Duration;

use shotdeck_core::jobs::JobPhase;

use super::{A, B, LONG, insert, job};
use crate::{JobStore, Slot};

/// Only the lease holder's queued job takes a slot; with room (every store's default
/// account allows more than one task) it is `submitting` at once, recorded in its history,
/// and asking again changes nothing. A hold-off on its account is accepted.
pub async fn the_gate_admits_only_the_lease_holder(s: Arc<dyn JobStore>) {
    let queued = insert(&*s, job("g1", "/g.json", 1.0), LONG).await;
    assert_eq!(s.take_slot(queued.id, B, 2).await.unwrap(), Slot::Lost);
    let still = s.view(queued.id).await.unwrap().unwrap();
    assert_eq!(
        still.phase,
        JobPhase::Queued,
        "a stranger's ask writes nothing"
    );
    let Slot::Taken(view) = s.take_slot(queued.id, A, 3).await.unwrap() else {
        panic!("the holder of a queued job on an idle account is admitted");
    };
    assert_eq!(view.phase, JobPhase::Submitting);
    assert_eq!(view.status_msg, None);
    let history = s.history(queued.id).await.unwrap();
    assert_eq!(history.last().map(|e| e.phase), Some(JobPhase::Submitting));
    assert_eq!(s.take_slot(queued.id, A, 4).await.unwrap(), Slot::Lost);
    assert_eq!(
        s.view(queued.id).await.unwrap().unwrap().phase,
        JobPhase::Submitting
    );
    s.hold_off(queued.id, Duration::from_millis(1))
        .await
        .unwrap();
}
