//! Who works on a job: leases on the database's clock, fenced by an epoch.
//!
//! An engine's liveness is its `engines.last_seen`, written by its heartbeat with the
//! server's `now()`; no machine's clock is compared with another's. A job whose owner's
//! heartbeat is older than the lease time can be claimed by another engine, and every
//! claim bumps the job's `lease_epoch`. Every worker write names the `(owner, epoch)` it
//! holds, so an owner that was partitioned away and comes back late changes nothing.

use std::time::Duration;

use shotdeck_core::jobs::JobPhase;
use shotdeck_core::jobs::machine::transition;

use super::{FINISHED, Lit, PgError, PgStore, WORKABLE, parse_phase};

const SUBMITTING: Lit = Lit(JobPhase::Submitting);
use crate::JobChange;

/// The right to write one job, as long as nobody claimed it since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job: i64,
    pub owner: String,
    pub epoch: i64,
}

/// A job an engine just claimed (or adopted from a gone owner).
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub lease: Lease,
    pub phase: JobPhase,
    pub external_task_id: String,
    pub task_id: Option<String>,
    /// Taken from another engine (its heartbeat stopped), not fresh from the queue.
    pub adopted: bool,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// `j`'s owner, if any, is gone: no heartbeat from it (`engines.last_seen`, the database's
/// clock) within `$lease` seconds, and it is not `$engine`. The claim's liveness rule,
/// for the queue ([`PgStore::claim`]) and for orphans ([`PgStore::claim_orphans_t`]).
fn owner_gone(engine: &str, lease: &str) -> String {
    format!(
        "(j.lease_owner IS NULL OR (j.lease_owner <> {engine} AND NOT EXISTS ( \
           SELECT 1 FROM engines e WHERE e.id = j.lease_owner \
              AND e.last_seen > now() - make_interval(secs => {lease}))))"
    )
}

/// `j` is an orphan: its task succeeded (`downloading`) and no machine has a complete
/// file of it (`job_files` is per host).
fn orphan() -> String {
    format!(
        "j.phase = {} AND NOT EXISTS \
         (SELECT 1 FROM job_files f WHERE f.job_id = j.id AND f.complete)",
        Lit(JobPhase::Downloading)
    )
}

