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

use shotdeck_core::jobs::JobPhase;
use shotdeck_core::jobs::machine::{requeue_refused_create, transition};
use tokio_postgres::Transaction;

use super::{IN_FLIGHT, Lease, Lit, PgError, PgStore};

const QUEUED: Lit = Lit(JobPhase::Queued);
const SUBMITTING: Lit = Lit(JobPhase::Submitting);
use crate::{OverLimit, SlotWait};

/// What the gate said to one job (the claim-and-epoch API; the trait's is [`crate::Slot`]).
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
        match self.clone() {
            SlotOutcome::Taken => f.write_str("submitting"),
            SlotOutcome::Wait {
                account,
                in_use,
                limit,
                ahead,
            } => std::fmt::Display::fmt(
                &SlotWait::Full {
                    account,
                    in_use,
                    limit,
                    ahead,
                },
                f,
            ),
            SlotOutcome::HeldOff { account, for_ms } => {
                std::fmt::Display::fmt(&SlotWait::HeldOff { account, for_ms }, f)
            }
            SlotOutcome::Lost => f.write_str("lost the lease"),
        }
    }
}

/// The gate's decision in the claim-and-epoch API's words.
fn outcome(gate: Gate) -> SlotOutcome {
    match gate {
        Gate::Admitted => SlotOutcome::Taken,
        Gate::Wait(SlotWait::Full {
            account,
            in_use,
            limit,
            ahead,
        }) => SlotOutcome::Wait {
            account,
            in_use,
            limit,
            ahead,
        },
        Gate::Wait(SlotWait::HeldOff { account, for_ms }) => {
            SlotOutcome::HeldOff { account, for_ms }
        }
        Gate::Lost => SlotOutcome::Lost,
    }
}

/// Whose lease a gate write is fenced on: a claim's `(owner, epoch)`, or the trait's
/// lease, which is its owner alone (every change of owner bumps the epoch anyway).
#[derive(Debug, Clone, Copy)]
pub(super) struct Fence<'a> {
    pub(super) job: i64,
    pub(super) owner: &'a str,
    pub(super) epoch: Option<i64>,
}

impl<'a> Fence<'a> {
    /// The trait's lease: `owner` holds job `job`.
    pub(super) fn owner(job: i64, owner: &'a str) -> Self {
        Fence {
            job,
            owner,
            epoch: None,
        }
    }
}

impl<'a> From<&'a Lease> for Fence<'a> {
    fn from(lease: &'a Lease) -> Self {
        Fence {
            job: lease.job,
            owner: &lease.owner,
            epoch: Some(lease.epoch),
        }
    }
}

/// The gate's decision, not yet committed.
pub(super) enum Gate {
    /// Moved to `submitting` in the transaction.
    Admitted,
    Wait(SlotWait),
    Lost,
}

/// The fenced job's own predicate (parameters `$1` job, `$2` owner, `$3` epoch or NULL).
const FENCED: &str = "id = $1 AND lease_owner = $2 AND ($3::int8 IS NULL OR lease_epoch = $3)";

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

/// Decides, and when there is room moves the fenced job to `submitting`, in `tx` (see the
/// module docs); the caller commits.
pub(super) async fn gate_in(
    tx: &Transaction<'_>,
    fence: Fence<'_>,
    now_ms: i64,
) -> Result<Gate, PgError> {
    let job = tx
        .query_opt(
            &format!(
                "SELECT account_id, slot_weight, created_at FROM jobs \
                 WHERE {FENCED} AND phase = {QUEUED}"
            ),
            &[&fence.job, &fence.owner, &fence.epoch],
        )
        .await?;
    let Some(job) = job else {
        return Ok(Gate::Lost);
    };
    let account: String = job.get(0);
    let (limit, held) = lock_account(tx, &account).await?;
    if let Some(for_ms) = held {
        return Ok(Gate::Wait(SlotWait::HeldOff { account, for_ms }));
    }
    // A new statement, so a snapshot taken after the lock (see the module docs).
    let counts = tx
        .query_one(
            &format!(
                "SELECT
                   (SELECT coalesce(sum(slot_weight), 0) FROM jobs
                     WHERE account_id = $1 AND phase IN {IN_FLIGHT})::int8,
                   (SELECT coalesce(sum(slot_weight), 0) FROM jobs
                     WHERE account_id = $1 AND phase = {QUEUED} AND NOT stalled
                       AND run_after <= now() AND (created_at, id) < ($2, $3))::int8"
            ),
            &[
                &account,
                &job.get::<_, std::time::SystemTime>(2),
                &fence.job,
            ],
        )
        .await?;
    let (in_use, ahead): (i64, i64) = (counts.get(0), counts.get(1));
    // A task heavier than the whole limit still runs, alone.
    let weight = i64::from(job.get::<_, i32>(1)).min(limit);
    if in_use + ahead + weight > limit {
        return Ok(Gate::Wait(SlotWait::Full {
            account,
            in_use,
            limit,
            ahead,
        }));
    }
    // Through the state machine, like every phase change.
    let to = transition(JobPhase::Queued, JobPhase::Submitting)?;
    let n = tx
        .execute(
            &format!(
                "UPDATE jobs SET phase = $4, submitting_since = now(), status_msg = NULL, \
                 updated_ms = $5 WHERE {FENCED} AND phase = {QUEUED}"
            ),
            &[
                &fence.job,
                &fence.owner,
                &fence.epoch,
                &to.as_str(),
                &now_ms,
            ],
        )
        .await?;
    if n != 1 {
        return Ok(Gate::Lost);
    }
    tx.execute(
        "INSERT INTO job_events (job_id, phase, engine_id, at_ms) VALUES ($1, $2, $3, $4)",
        &[&fence.job, &to.as_str(), &fence.owner, &now_ms],
    )
    .await?;
    Ok(Gate::Admitted)
}

