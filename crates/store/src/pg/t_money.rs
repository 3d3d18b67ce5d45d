//! The trait's money on PostgreSQL: the ledger's rule is SQLite's (a job counts unless it
//! failed before the provider gave it a task id, creates in doubt still count; a charge
//! in units counts at the model's unit price when known), and "today" starts at midnight
//! in the account's time zone (the team's), computed by the server.

use std::path::PathBuf;

use tokio_postgres::GenericClient;

use super::PgStore;
use crate::{LedgerEntry, StoreError};
use shotdeck_core::budget::{SpentSoFar, UnitPrices, unit_price, units_to_usd};
use shotdeck_core::jobs::{CANCELLED_IN_DOUBT_CODE, JobId, JobPhase, LOST_CODE};

/// Failed rows without a task that still count: creates in doubt.
const IN_DOUBT: InDoubt = InDoubt;

/// `(phase = 'failed' AND task_id IS NULL)`, printed inline in a query.
struct InDoubt;

impl std::fmt::Display for InDoubt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "(phase = {} AND task_id IS NULL)",
            super::Lit(JobPhase::Failed)
        )
    }
}

fn spending() -> String {
    format!(
        "NOT ({IN_DOUBT} AND coalesce(error_code, '') NOT IN ('{LOST_CODE}', '{CANCELLED_IN_DOUBT_CODE}'))"
    )
}

/// A charge that reads as a plain non-negative number (`budget::charged_units`' rule).
const CHARGE_KNOWN: &str =
    "coalesce(trim(units_charged) ~ '^[0-9]*\\.?[0-9]*$' AND trim(units_charged) ~ '[0-9]', false)";

impl PgStore {
    /// Unix ms of midnight, in the account's zone, of the day holding `now`.
    async fn midnight<C: GenericClient + Sync>(&self, c: &C, now: i64) -> Result<i64, StoreError> {
        let row = c
            .query_one(
                "SELECT (extract(epoch FROM date_trunc('day', to_timestamp($1::float8 / 1000) \
                 AT TIME ZONE a.tz) AT TIME ZONE a.tz) * 1000)::int8 FROM accounts a WHERE a.id = $2",
                &[&(now as f64), &self.account],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Today's spend and `board`'s, leaving out job `except` (one being sent now).
    pub(super) async fn spent_before<C: GenericClient + Sync>(
        &self,
        c: &C,
        board: &str,
        now: i64,
        prices: &UnitPrices,
        except: Option<JobId>,
    ) -> Result<SpentSoFar, StoreError> {
        let midnight = self.midnight(c, now).await?;
        Ok(SpentSoFar {
            today_usd: spent(c, Some(midnight), None, prices, except).await?,
            board_usd: spent(c, None, Some(board), prices, except).await?,
        })
    }

    pub(super) async fn spent_today_t(
        &self,
        now: i64,
        prices: UnitPrices,
    ) -> Result<f64, StoreError> {
        let client = self.pool.get().await?;
        let c: &tokio_postgres::Client = &client;
        let midnight = self.midnight(c, now).await?;
        spent(c, Some(midnight), None, &prices, None).await
    }

    pub(super) async fn local_date_t(&self, date: &str) -> Result<Option<i64>, StoreError> {
        if !is_calendar_date(date) {
            return Ok(None);
        }
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT (extract(epoch FROM $1::text::date::timestamp AT TIME ZONE a.tz) \
                 * 1000)::int8 FROM accounts a WHERE a.id = $2",
                &[&date, &self.account],
            )
            .await?;
        Ok(Some(row.get(0)))
    }

    pub(super) async fn ledger_t(
        &self,
        since: Option<i64>,
        board: Option<PathBuf>,
        prices: UnitPrices,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let client = self.pool.get().await?;
        let board = board.map(|b| b.to_string_lossy().into_owned());
        // The day in the account's zone, as "today" is counted for its budget.
        let rows = client
            .query(
                &format!(
                    "SELECT j.id, j.created_ms, j.board_path, j.provider, j.model, j.phase, \
                     j.seconds, j.estimated_usd, j.units_charged, {spending}, {IN_DOUBT}, \
                     j.submitted_by_user, b.project_root, j.account_id, \
                     to_char(to_timestamp(j.created_ms / 1000.0) AT TIME ZONE a.tz, 'YYYY-MM-DD') \
                     FROM jobs j JOIN boards b ON b.id = j.board_id \
                     JOIN accounts a ON a.id = j.account_id \
                     WHERE j.created_ms >= $1 AND ($2::text IS NULL OR j.board_path = $2) \
                     ORDER BY j.id",
                    spending = spending()
                ),
                &[&since.unwrap_or(i64::MIN), &board],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let id: JobId = r.get(0);
                let model: Option<String> = r.get(4);
                let units: Option<String> = r.get(8);
                let est: Option<f64> = r.get(7);
                let counts: bool = r.get(9);
                let charged_usd = units
                    .as_deref()
                    .zip(model.as_deref())
                    .and_then(|(u, m)| units_to_usd(u, m, &prices));
                let provider: String = r.get(3);
                Ok(LedgerEntry {
                    id,
                    created_at: r.get(1),
                    board_path: PathBuf::from(r.get::<_, String>(2)),
                    provider: provider.parse().map_err(|reason| StoreError::Corrupt {
                        id,
                        field: "provider",
                        reason,
                    })?,
                    model,
                    phase: super::parse_phase(id, r.get(5))?,
                    seconds: r.get(6),
                    estimated_usd: est,
                    units_charged: units,
                    charged_usd,
                    counted_usd: if counts {
                        charged_usd.or(est).unwrap_or(0.0)
                    } else {
                        0.0
                    },
                    in_doubt: counts && r.get::<_, bool>(10),
                    user: Some(r.get(11)),
                    // '' for a board outside any project (known by its absolute path).
                    project: Some(r.get::<_, String>(12)).filter(|p| !p.is_empty()),
                    account: Some(r.get(13)),
                    day: r.get(14),
                })
            })
            .collect()
    }
}

