//! Spending limits: the user's `[budget]` and the rule that holds a new job's estimate to it.
//! The sums come from the job store's ledger; this is only the arithmetic, so the CLI, the
//! editor and the engine all refuse the same way.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[budget]` in config.toml, in USD. Every limit is optional; none set means no budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Budget {
    /// The most one job may be estimated at.
    pub per_job: Option<f64>,
    /// The most all jobs created since local midnight may add up to, the new one included.
    pub per_day: Option<f64>,
    /// The most all jobs of one board file may add up to (all time), the new one included.
    pub per_board: Option<f64>,
}

/// Kling bills in units (`final_unit_deduction`) and does not publish a unit price: the
/// user may set one per model (`[usd_per_unit]` with `kling-v3 = 0.14`). Converted figures
/// are estimates like every other price here.
pub type UnitPrices = BTreeMap<String, f64>;

/// Which limit a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    PerJob,
    PerDay,
    PerBoard,
}

impl Limit {
    pub fn key(self) -> &'static str {
        match self {
            Limit::PerJob => "per_job",
            Limit::PerDay => "per_day",
            Limit::PerBoard => "per_board",
        }
    }
}

/// What was spent (or committed) before the new job, as the ledger counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SpentSoFar {
    /// Since local midnight, every board.
    pub today_usd: f64,
    /// The new job's board, all time.
    pub board_usd: f64,
}

/// A submit the budget does not allow. `estimate_usd` is `None` when no price is
/// configured for the board: with a budget set, an unknown cost is never sent.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("{}", describe(*.limit, *.limit_usd, *.spent_usd, *.estimate_usd))]
pub struct OverBudget {
    pub limit: Limit,
    pub limit_usd: f64,
    /// Spent so far under this limit (0 for `per_job`).
    pub spent_usd: f64,
    pub estimate_usd: Option<f64>,
}

fn describe(limit: Limit, limit_usd: f64, spent: f64, estimate: Option<f64>) -> String {
    let key = limit.key();
    let Some(est) = estimate else {
        return format!(
            "budget {key} = ${limit_usd:.2} is set but this board has no price configured, \
             so its cost cannot be checked"
        );
    };
    match limit {
        Limit::PerJob => {
            format!("over budget: the estimate ${est:.2} is above {key} = ${limit_usd:.2}")
        }
        Limit::PerDay | Limit::PerBoard => {
            let scope = if limit == Limit::PerDay {
                "today"
            } else {
                "on this board"
            };
            format!(
                "over budget: ${spent:.2} spent {scope} + the estimate ${est:.2} is above \
                 {key} = ${limit_usd:.2} (estimates)"
            )
        }
    }
}

impl Budget {
    pub fn is_set(&self) -> bool {
        self.per_job.is_some() || self.per_day.is_some() || self.per_board.is_some()
    }

    /// The first limit the new job would break, checked per job, per day, per board.
    pub fn check(&self, estimate_usd: Option<f64>, spent: SpentSoFar) -> Result<(), OverBudget> {
        let limits = [
            (Limit::PerJob, self.per_job, 0.0),
            (Limit::PerDay, self.per_day, spent.today_usd),
            (Limit::PerBoard, self.per_board, spent.board_usd),
        ];
        for (limit, cap, spent_usd) in limits {
            let Some(limit_usd) = cap else { continue };
            let over = match estimate_usd {
                None => true,
                // A cent's slack: sums of float estimates must not refuse an exact fit.
                Some(est) => !fits_under(spent_usd + est, limit_usd + 1e-9),
            };
            if over {
                return Err(OverBudget {
                    limit,
                    limit_usd,
                    spent_usd,
                    estimate_usd,
                });
            }
        }
        Ok(())
    }
}

impl Budget {
    /// The first limit a batch of takes (one submit of N variants) would break: each take
    /// is one job under `per_job`, and all of them together are the new spend under
    /// `per_day` and `per_board`, so either every take fits or none is recorded. The total
    /// is unknown (`None`) when any take has no price.
    pub fn check_all(
        &self,
        estimates: &[Option<f64>],
        spent: SpentSoFar,
    ) -> Result<(), OverBudget> {
        let per_job = Budget {
            per_job: self.per_job,
            ..Budget::default()
        };
        for est in estimates {
            per_job.check(*est, spent)?;
        }
        let total = estimates.iter().try_fold(0.0, |sum, e| e.map(|e| sum + e));
        Budget {
            per_job: None,
            ..*self
        }
        .check(total, spent)
    }
}

/// Whether `usd` is at most `limit`. A figure that is not a number never fits (fails
/// closed): `$NaN` is not under any ceiling, and no sum is under a `nan` limit.
pub fn fits_under(usd: f64, limit: f64) -> bool {
    usd.partial_cmp(&limit)
        .is_some_and(|o| o != std::cmp::Ordering::Greater)
}

/// A provider's charge in units when it reads as a plain non-negative number (digits and
/// a point: the ledger's SQL applies the same rule). A negative or unreadable charge is
/// unknown (the job counts at its estimate), never a credit that lowers a sum.
pub fn charged_units(units: &str) -> Option<f64> {
    let units = units.trim();
    let plain = units.bytes().any(|b| b.is_ascii_digit())
        && units.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let value: f64 = units.parse().ok().filter(|_| plain)?;
    value.is_finite().then_some(value)
}

/// Charged units in USD when they are readable and the model's unit price is known.
pub fn units_to_usd(units: &str, model: &str, prices: &UnitPrices) -> Option<f64> {
    let price = unit_price(model, prices)?;
    charged_units(units).map(|u| u * price)
}