/// A 1303 for the fenced `submitting` job, in `tx` (see [`PgStore::over_limit`]); `None`
/// when the fence or the phase no longer holds (nothing written).
pub(super) async fn over_limit_in(
    tx: &Transaction<'_>,
    fence: Fence<'_>,
    backoff: Duration,
    cooldown: Duration,
    now_ms: i64,
) -> Result<Option<i64>, PgError> {
    let job = tx
        .query_opt(
            &format!("SELECT account_id FROM jobs WHERE {FENCED} AND phase = {SUBMITTING}"),
            &[&fence.job, &fence.owner, &fence.epoch],
        )
        .await?;
    let Some(job) = job else {
        return Ok(None);
    };
    let account: String = job.get(0);
    let (mut limit, _) = lock_account(tx, &account).await?;
    let others: i64 = tx
        .query_one(
            &format!(
                "SELECT coalesce(sum(slot_weight), 0)::int8 FROM jobs \
                 WHERE account_id = $1 AND phase IN {IN_FLIGHT} AND id <> $2"
            ),
            &[&account, &fence.job],
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
    // The one way back to the queue, which the state machine keeps for this refusal.
    let to = requeue_refused_create(JobPhase::Submitting)?;
    tx.execute(
        "UPDATE jobs SET phase = $2, submitting_since = NULL, updated_ms = $4, \
         run_after = now() + make_interval(secs => $3) WHERE id = $1",
        &[&fence.job, &to.as_str(), &backoff.as_secs_f64(), &now_ms],
    )
    .await?;
    tx.execute(
        "INSERT INTO job_events (job_id, phase, note, engine_id, at_ms) \
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &fence.job,
            &to.as_str(),
            &format!("1303: over the account's concurrency; limit now {limit}"),
            &fence.owner,
            &now_ms,
        ],
    )
    .await?;
    Ok(Some(limit))
}

impl PgStore {
    /// Asks for a slot on the job's account for the job `lease` holds (see the module
    /// docs). `Taken` is committed before it returns: only then may the create be sent.
    pub async fn take_slot(&self, lease: &Lease) -> Result<SlotOutcome, PgError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let gate = gate_in(&tx, lease.into(), crate::now_ms()).await?;
        if matches!(gate, Gate::Admitted) {
            tx.commit().await?;
        }
        Ok(outcome(gate))
    }

    /// A 1302 / 429 from the provider: nobody on the team sends to `account` for
    /// `retry_after` (a later hold-off already in place is kept).
    pub async fn hold_off(&self, account: &str, retry_after: Duration) -> Result<(), PgError> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                &format!("UPDATE accounts SET {HOLD_OFF} WHERE id = $1"),
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
        let limit = over_limit_in(&tx, lease.into(), backoff, cooldown, crate::now_ms()).await?;
        let Some(limit) = limit else {
            return Ok(OverLimit {
                requeued: false,
                limit: 0,
            });
        };
        tx.commit().await?;
        Ok(OverLimit {
            requeued: true,
            limit,
        })
    }
}

/// Extends the account's hold-off to `$2` seconds from now (a later one is kept).
pub(super) const HOLD_OFF: &str = "hold_off_until = \
    greatest(coalesce(hold_off_until, now()), now() + make_interval(secs => $2))";