/// The ledger's sum since `since` (all time when `None`), on one board or all, grouped by
/// model in SQL so one row per model comes back.
async fn spent<C: GenericClient + Sync>(
    c: &C,
    since: Option<i64>,
    board: Option<&str>,
    prices: &UnitPrices,
    except: Option<JobId>,
) -> Result<f64, StoreError> {
    let sql = format!(
        "SELECT model, \
         coalesce(sum(CASE WHEN NOT {CHARGE_KNOWN} THEN estimated_usd END), 0)::float8, \
         coalesce(sum(CASE WHEN {CHARGE_KNOWN} THEN trim(units_charged)::float8 END), 0)::float8, \
         coalesce(sum(CASE WHEN {CHARGE_KNOWN} THEN estimated_usd END), 0)::float8 \
         FROM jobs WHERE created_ms >= $1 AND ($2::text IS NULL OR board_path = $2) \
         AND id IS DISTINCT FROM $3 AND {spending} GROUP BY model",
        spending = spending()
    );
    let rows = c
        .query(&sql, &[&since.unwrap_or(i64::MIN), &board, &except])
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let model: Option<String> = r.get(0);
            let (uncharged_est, units, charged_est): (f64, f64, f64) =
                (r.get(1), r.get(2), r.get(3));
            let price = model.as_deref().and_then(|m| unit_price(m, prices));
            uncharged_est + price.map_or(charged_est, |p| units * p)
        })
        // Not `sum()`: an empty f64 sum is -0.0, which prints as "$-0.00".
        .fold(0.0, |total, usd| total + usd))
}

/// `YYYY-MM-DD` naming a day that exists.
fn is_calendar_date(date: &str) -> bool {
    let b = date.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return false;
    }
    let num = |r: std::ops::Range<usize>| date[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    y > 0 && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_days_that_exist_are_dates() {
        for ok in ["2023-11-14", "2024-02-29", "2000-02-29"] {
            assert!(super::is_calendar_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2023-13-01",
            "2023-04-31",
            "14.11.2023",
            "",
        ] {
            assert!(!super::is_calendar_date(bad), "{bad}");
        }
    }
}
