//! The spend ledger: what each job is estimated at and what it was charged, summed in SQL.
//!
//! A job counts once money may be spent on it: every job except one that failed before the
//! provider gave it a task id (refused at create, or never sent). A create in doubt (sent,
//! no answer) that the user marked lost or cancelled still counts: it may have been charged.
//! It counts at its charged units converted with the model's USD per unit when both are
//! known, otherwise at its estimate; either way the figure is an estimate. A charge that is
//! negative or unreadable is unknown (the estimate counts), never a credit.
//!
//! "Today" starts at local midnight as SQLite's `localtime` sees it (the C library's time
//! zone: `TZ`, else `/etc/localtime`; UTC when neither is set).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{NewJob, Store, StoreError, parse_provider};
use crate::LedgerEntry;
use crate::phase::{self, parse_phase};
use shotdeck_core::budget::{Budget, OverBudget, SpentSoFar, UnitPrices, unit_price, units_to_usd};
use shotdeck_core::jobs::{CANCELLED_IN_DOUBT_CODE, JobId, JobPhase, LOST_CODE};

/// Rows where money may have been spent (see the module docs). The codes are
/// [`super::LOST_CODE`] and [`super::CANCELLED_IN_DOUBT_CODE`].
static SPENDING: LazyLock<String> = LazyLock::new(|| {
    format!(
        "NOT ({} AND COALESCE(error_code, '') NOT IN ('{LOST_CODE}', '{CANCELLED_IN_DOUBT_CODE}'))",
        *IN_DOUBT
    )
});

/// Failed rows without a task that still count: creates in doubt.
static IN_DOUBT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "(phase = {} AND task_id IS NULL)",
        phase::literal(JobPhase::Failed)
    )
});

/// Rows whose charge reads as a plain non-negative number; the same rule as
/// [`shotdeck_core::budget::charged_units`].
const CHARGE_KNOWN: &str = "COALESCE(trim(units_charged) GLOB '*[0-9]*' \
     AND trim(units_charged) NOT GLOB '*[^0-9.]*' AND trim(units_charged) NOT GLOB '*.*.*', 0)";

impl Store {
    /// Unix milliseconds of the local midnight that began the day of `now_ms`.
    pub fn local_midnight_ms(&self, now_ms: i64) -> Result<i64, StoreError> {
        local_midnight(&self.conn, now_ms)
    }