/// The `[usd_per_unit]` price of a job's recorded model. Jobs record the name sent on the
/// wire (`kling-3.0-turbo`), users key prices by the board's model (`kling-v3-turbo`), so
/// the recorded name is tried first and then the model-table id it is sent for; recorded
/// rows keep their names (no migration). Only finite, non-negative prices count.
pub fn unit_price(model: &str, prices: &UnitPrices) -> Option<f64> {
    let table_id = crate::models::priced_row(crate::models::MODELS, model).map(|row| row.name);
    let price = prices
        .get(model)
        .or_else(|| table_id.and_then(|id| prices.get(id)))?;
    (price.is_finite() && *price >= 0.0).then_some(*price)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_budget_allows_anything_even_unpriced() {
        let b = Budget::default();
        assert!(!b.is_set());
        assert!(b.check(None, SpentSoFar::default()).is_ok());
        assert!(b.check(Some(1e6), SpentSoFar::default()).is_ok());
    }

    #[test]
    fn each_limit_counts_its_own_spend_plus_the_estimate() {
        let b = Budget {
            per_job: Some(2.0),
            per_day: Some(5.0),
            per_board: Some(8.0),
        };
        let spent = SpentSoFar {
            today_usd: 3.5,
            board_usd: 6.5,
        };
        assert!(b.check(Some(1.5), spent).is_ok(), "exact fit is allowed");
        let e = b.check(Some(2.5), spent).unwrap_err();
        assert_eq!(e.limit, Limit::PerJob);
        let e = b.check(Some(1.6), spent).unwrap_err();
        assert_eq!((e.limit, e.spent_usd), (Limit::PerDay, 3.5));
        assert_eq!(
            e.to_string(),
            "over budget: $3.50 spent today + the estimate $1.60 is above per_day = $5.00 (estimates)"
        );
        let board_only = SpentSoFar {
            today_usd: 0.0,
            board_usd: 7.0,
        };
        let e = b.check(Some(1.5), board_only).unwrap_err();
        assert_eq!(e.limit, Limit::PerBoard);
        assert!(e.to_string().contains("on this board"), "{e}");
    }

    #[test]
    fn an_unknown_estimate_is_refused_when_a_limit_is_set() {
        let b = Budget {
            per_day: Some(100.0),
            ..Budget::default()
        };
        let e = b.check(None, SpentSoFar::default()).unwrap_err();
        assert!(e.to_string().contains("no price configured"), "{e}");
    }

    #[test]
    fn units_convert_only_with_a_price() {
        let prices = UnitPrices::from([("kling-v3".to_string(), 0.14)]);
        let usd = units_to_usd("2.5", "kling-v3", &prices).unwrap();
        assert!((usd - 0.35).abs() < 1e-9);
        assert_eq!(units_to_usd("2.5", "kling-v3-omni", &prices), None);
        assert_eq!(units_to_usd("n/a", "kling-v3", &prices), None);
    }

    #[test]
    fn a_charge_recorded_under_the_wire_name_is_priced_by_the_boards_model() {
        let prices = UnitPrices::from([("kling-v3-turbo".to_string(), 0.2)]);
        assert_eq!(units_to_usd("2", "kling-3.0-turbo", &prices), Some(0.4));
        assert_eq!(units_to_usd("2", "kling-v3-turbo", &prices), Some(0.4));
        assert_eq!(unit_price("kling-3.0-turbo", &prices), Some(0.2));
        // The recorded name's own price wins over the table id's.
        let both = UnitPrices::from([
            ("kling-v3-turbo".to_string(), 0.2),
            ("kling-3.0-turbo".to_string(), 0.3),
        ]);
        assert_eq!(unit_price("kling-3.0-turbo", &both), Some(0.3));
        assert_eq!(unit_price("other-model", &prices), None);
    }

    #[test]
    fn a_figure_that_is_not_a_number_never_fits() {
        assert!(fits_under(1.0, 1.0) && !fits_under(1.01, 1.0));
        assert!(!fits_under(f64::NAN, 0.01), "$NaN is not under --max-cost");
        let nan_limit = Budget {
            per_day: Some(f64::NAN),
            ..Budget::default()
        };
        assert!(nan_limit.check(Some(0.5), SpentSoFar::default()).is_err());
        assert_eq!(charged_units("-140"), None);
        assert_eq!(charged_units("1e9"), None);
        assert_eq!(charged_units(" 2.5 "), Some(2.5));
    }

    #[test]
    fn takes_fit_together_or_not_at_all() {
        let b = Budget {
            per_job: Some(2.0),
            per_day: Some(5.0),
            per_board: None,
        };
        let spent = SpentSoFar {
            today_usd: 1.0,
            board_usd: 0.0,
        };
        assert!(b.check_all(&[Some(1.0); 4], spent).is_ok(), "1 + 4 × 1 = 5");
        let over = b.check_all(&[Some(1.0); 5], spent).unwrap_err();
        assert_eq!(over.limit, Limit::PerDay);
        assert_eq!(over.estimate_usd, Some(5.0), "the total of the takes");
        let dear = b.check_all(&[Some(0.5), Some(2.5)], spent).unwrap_err();
        assert_eq!(dear.limit, Limit::PerJob, "each take is one job");
        let unpriced = b.check_all(&[Some(1.0), None], spent).unwrap_err();
        assert_eq!(unpriced.estimate_usd, None);
    }
}
