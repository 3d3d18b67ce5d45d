//! The trait's leases on PostgreSQL: taken with one conditional UPDATE (the row lock makes
//! exactly one of two racing engines win), renewed by their owner, and bumping the job's
//! `lease_epoch` whenever the owner changes, so the gate's and claims' fencing sees it.
//!
//! Every lease is timed by the server's clock (`now()`): the caller says how long, never
//! until when, so an engine whose clock is an hour off neither steals a live lease nor
//! keeps a dead one. The caller's `now` only dates what it records.

use std::time::Duration;

use tokio_postgres::Transaction;

use super::view::{ENGINE_WORK, must_view, view};
use super::{Lit, PgStore};
use crate::rules::{self, RestartStep};
use crate::{Adopted, LeaseTerms, Refusal, Restart, StoreError};
use shotdeck_core::jobs::{Action, JobId, JobPhase, JobView};

/// A job in `downloading` is worked only by an engine on the machine that asked for it
/// (the host bound as `param`): its files land there. Another machine's is left for it.
fn mine_to_fetch(param: &str) -> String {
    let downloading = crate::phase::literal(JobPhase::Downloading);
    format!("(j.phase <> {downloading} OR j.submitted_by_host = {param})")
}

const SUBMITTING: Lit = Lit(JobPhase::Submitting);
const QUEUED: Lit = Lit(JobPhase::Queued);

/// The database's clock in Unix milliseconds (the transaction's start), which
/// `lease_until_ms` is on.
pub(super) const DB_NOW_MS: &str = "(extract(epoch FROM now()) * 1000)::int8";

/// `d` in whole milliseconds, for SQL.
pub(super) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A create in doubt (`submitting` without a task id) whose slot was taken less than `$n`
/// seconds ago by the database's clock: its old owner's request may still land.
fn young_in_doubt(n: usize) -> String {
    format!(
        "(j.phase = {SUBMITTING} AND j.task_id IS NULL AND j.submitting_since IS NOT NULL \
          AND j.submitting_since > now() - make_interval(secs => ${n}))"
    )
}

/// A queued job whose owner engine's heartbeat (`engines.last_seen`, the database's
/// clock) is younger than `$n` seconds: never sent, and its engine alive, so it is that
/// engine's to send even when the job's own lease lapsed while the engine was busy.
/// Adopting it would only park it `not_sent`.
fn queued_by_live_engine(n: usize) -> String {
    format!(
        "(j.phase = {QUEUED} AND EXISTS (SELECT 1 FROM engines e WHERE e.id = j.lease_owner \
          AND e.last_seen > now() - make_interval(secs => ${n})))"
    )
}

/// Takes (or renews) `id`'s lease for `owner` for `lease` by the database's clock: when it
/// is free, already `owner`'s, or lapsed.
pub(super) async fn take_lease(
    tx: &Transaction<'_>,
    id: JobId,
    owner: &str,
    lease: Duration,
) -> Result<bool, StoreError> {
    let n = tx
        .execute(
            &format!(
                "UPDATE jobs SET lease_until_ms = {DB_NOW_MS} + $3, lease_owner = $2, \
                 lease_epoch = lease_epoch + CASE WHEN lease_owner IS DISTINCT FROM $2 THEN 1 ELSE 0 END \
                 WHERE id = $1 AND (lease_owner IS NULL OR lease_owner = $2 \
                 OR lease_until_ms < {DB_NOW_MS})"
            ),
            &[&id, &owner, &millis(lease)],
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
        terms: LeaseTerms,
        now: i64,
    ) -> Result<Adopted, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The row locked first, so the in-doubt check and the take see one state.
        let waiting = tx
            .query_opt(
                &format!(
                    "SELECT {} OR {} FROM jobs j WHERE j.id = $1 FOR UPDATE",
                    young_in_doubt(2),
                    queued_by_live_engine(3)
                ),
                &[
                    &id,
                    &terms.create_timeout.as_secs_f64(),
                    &terms.ttl.as_secs_f64(),
                ],
            )
            .await?;
        if waiting.is_none_or(|r| r.get::<_, bool>(0)) {
            return Ok(Adopted::Busy);
        }
        if !take_lease(&tx, id, owner, terms.ttl).await? {
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

    /// Adoptable by the database's clock: the lease lapsed, a create in doubt is older
    /// than its request timeout, and a queued job's engine missed its heartbeat.
    pub(super) async fn adoptable_t(
        &self,
        terms: LeaseTerms,
        include_stalled: bool,
    ) -> Result<Vec<JobId>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT j.id FROM jobs j WHERE {ENGINE_WORK} AND (NOT j.stalled OR $2) \
                     AND (j.lease_owner IS NULL OR j.lease_until_ms < {DB_NOW_MS}) \
                     AND NOT {} AND {} AND NOT {} ORDER BY j.id",
                    young_in_doubt(1),
                    mine_to_fetch("$3"),
                    queued_by_live_engine(4)
                ),
                &[
                    &terms.create_timeout.as_secs_f64(),
                    &include_stalled,
                    &self.submitter.host,
                    &terms.ttl.as_secs_f64(),
                ],
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

    /// `owner`'s heartbeat: its `engines` row stamped and every lease it holds renewed, by
    /// the database's clock; answers which of `held` it lost.
    pub(super) async fn renew_t(
        &self,
        owner: &str,
        lease: Duration,
        held: Vec<JobId>,
    ) -> Result<Vec<JobId>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let user = &self.submitter.user;
        // Only lease stamps change here: the row keeps its version and is updated in place
        // (see migration 4), however many queued jobs the engine holds.
        tx.batch_execute("SET LOCAL shotdeck.stamp = 'lease'")
            .await?;
        tx.execute(
            &format!(
                "WITH beat AS (
                   INSERT INTO engines (id, host, user_name) VALUES ($1, $3, $4)
                   ON CONFLICT (id) DO UPDATE SET last_seen = now())
                 UPDATE jobs SET lease_until_ms = {DB_NOW_MS} + $2 WHERE lease_owner = $1"
            ),
            &[&owner, &millis(lease), &self.submitter.host, user],
        )
        .await?;
        let still: std::collections::HashSet<JobId> = tx
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
        lease: Duration,
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
        if !take_lease(&tx, id, owner, lease).await? {
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
