//! The trait's leases on PostgreSQL: taken with one conditional UPDATE (the row lock makes
//! exactly one of two racing engines win), renewed by their owner, and bumping the job's
//! `lease_epoch` whenever the owner changes, so the gate's and claims' fencing sees it.

use tokio_postgres::Transaction;

use super::PgStore;
use super::view::{ENGINE_WORK, must_view, view};
use crate::rules::{self, RestartStep};
use crate::{Adopted, Refusal, Restart, StoreError};
use shotdeck_core::jobs::{Action, JobId, JobPhase, JobView};

/// A job in `downloading` is worked only by an engine on the machine that asked for it
/// (the host bound as `param`): its files land there. Another machine's is left for it.
fn mine_to_fetch(param: &str) -> String {
    let downloading = crate::phase::literal(JobPhase::Downloading);
    format!("(j.phase <> {downloading} OR j.submitted_by_host = {param})")
}

/// Takes (or renews) `id`'s lease for `owner` until `until`: when it is free, already
/// `owner`'s, or expired before `now`.
pub(super) async fn take_lease(
    tx: &Transaction<'_>,
    id: JobId,
    owner: &str,
    until: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let n = tx
        .execute(
            "UPDATE jobs SET lease_until_ms = $3, lease_owner = $2, \
             lease_epoch = lease_epoch + CASE WHEN lease_owner IS DISTINCT FROM $2 THEN 1 ELSE 0 END \
             WHERE id = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until_ms < $4)",
            &[&id, &owner, &until, &now],
        )
        .await?;
    Ok(n == 1)
}

pub(super) async fn release_in(
    tx: &Transaction<'_>,
    id: JobId,
    owner: &str,
) -> Result<bool, StoreError> {
    let n = tx
        .execute(
            "UPDATE jobs SET lease_owner = NULL, lease_until_ms = NULL \
             WHERE id = $1 AND lease_owner = $2",
            &[&id, &owner],
        )
        .await?;
    Ok(n == 1)
}

impl PgStore {
    pub(super) async fn adopt_t(
        &self,
        id: JobId,
        owner: &str,
        until: i64,
        now: i64,
    ) -> Result<Adopted, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if !take_lease(&tx, id, owner, until, now).await? {
            return Ok(Adopted::Busy);
        }
        let row = tx
            .query_one("SELECT phase, stalled FROM jobs WHERE id = $1", &[&id])
            .await?;
        let phase = super::parse_phase(id, row.get(0))?;
        let adopted = if phase == JobPhase::Queued {
            // Its submitter stopped before sending: only the user sends it now.
            let park = rules::park_unsent(id);
            let parked = self.apply_in(&tx, id, owner, &park, now).await?;
            let parked = parked.ok_or(StoreError::NotFound(id))?;
            release_in(&tx, id, owner).await?;
            Adopted::Parked(parked)
        } else if row.get::<_, bool>(1) {
            let change = rules::resume_stalled();
            Adopted::Work(self.apply_in(&tx, id, owner, &change, now).await?)
        } else {
            Adopted::Work(None)
        };
        tx.commit().await?;
        Ok(adopted)
    }

    pub(super) async fn adoptable_t(
        &self,
        now: i64,
        include_stalled: bool,
    ) -> Result<Vec<JobId>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT j.id FROM jobs j WHERE {ENGINE_WORK} AND (NOT j.stalled OR $2) \
                     AND (j.lease_owner IS NULL OR j.lease_until_ms < $1) AND {} \
                     ORDER BY j.id",
                    mine_to_fetch("$3")
                ),
                &[&now, &include_stalled, &self.submitter.host],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub(super) async fn in_flight_t(&self) -> Result<Vec<JobId>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT j.id FROM jobs j WHERE {ENGINE_WORK} AND NOT j.stalled \
                     AND {} ORDER BY j.id",
                    mine_to_fetch("$1")
                ),
                &[&self.submitter.host],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Renews every lease `owner` holds and answers which of `held` it lost.
    pub(super) async fn renew_t(
        &self,
        owner: &str,
        until: i64,
        held: Vec<JobId>,
    ) -> Result<Vec<JobId>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "UPDATE jobs SET lease_until_ms = $2 WHERE lease_owner = $1",
            &[&owner, &until],
        )
        .await?;
        let still: Vec<JobId> = tx
            .query(
                "SELECT id FROM jobs WHERE id = ANY($1) AND lease_owner = $2",
                &[&held, &owner],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        tx.commit().await?;
        Ok(held.into_iter().filter(|id| !still.contains(id)).collect())
    }

    pub(super) async fn release_t(
        &self,
        id: JobId,
        owner: &str,
    ) -> Result<Option<JobView>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        release_in(&tx, id, owner).await?;
        let view = view(&*tx, &self.submitter.host, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub(super) async fn release_all_t(&self, owner: &str) -> Result<usize, StoreError> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                "UPDATE jobs SET lease_owner = NULL, lease_until_ms = NULL WHERE lease_owner = $1",
                &[&owner],
            )
            .await?;
        Ok(n as usize)
    }

    /// The user's restart: the lease, the rule's step (and a send's budget) and the write
    /// in one transaction; a refusal rolls all of it back, the lease included.
    pub(super) async fn restart_t(
        &self,
        id: JobId,
        how: Restart,
        owner: &str,
        until: i64,
        now: i64,
    ) -> Result<Result<Option<JobView>, Refusal>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let exists = tx
            .query_opt("SELECT 1 FROM jobs WHERE id = $1", &[&id])
            .await?
            .is_some();
        if !exists {
            return Ok(Err(Refusal::NotFound {
                id,
                action: Action::Resume,
            }));
        }
        if !take_lease(&tx, id, owner, until, now).await? {
            return Ok(Err(Refusal::LeaseHeld { id }));
        }
        let current = must_view(&*tx, &self.submitter.host, id).await?;
        let done = match rules::restart_step(id, &how, &current) {
            Err(refusal) => return Ok(Err(refusal)),
            Ok(RestartStep::Reopen) => self.reopen_in(&tx, id, owner, now).await?,
            Ok(RestartStep::Apply(change)) => {
                if let Restart::Send {
                    budget,
                    unit_prices,
                } = &how
                    && budget.is_set()
                {
                    let board = current.board_path.to_string_lossy().into_owned();
                    let spent = self
                        .spent_before(&*tx, &board, now, unit_prices, Some(id))
                        .await?;
                    if let Err(over) = budget.check(current.estimated_usd, spent) {
                        return Ok(Err(Refusal::OverBudget {
                            job: Some(id),
                            over,
                        }));
                    }
                }
                if matches!(how, Restart::Send { .. }) {
                    // Counted against the day it is sent.
                    tx.execute(
                        "UPDATE jobs SET created_ms = $2 WHERE id = $1",
                        &[&id, &now],
                    )
                    .await?;
                }
                self.apply_in(&tx, id, owner, &change, now).await?
            }
        };
        tx.commit().await?;
        Ok(Ok(done))
    }
}
