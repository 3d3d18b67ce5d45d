//! The user's word on PostgreSQL, from any machine: cancel, attach / lost, keeper. Each is
//! one transaction; the rules are the same functions SQLite uses (`crate::rules`).

use super::{Lit, PgStore};

const NEEDS_ATTENTION: Lit = Lit(JobPhase::NeedsAttention);
use super::t_leases::{DB_NOW_MS, millis, release_in, take_lease};
use super::view::{must_view, view};
use crate::{CancelError, KeeperError, Resolution, ResolveError, StoreError};
use shotdeck_core::jobs::{JobId, JobPhase, JobView};
use shotdeck_core::task_id::check_task_id;

/// How long the user's write holds a job (it releases it before committing anyway).
const USER_LEASE: std::time::Duration = std::time::Duration::from_secs(30);

impl PgStore {
    /// Fails an unfinished job as cancelled, taking its lease from whoever holds it (the
    /// user's word wins: the worker's next write finds the lease gone and stops).
    pub(super) async fn cancel_t(
        &self,
        id: JobId,
        owner: &str,
        now: i64,
    ) -> Result<JobView, CancelError> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        let taken = tx
            .execute(
                &format!(
                    "UPDATE jobs SET lease_owner = $2, lease_until_ms = {DB_NOW_MS} + $3, \
                     lease_epoch = lease_epoch + 1 WHERE id = $1"
                ),
                &[&id, &owner, &millis(USER_LEASE)],
            )
            .await
            .map_err(StoreError::from)?;
        if taken == 0 {
            return Err(StoreError::NotFound(id).into());
        }
        let current = must_view(&*tx, &self.submitter.host, id).await?;
        if !current.phase.is_active() {
            return Err(CancelError::Finished {
                id,
                phase: current.phase,
            });
        }
        let change = crate::rules::cancel_change(&current);
        let done = self.apply_in(&tx, id, owner, &change, now).await?;
        release_in(&tx, id, owner).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(done.ok_or(StoreError::NotFound(id))?)
    }

    pub(super) async fn resolve_t(
        &self,
        id: JobId,
        resolution: Resolution,
        owner: &str,
        now: i64,
    ) -> Result<JobView, ResolveError> {
        if let Resolution::Attach(task) = &resolution {
            check_task_id(task.trim()).map_err(ResolveError::BadTaskId)?;
        }
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        if !take_lease(&tx, id, owner, USER_LEASE).await? {
            let exists = tx
                .query_opt("SELECT 1 FROM jobs WHERE id = $1", &[&id])
                .await
                .map_err(StoreError::from)?;
            return Err(match exists {
                Some(_) => ResolveError::Busy(id),
                None => StoreError::NotFound(id).into(),
            });
        }
        let current = must_view(&*tx, &self.submitter.host, id).await?;
        let reattach = matches!(resolution, Resolution::Attach(_))
            && matches!(current.phase, JobPhase::Submitted | JobPhase::Processing);
        if reattach {
            // Only a task id the user entered (the job waited for attention) is corrected.
            let waited: bool = tx
                .query_one(
                    &format!(
                        "SELECT EXISTS (SELECT 1 FROM job_events WHERE job_id = $1 \
                     AND phase = {NEEDS_ATTENTION})"
                    ),
                    &[&id],
                )
                .await
                .map_err(StoreError::from)?
                .get(0);
            if !waited {
                return Err(ResolveError::NotReattachable {
                    id,
                    phase: current.phase,
                });
            }
        } else if current.phase != JobPhase::NeedsAttention {
            return Err(ResolveError::NotWaiting {
                id,
                phase: current.phase,
            });
        }
        let change = crate::rules::resolution_change(&resolution, reattach);
        let done = self.apply_in(&tx, id, owner, &change, now).await?;
        release_in(&tx, id, owner).await?;
        tx.commit().await.map_err(StoreError::from)?;
        done.ok_or(ResolveError::Busy(id))
    }

    /// One keeper per board (the partial unique index holds it whoever races).
    pub(super) async fn keeper_t(
        &self,
        id: JobId,
        keep: bool,
        now: i64,
    ) -> Result<Vec<JobView>, KeeperError> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        // The board row first (every keeper change on a board takes turns), then the job.
        let row = tx
            .query_opt(
                "SELECT b.id FROM jobs j JOIN boards b ON b.id = j.board_id WHERE j.id = $1 \
                 FOR UPDATE OF b",
                &[&id],
            )
            .await
            .map_err(StoreError::from)?
            .ok_or(StoreError::NotFound(id))?;
        let board: i64 = row.get(0);
        let row = tx
            .query_one("SELECT phase, keeper FROM jobs WHERE id = $1", &[&id])
            .await
            .map_err(StoreError::from)?;
        let phase = super::parse_phase(id, row.get(0)).map_err(StoreError::from)?;
        if keep && phase != JobPhase::Done {
            return Err(KeeperError::NotDone { id, phase });
        }
        if keep == row.get::<_, bool>(1) {
            return Ok(Vec::new());
        }
        let mut changed: Vec<JobId> = Vec::new();
        if keep {
            let previous = tx
                .query(
                    "UPDATE jobs SET keeper = false, updated_ms = $2 \
                     WHERE board_id = $1 AND keeper RETURNING id",
                    &[&board, &now],
                )
                .await
                .map_err(StoreError::from)?;
            changed.extend(previous.iter().map(|r| r.get::<_, JobId>(0)));
        }
        tx.execute(
            "UPDATE jobs SET keeper = $2, updated_ms = $3 WHERE id = $1",
            &[&id, &keep, &now],
        )
        .await
        .map_err(StoreError::from)?;
        changed.push(id);
        let mut views = Vec::with_capacity(changed.len());
        for job in changed {
            views.extend(view(&*tx, &self.submitter.host, job).await?);
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(views)
    }
}
