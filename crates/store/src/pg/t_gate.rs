//! The trait's account gate on PostgreSQL: the gate of `gate.rs`, fenced on the trait's
//! lease (its owner), each call one transaction that answers the job as it now is.

use std::time::Duration;

use super::PgStore;
use super::gate::{Fence, Gate, HOLD_OFF, gate_in, over_limit_in};
use super::view::must_view;
use crate::{Requeue, Slot, StoreError};
use shotdeck_core::jobs::JobId;

impl PgStore {
    pub(super) async fn take_slot_t(
        &self,
        id: JobId,
        owner: &str,
        now: i64,
    ) -> Result<Slot, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let fence = Fence::owner(id, owner);
        // Nothing is written unless admitted: a wait rolls back with the account's lock.
        Ok(match gate_in(&tx, fence, now).await? {
            Gate::Admitted => {
                let view = must_view(&*tx, &self.submitter.host, id).await?;
                tx.commit().await?;
                Slot::Taken(view)
            }
            Gate::Wait(wait) => Slot::Wait(wait),
            Gate::Lost => Slot::Lost,
        })
    }

    /// Holds off the account of job `id` (whichever account the job went to).
    pub(super) async fn hold_off_t(
        &self,
        id: JobId,
        retry_after: Duration,
    ) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client
            .execute(
                &format!(
                    "UPDATE accounts SET {HOLD_OFF} \
                     WHERE id = (SELECT account_id FROM jobs WHERE id = $1)"
                ),
                &[&id, &retry_after.as_secs_f64()],
            )
            .await?;
        Ok(())
    }

    pub(super) async fn over_limit_t(
        &self,
        id: JobId,
        owner: &str,
        backoff: Duration,
        cooldown: Duration,
        now: i64,
    ) -> Result<Requeue, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let fence = Fence::owner(id, owner);
        let Some(limit) = over_limit_in(&tx, fence, backoff, cooldown, now).await? else {
            return Ok(Requeue::Lost);
        };
        let view = must_view(&*tx, &self.submitter.host, id).await?;
        tx.commit().await?;
        Ok(Requeue::Queued { view, limit })
    }
}
