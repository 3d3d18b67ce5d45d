//! The account-wide concurrency gate: Kling counts a task against its account from the
//! create until it ends (1303 past the limit), whichever machine sent it.
//!
//! A job moves `queued → submitting` only in a transaction that first locks the account
//! row and then, in a second statement, counts the slots in use: under READ COMMITTED the
//! second statement's snapshot is taken after the lock, so it sees every holder that
//! committed before us. One statement doing both would count from a snapshot taken
//! before its lock wait and over-admit. Slots go in creation order (FIFO across the
//! team): a job is admitted only if the older queued jobs of its account fit too.

use std::time::Duration;

use tokio_postgres::Transaction;

use super::{IN_FLIGHT, Lease, PgError, PgStore};

/// What the gate said to one job.
#[derive(Debug, Clone, PartialEq)]
pub enum SlotOutcome {
    /// The job is `submitting` (committed): send the create now.
    Taken,
    /// Every slot is in use, or older jobs are first in line: try again later.
    Wait {
        account: String,
        in_use: i64,
        limit: i64,
        /// Slots the older queued jobs of the account need first.
        ahead: i64,
    },
    /// The account is held off after a 1302 / 429, for this many more milliseconds.
    HeldOff { account: String, for_ms: i64 },
    /// The lease is gone or the job is no longer queued: nothing was changed.
    Lost,
}

impl std::fmt::Display for SlotOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SlotOutcome::Taken => f.write_str("submitting"),
            SlotOutcome::Wait {
                account,
                in_use,
                limit,
                ahead,
            } => {
                write!(
                    f,
                    "queued: {in_use} of {limit} slots in use on account {account}"
                )?;
                if *ahead > 0 {
                    write!(f, ", {ahead} ahead")?;
                }
                Ok(())
            }
            SlotOutcome::HeldOff { account, for_ms } => write!(
                f,
                "queued: account {account} is rate-limited for {:.0} s more",
                (*for_ms as f64 / 1000.0).ceil()
            ),
            SlotOutcome::Lost => f.write_str("lost the lease"),
        }
    }
}

/// What a 1303 did to the account's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    /// Back in the queue, its slot given back.
    pub requeued: bool,
    /// The effective limit from now on (lower than the configured one when the provider
    /// refused while we counted fewer tasks than the limit: someone else uses the account).
    pub limit: i64,
}

/// The limit in force: the configured one, or the lowered one while it lasts.
const EFFECTIVE_LIMIT: &str = "CASE WHEN lowered_until > now() \
     THEN least(max_in_flight, lowered_limit) ELSE max_in_flight END";

/// Locks the account row: every gate decision on the account happens one at a time.
async fn lock_account(tx: &Transaction<'_>, account: &str) -> Result<(i64, Option<i64>), PgError> {
    let row = tx
        .query_opt(
            &format!(
                "SELECT {EFFECTIVE_LIMIT}::int8, \
                 (extract(epoch FROM hold_off_until - now()) * 1000)::int8 \
                 FROM accounts WHERE id = $1 FOR UPDATE"
            ),
            &[&account],
        )
        .await?
        .ok_or_else(|| PgError::NoAccount(account.to_string()))?;
    let held: Option<i64> = row.get(1);
    Ok((row.get(0), held.filter(|ms| *ms > 0)))
}