    /// Unix milliseconds of local midnight starting `date` (`YYYY-MM-DD`); `None` when it
    /// is not such a date.
    pub fn local_date_ms(&self, date: &str) -> Result<Option<i64>, StoreError> {
        let shaped = date.len() == 10
            && date.char_indices().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shaped {
            return Ok(None);
        }
        let secs: Option<i64> = self
            .conn
            .query_row(
                "SELECT CAST(strftime('%s', ?1, 'utc') AS INTEGER) \
             WHERE date(?1) = ?1",
                params![date],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(secs.map(|s| s * 1000))
    }

    /// What the ledger counts since `since_ms` (all time when `None`), on one board or all.
    pub fn spent_usd(
        &self,
        since_ms: Option<i64>,
        board: Option<&Path>,
        unit_prices: &UnitPrices,
    ) -> Result<f64, StoreError> {
        spent_in(&self.conn, since_ms, board, unit_prices)
    }

    /// Records the job like [`Store::insert_job`] unless `budget` refuses it. The sums and
    /// the insert share one immediate (write-locked) transaction, so two processes cannot
    /// both pass a limit that only one of them fits under.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_job_within_budget(
        &mut self,
        job: &NewJob,
        budget: &Budget,
        unit_prices: &UnitPrices,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<Result<JobId, OverBudget>, StoreError> {
        let ids = self.insert_takes_within_budget(
            std::slice::from_ref(job),
            budget,
            unit_prices,
            owner,
            lease_until,
            now,
        )?;
        Ok(ids.map(|ids| ids[0]))
    }

    /// Records the takes of one board (`jobs`, in order) like [`Store::insert_job`], all
    /// or none: `budget` holds them together ([`Budget::check_all`]), summed and inserted
    /// in one write-locked transaction, so they get consecutive takes.
    pub fn insert_takes_within_budget(
        &mut self,
        jobs: &[NewJob],
        budget: &Budget,
        unit_prices: &UnitPrices,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<Result<Vec<JobId>, OverBudget>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let (true, Some(first)) = (budget.is_set(), jobs.first()) {
            let spent = spent_before(&tx, &first.board_path, now, unit_prices, None)?;
            let estimates: Vec<Option<f64>> = jobs.iter().map(|j| j.estimated_usd).collect();
            if let Err(over) = budget.check_all(&estimates, spent) {
                return Ok(Err(over));
            }
        }
        let mut ids = Vec::with_capacity(jobs.len());
        for job in jobs {
            ids.push(super::write::insert_row(&tx, job, owner, lease_until, now)?);
        }
        tx.commit()?;
        Ok(Ok(ids))
    }

    /// Holds job `id`, recorded earlier but sent only now, to `budget` as if it were new:
    /// the sums leave it out, and once it passes it is dated `now`, so it counts against
    /// the day it is sent (a job recorded yesterday would otherwise escape today's
    /// `per_day`). One write-locked transaction, as for a new job.
    pub fn date_send_within_budget(
        &mut self,
        id: JobId,
        budget: &Budget,
        unit_prices: &UnitPrices,
        now: i64,
    ) -> Result<Result<(), OverBudget>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (board, estimate): (String, Option<f64>) = tx
            .query_row(
                "SELECT board_path, estimated_usd FROM jobs WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        if budget.is_set() {
            let spent = spent_before(&tx, Path::new(&board), now, unit_prices, Some(id))?;
            if let Err(over) = budget.check(estimate, spent) {
                return Ok(Err(over));
            }
        }
        tx.execute(
            "UPDATE jobs SET created_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        tx.commit()?;
        Ok(Ok(()))
    }

    /// Every job since `since_ms` (all when `None`), oldest first, on one board or all.
    pub fn ledger(
        &self,
        since_ms: Option<i64>,
        board: Option<&Path>,
        unit_prices: &UnitPrices,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, created_at, board_path, provider, model, phase, seconds, estimated_usd, \
             units_charged, {spending}, {in_doubt}, \
             date(created_at / 1000, 'unixepoch', 'localtime'), project_id FROM jobs \
             WHERE created_at >= ?1 AND (?2 IS NULL OR board_path = ?2) ORDER BY id",
            spending = *SPENDING,
            in_doubt = *IN_DOUBT
        ))?;
        let board = board.map(|b| b.to_string_lossy().into_owned());
        let rows = stmt
            .query_map(params![since_ms.unwrap_or(i64::MIN), board], |r| {
                Ok((
                    r.get::<_, JobId>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, f64>(6)?,
                    r.get::<_, Option<f64>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, bool>(9)?,
                    r.get::<_, bool>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(
                |(
                    id,
                    created_at,
                    board,
                    provider,
                    model,
                    phase,
                    seconds,
                    est,
                    units,
                    spending,
                    failed_unsent,
                    day,
                    project,
                )| {
                    let charged_usd = units
                        .as_deref()
                        .zip(model.as_deref())
                        .and_then(|(u, m)| units_to_usd(u, m, unit_prices));
                    let counted_usd = if spending {
                        charged_usd.or(est).unwrap_or(0.0)
                    } else {
                        0.0
                    };
                    Ok(LedgerEntry {
                        id,
                        created_at,
                        board_path: PathBuf::from(board),
                        provider: parse_provider(id, &provider)?,
                        model,
                        phase: parse_phase(id, &phase)?,
                        seconds,
                        estimated_usd: est,
                        units_charged: units,
                        charged_usd,
                        counted_usd,
                        in_doubt: spending && failed_unsent,
                        // One machine: its user's jobs, the configured account; a board
                        // outside any project ('') has no project.
                        user: None,
                        project: Some(project).filter(|p| !p.is_empty()),
                        account: None,
                        day,
                    })
                },
            )
            .collect()
    }
}

/// Today's spend and `board`'s, leaving out job `except` (one being sent now).
fn spent_before(
    conn: &Connection,
    board: &Path,
    now_ms: i64,
    unit_prices: &UnitPrices,
    except: Option<JobId>,
) -> Result<SpentSoFar, StoreError> {
    let midnight = local_midnight(conn, now_ms)?;
    Ok(SpentSoFar {
        today_usd: spent_except(conn, Some(midnight), None, unit_prices, except)?,
        board_usd: spent_except(conn, None, Some(board), unit_prices, except)?,
    })
}

fn local_midnight(conn: &Connection, now_ms: i64) -> Result<i64, StoreError> {
    let secs: i64 = conn.query_row(
        "SELECT CAST(strftime('%s', ?1 / 1000, 'unixepoch', 'localtime', 'start of day', \
         'utc') AS INTEGER)",
        params![now_ms],
        |r| r.get(0),
    )?;
    Ok(secs * 1000)
}

/// The ledger's sum, grouped by model in SQL so only one row per model comes back: a
/// model with a unit price counts its charged jobs at their units, every other job counts
/// at its estimate.
fn spent_in(
    conn: &Connection,
    since_ms: Option<i64>,
    board: Option<&Path>,
    unit_prices: &UnitPrices,
) -> Result<f64, StoreError> {
    spent_except(conn, since_ms, board, unit_prices, None)
}

fn spent_except(
    conn: &Connection,
    since_ms: Option<i64>,
    board: Option<&Path>,
    unit_prices: &UnitPrices,
    except: Option<JobId>,
) -> Result<f64, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT model, \
         TOTAL(CASE WHEN NOT {CHARGE_KNOWN} THEN estimated_usd END), \
         TOTAL(CASE WHEN {CHARGE_KNOWN} THEN CAST(trim(units_charged) AS REAL) END), \
         TOTAL(CASE WHEN {CHARGE_KNOWN} THEN estimated_usd END) \
         FROM jobs WHERE created_at >= ?1 AND (?2 IS NULL OR board_path = ?2) \
         AND id IS NOT ?3 AND {spending} GROUP BY model",
        spending = *SPENDING
    ))?;
    let board = board.map(|b| b.to_string_lossy().into_owned());
    let groups = stmt
        .query_map(params![since_ms.unwrap_or(i64::MIN), board, except], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(groups
        .into_iter()
        .map(|(model, uncharged_est, units, charged_est)| {
            let price = model.as_deref().and_then(|m| unit_price(m, unit_prices));
            uncharged_est + price.map_or(charged_est, |p| units * p)
        })
        // Not `sum()`: an empty f64 sum is -0.0, which prints as "$-0.00".
        .fold(0.0, |total, usd| total + usd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_local_midnight_and_dates_are_checked() {
        let store = Store::open_in_memory().unwrap();
        let noon = 1_700_000_000_000;
        let midnight = store.local_midnight_ms(noon).unwrap();
        assert!(midnight <= noon && noon - midnight < 86_400_000 + 3_600_000);
        assert_eq!(store.local_midnight_ms(midnight).unwrap(), midnight);
        let day = store.local_date_ms("2023-11-14").unwrap().unwrap();
        assert_eq!(store.local_midnight_ms(day + 1).unwrap(), day);
        assert_eq!(store.local_date_ms("2023-02-30").unwrap(), None);
        assert_eq!(store.local_date_ms("14.11.2023").unwrap(), None);
        let nothing = store.spent_usd(None, None, &UnitPrices::new()).unwrap();
        assert_eq!(nothing, 0.0);
        // Positive zero: an empty store's spend prints "$0.00", not "$-0.00".
        assert!(nothing.is_sign_positive(), "{nothing}");
    }

    #[test]
    fn the_sum_uses_the_created_at_index() {
        let store = Store::open_in_memory().unwrap();
        let plan: String = store
            .conn
            .query_row(
                &format!(
                    "EXPLAIN QUERY PLAN SELECT model, TOTAL(estimated_usd) FROM jobs \
                     WHERE created_at >= 5 AND {} GROUP BY model",
                    *SPENDING
                ),
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("jobs_by_created"), "{plan}");
    }
}
