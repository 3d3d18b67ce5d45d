//! The account a shared store sends to, as `shotdeck account` shows and changes it: its
//! concurrency limit (and a lowered one while it lasts), the hold-off after a rate limit,
//! the team's day budget and time zone, and the slots in use now.

/// This process's user (`$USER`, `$LOGNAME`, `$USERNAME`): who submits from here.
pub fn local_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// The account row and what is in flight on it, read in one statement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccountView {
    pub name: String,
    pub max_in_flight: i64,
    /// A lower limit in force after a 1303 we did not foresee, and until when (Unix ms).
    pub lowered_limit: Option<i64>,
    pub lowered_until: Option<i64>,
    /// Nobody sends to the account before this (Unix ms), after a 1302 / 429.
    pub hold_off_until: Option<i64>,
    /// The team's daily limit, on top of each machine's `[budget] per_day`.
    pub day_budget_usd: Option<f64>,
    /// The team's "today" for the day budget and `spend --by day`.
    pub tz: String,
    /// Slots its in-flight jobs hold now, and slots its queued jobs wait for.
    pub slots_in_use: i64,
    pub queued: i64,
}

/// What `shotdeck account set` changes; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountChange {
    pub max_in_flight: Option<i64>,
    /// `Some(None)` clears the day budget.
    pub day_budget_usd: Option<Option<f64>>,
    pub tz: Option<String>,
}

/// The largest `max_in_flight` accepted: far above any Kling plan, low enough that a typo
/// (an extra zero or two) is caught.
pub const MAX_IN_FLIGHT_LIMIT: i64 = 1000;

/// The largest day budget accepted, in USD (a typo guard like [`MAX_IN_FLIGHT_LIMIT`]).
pub const DAY_BUDGET_LIMIT_USD: f64 = 1_000_000.0;

/// Why an account change was refused; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A value out of range: names the field and the limit.
    #[error("{field}: {why}; nothing was changed")]
    Invalid { field: &'static str, why: String },
    /// The store keeps no account (the local SQLite store: one machine).
    #[error(
        "the local job store (SQLite) keeps no shared account: there is no concurrency limit to \
         change (one machine's engine sends as the provider allows), and the day budget is \
         [budget] per_day in config.toml; point SHOTDECK_STORE_URL at the team's PostgreSQL \
         to share one; nothing was changed"
    )]
    NoAccount,
    #[error(transparent)]
    Store(#[from] crate::StoreError),
}

impl AccountChange {
    /// Checks the numbers (the time zone is the database's to check); the first bad field.
    pub fn validate(&self) -> Result<(), AccountError> {
        if let Some(n) = self.max_in_flight
            && !(1..=MAX_IN_FLIGHT_LIMIT).contains(&n)
        {
            return Err(AccountError::Invalid {
                field: "max_in_flight",
                why: format!("must be from 1 to {MAX_IN_FLIGHT_LIMIT} tasks at once (got {n})"),
            });
        }
        if let Some(Some(usd)) = self.day_budget_usd
            && !(usd.is_finite() && (0.0..=DAY_BUDGET_LIMIT_USD).contains(&usd))
        {
            return Err(AccountError::Invalid {
                field: "day_budget",
                why: format!(
                    "must be a number of US dollars from 0 to {DAY_BUDGET_LIMIT_USD:.0} (got {usd})"
                ),
            });
        }
        if let Some(tz) = &self.tz {
            let plain = !tz.is_empty()
                && tz.len() <= 64
                && tz
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
            if !plain {
                return Err(AccountError::Invalid {
                    field: "tz",
                    why: format!(
                        "must be an IANA time zone name such as Europe/Paris, at most 64 \
                         characters (got {tz:?})"
                    ),
                });
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == AccountChange::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_value_names_its_field_and_limit() {
        let bad = |c: AccountChange| c.validate().unwrap_err().to_string();
        let e = bad(AccountChange {
            max_in_flight: Some(0),
            ..Default::default()
        });
        assert!(
            e.starts_with("max_in_flight: must be from 1 to 1000"),
            "{e}"
        );
        let e = bad(AccountChange {
            max_in_flight: Some(1001),
            ..Default::default()
        });
        assert!(e.contains("(got 1001)"), "{e}");
        for usd in [-1.0, f64::NAN, 2e6] {
            let e = bad(AccountChange {
                day_budget_usd: Some(Some(usd)),
                ..Default::default()
            });
            assert!(e.starts_with("day_budget: must be"), "{e}");
        }
        let e = bad(AccountChange {
            tz: Some("Europe/Paris; DROP".into()),
            ..Default::default()
        });
        assert!(e.starts_with("tz: must be an IANA"), "{e}");
        let fine = AccountChange {
            max_in_flight: Some(1000),
            day_budget_usd: Some(None),
            tz: Some("America/Argentina/Buenos_Aires".into()),
        };
        assert!(fine.validate().is_ok());
    }
}