impl PgStore {
    /// Registers this engine (or refreshes its row) and stamps its heartbeat.
    pub async fn register_engine(&self, id: &str, host: &str, user: &str) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO engines (id, host, user_name) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET host = $2, user_name = $3, last_seen = now()",
                &[&id, &host, &user],
            )
            .await?;
        Ok(())
    }

    /// The engine's heartbeat: `false` if its row is gone (it must register again).
    pub async fn heartbeat(&self, engine: &str) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                "UPDATE engines SET last_seen = now() WHERE id = $1",
                &[&engine],
            )
            .await?;
        Ok(n == 1)
    }

    /// Claims up to `max` jobs of `accounts`, oldest first (FIFO across the team): unowned
    /// ones, and ones whose owner's heartbeat is older than `lease` by the database clock.
    /// A job left in `submitting` by a gone owner is claimed only once `in_doubt_grace`
    /// (the create request's whole timeout) has passed since it took its slot, so the old
    /// owner's create has landed or died before the adopter looks it up. Rows another
    /// engine is claiming are skipped, not waited for.
    pub async fn claim(
        &self,
        engine: &str,
        accounts: &[String],
        max: i64,
        lease: Duration,
        in_doubt_grace: Duration,
    ) -> Result<Vec<Claimed>, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Two statements. The first locks candidates (skipping rows another engine is
        // claiming); the second re-checks them with a snapshot taken after those locks (a
        // stale snapshot can only make an owner look dead, never alive). In
        // one statement the owner's liveness would be read from the snapshot taken before
        // a lock wait: an engine that registered (or beat) and claimed in between would
        // look dead, and its fresh claim would be taken over.
        let candidates = format!(
            "SELECT j.id FROM jobs j
              WHERE j.phase IN {WORKABLE} AND NOT j.stalled
                AND j.run_after <= now()
                AND j.account_id = ANY($1)
                AND {gone}
                AND (j.phase <> {SUBMITTING}
                     OR j.submitting_since <= now() - make_interval(secs => $5))
              ORDER BY j.created_at, j.id
              LIMIT $3
              FOR UPDATE OF j SKIP LOCKED",
            gone = owner_gone("$2", "$4")
        );
        let ids: Vec<i64> = tx
            .query(
                &candidates,
                &[
                    &accounts,
                    &engine,
                    &max,
                    &secs(lease),
                    &secs(in_doubt_grace),
                ],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let sql = format!(
            "WITH c AS (
               SELECT j.id, j.lease_owner FROM jobs j
                WHERE j.id = ANY($2) AND j.phase IN {WORKABLE}
                  AND (j.lease_owner IS NULL OR NOT EXISTS (
                       SELECT 1 FROM engines e WHERE e.id = j.lease_owner
                          AND e.last_seen > now() - make_interval(secs => $3)))
                  AND (j.phase <> {SUBMITTING}
                       OR j.submitting_since <= now() - make_interval(secs => $4)))
             UPDATE jobs j SET lease_owner = $1, lease_epoch = j.lease_epoch + 1
               FROM c WHERE j.id = c.id
             RETURNING j.id, j.lease_epoch, j.phase, j.external_task_id, j.task_id,
                       c.lease_owner IS NOT NULL"
        );
        let rows = tx
            .query(&sql, &[&engine, &ids, &secs(lease), &secs(in_doubt_grace)])
            .await?;
        tx.commit().await?;
        let mut claimed = rows
            .iter()
            .map(|r| {
                let job: i64 = r.get(0);
                Ok(Claimed {
                    lease: Lease {
                        job,
                        owner: engine.to_string(),
                        epoch: r.get(1),
                    },
                    phase: parse_phase(job, r.get(2))?,
                    external_task_id: r.get(3),
                    task_id: r.get(4),
                    adopted: r.get(5),
                })
            })
            .collect::<Result<Vec<_>, PgError>>()?;
        claimed.sort_by_key(|c| c.lease.job);
        Ok(claimed)
    }

    /// Writes `change` if `lease` still holds; `Ok(false)` (nothing written) when another
    /// engine claimed the job since. A phase change is checked against the job state
    /// machine and recorded in the history with its note.
    pub async fn apply(&self, lease: &Lease, change: &JobChange) -> Result<bool, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT phase FROM jobs WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 \
                 FOR UPDATE",
                &[&lease.job, &lease.owner, &lease.epoch],
            )
            .await?;
        let Some(row) = row else { return Ok(false) };
        let from = parse_phase(lease.job, row.get(0))?;
        let to = match change.phase {
            Some(p) => transition(from, p)?,
            None => from,
        };
        let error = change.error.clone();
        let (err_set, err) = (error.is_some(), error.flatten());
        let status_set = change.status_msg.is_some();
        let status = change.status_msg.clone().flatten();
        tx.execute(
            &format!(
                "UPDATE jobs SET phase = $2,
                 task_id = coalesce($3, task_id),
                 status_msg = CASE WHEN $4 THEN $5 ELSE status_msg END,
                 error_code = CASE WHEN $6 THEN $7 ELSE error_code END,
                 error_message = CASE WHEN $6 THEN $8 ELSE error_message END,
                 error_retryable = CASE WHEN $6 THEN $9 ELSE error_retryable END,
                 units_charged = coalesce($10, units_charged),
                 stalled = coalesce($11, stalled),
                 finished_at = CASE WHEN $2 IN {FINISHED} THEN now() ELSE NULL END
             WHERE id = $1"
            ),
            &[
                &lease.job,
                &to.as_str(),
                &change.task_id,
                &status_set,
                &status,
                &err_set,
                &err.as_ref().and_then(|e| e.code.clone()),
                &err.as_ref().map(|e| e.message.clone()),
                &err.as_ref().map(|e| e.retryable),
                &change.units_charged,
                &change.stalled,
            ],
        )
        .await?;
        if to != from || change.note.is_some() {
            tx.execute(
                "INSERT INTO job_events (job_id, phase, note, engine_id) VALUES ($1, $2, $3, $4)",
                &[&lease.job, &to.as_str(), &change.note, &lease.owner],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Gives the job back to the queue's claimers (this engine stops work on it).
    pub async fn release(&self, lease: &Lease) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                "UPDATE jobs SET lease_owner = NULL \
                 WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3",
                &[&lease.job, &lease.owner, &lease.epoch],
            )
            .await?;
        Ok(n == 1)
    }

    /// Records that the owner asked the provider about the job, fenced: an adopter waits
    /// out the poll interval from here instead of polling again at once.
    pub async fn mark_polled(&self, lease: &Lease) -> Result<bool, PgError> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                "UPDATE jobs SET last_polled_at = now() \
                 WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3",
                &[&lease.job, &lease.owner, &lease.epoch],
            )
            .await?;
        Ok(n == 1)
    }
    /// [`Self::claim`] for orphans (see `JobStore::claim_orphans`): the same two
    /// statements and liveness rule, the oldest first, rows another engine is claiming
    /// skipped. The claimer's heartbeat is stamped in the same transaction (a claim by an
    /// engine with no `engines` row would look gone to the next claimer), and the claim is
    /// the trait's lease too (`lease_until_ms`, the database's clock), which the
    /// worker's file writes are fenced on and its heartbeat renews.
    pub(super) async fn claim_orphans_t(
        &self,
        created_before: i64,
        limit: usize,
        owner: &str,
        lease: Duration,
    ) -> Result<Vec<i64>, crate::StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO engines (id, host, user_name) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET last_seen = now()",
            &[&owner, &self.submitter.host, &self.submitter.user],
        )
        .await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let candidates = format!(
            "SELECT j.id FROM jobs j
              WHERE {} AND NOT j.stalled AND j.created_ms <= $1 AND {}
              ORDER BY j.created_ms, j.id
              LIMIT $3
              FOR UPDATE OF j SKIP LOCKED",
            orphan(),
            owner_gone("$2", "$4")
        );
        let ids: Vec<i64> = tx
            .query(
                &candidates,
                &[&created_before, &owner, &limit, &secs(lease)],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        // Re-checked on a snapshot taken after the locks (see `claim`).
        let take = format!(
            "UPDATE jobs j SET lease_owner = $1, lease_epoch = j.lease_epoch + 1,
                    lease_until_ms = {} + $4
              WHERE j.id = ANY($2) AND {} AND NOT j.stalled AND {}
              RETURNING j.id",
            super::t_leases::DB_NOW_MS,
            orphan(),
            owner_gone("$1", "$3")
        );
        let ms = super::t_leases::millis(lease);
        let mut taken: Vec<i64> = tx
            .query(&take, &[&owner, &ids, &secs(lease), &ms])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        tx.commit().await?;
        taken.sort_unstable();
        Ok(taken)
    }

    /// Orphans asked for between `from` and `to`, oldest first: one read on the jobs in
    /// `downloading` (the `jobs_workable` index), never the history.
    pub(super) async fn unfetched_t(
        &self,
        from: i64,
        to: i64,
        limit: usize,
    ) -> Result<Vec<i64>, crate::StoreError> {
        let client = self.pool.get().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = client
            .query(
                &format!(
                    "SELECT j.id FROM jobs j WHERE {} AND j.created_ms BETWEEN $1 AND $2 \
                     ORDER BY j.created_ms, j.id LIMIT $3",
                    orphan()
                ),
                &[&from, &to, &limit],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}