impl PgStore {
    /// Asks for a slot on the job's account for the job `lease` holds (see the module
    /// docs). `Taken` is committed before it returns: only then may the create be sent.
    pub async fn take_slot(&self, lease: &Lease) -> Result<SlotOutcome, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let job = tx
            .query_opt(
                "SELECT account_id, slot_weight, created_at FROM jobs \
                 WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 AND phase = 'queued'",
                &[&lease.job, &lease.owner, &lease.epoch],
            )
            .await?;
        let Some(job) = job else {
            return Ok(SlotOutcome::Lost);
        };
        let account: String = job.get(0);
        let (limit, held) = lock_account(&tx, &account).await?;
        if let Some(for_ms) = held {
            return Ok(SlotOutcome::HeldOff { account, for_ms });
        }
        // A new statement, so a snapshot taken after the lock (see the module docs).
        let counts = tx
            .query_one(
                &format!(
                    "SELECT
                       (SELECT coalesce(sum(slot_weight), 0) FROM jobs
                         WHERE account_id = $1 AND phase IN {IN_FLIGHT})::int8,
                       (SELECT coalesce(sum(slot_weight), 0) FROM jobs
                         WHERE account_id = $1 AND phase = 'queued' AND NOT stalled
                           AND run_after <= now() AND (created_at, id) < ($2, $3))::int8"
                ),
                &[
                    &account,
                    &job.get::<_, std::time::SystemTime>(2),
                    &lease.job,
                ],
            )
            .await?;
        let (in_use, ahead): (i64, i64) = (counts.get(0), counts.get(1));
        // A task heavier than the whole limit still runs, alone.
        let weight = i64::from(job.get::<_, i32>(1)).min(limit);
        if in_use + ahead + weight > limit {
            return Ok(SlotOutcome::Wait {
                account,
                in_use,
                limit,
                ahead,
            });
        }
        let n = tx
            .execute(
                "UPDATE jobs SET phase = 'submitting', submitting_since = now() \
                 WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 AND phase = 'queued'",
                &[&lease.job, &lease.owner, &lease.epoch],
            )
            .await?;
        if n != 1 {
            return Ok(SlotOutcome::Lost);
        }
        tx.execute(
            "INSERT INTO job_events (job_id, phase, engine_id) VALUES ($1, 'submitting', $2)",
            &[&lease.job, &lease.owner],
        )
        .await?;
        tx.commit().await?;
        Ok(SlotOutcome::Taken)
    }

    /// A 1302 / 429 from the provider: nobody on the team sends to `account` for
    /// `retry_after` (a later hold-off already in place is kept).
    pub async fn hold_off(&self, account: &str, retry_after: Duration) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                "UPDATE accounts SET hold_off_until = greatest(coalesce(hold_off_until, now()), \
                 now() + make_interval(secs => $2)) WHERE id = $1",
                &[&account, &retry_after.as_secs_f64()],
            )
            .await?;
        if n == 0 {
            return Err(PgError::NoAccount(account.to_string()));
        }
        Ok(())
    }

    /// A 1303 (over the account's concurrency) for the job `lease` holds, which is
    /// `submitting`: the job goes back to the queue (its slot freed) to run again after
    /// `backoff`, and when fewer tasks than the limit were in flight here besides it, the
    /// effective limit drops to that count (at least 1) for `cooldown`: someone outside
    /// this team's store is using the account's slots.
    pub async fn over_limit(
        &self,
        lease: &Lease,
        backoff: Duration,
        cooldown: Duration,
    ) -> Result<OverLimit, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let job = tx
            .query_opt(
                "SELECT account_id FROM jobs WHERE id = $1 AND lease_owner = $2 \
                 AND lease_epoch = $3 AND phase = 'submitting'",
                &[&lease.job, &lease.owner, &lease.epoch],
            )
            .await?;
        let Some(job) = job else {
            return Ok(OverLimit {
                requeued: false,
                limit: 0,
            });
        };
        let account: String = job.get(0);
        let (mut limit, _) = lock_account(&tx, &account).await?;
        let others: i64 = tx
            .query_one(
                &format!(
                    "SELECT coalesce(sum(slot_weight), 0)::int8 FROM jobs \
                     WHERE account_id = $1 AND phase IN {IN_FLIGHT} AND id <> $2"
                ),
                &[&account, &lease.job],
            )
            .await?
            .get(0);
        if others < limit {
            limit = others.max(1);
            tx.execute(
                "UPDATE accounts SET lowered_limit = $2, \
                 lowered_until = now() + make_interval(secs => $3) WHERE id = $1",
                &[&account, &(limit as i32), &cooldown.as_secs_f64()],
            )
            .await?;
        }
        tx.execute(
            "UPDATE jobs SET phase = 'queued', submitting_since = NULL, \
             run_after = now() + make_interval(secs => $2) WHERE id = $1",
            &[&lease.job, &backoff.as_secs_f64()],
        )
        .await?;
        tx.execute(
            "INSERT INTO job_events (job_id, phase, note, engine_id) \
             VALUES ($1, 'queued', $2, $3)",
            &[
                &lease.job,
                &format!("1303: over the account's concurrency; limit now {limit}"),
                &lease.owner,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(OverLimit {
            requeued: true,
            limit,
        })
    }
}
