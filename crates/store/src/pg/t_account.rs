//! The account row as `shotdeck account` reads and writes it: one statement reads the row
//! with the slots in flight and queued; a change is checked (the time zone against the
//! server's own list, so "today" can always be computed) and written under the row's lock,
//! the lock every gate decision and insert takes first.

use tokio_postgres::GenericClient;

use super::{IN_FLIGHT, Lit, PgStore};
use crate::{AccountChange, AccountError, AccountView, StoreError};
use shotdeck_core::jobs::JobPhase;

impl PgStore {
    pub(super) async fn account_t(&self) -> Result<Option<AccountView>, StoreError> {
        let client = self.pool.get().await?;
        account_view(&**client, &self.account).await
    }

    pub(super) async fn set_account_t(
        &self,
        change: AccountChange,
    ) -> Result<AccountView, AccountError> {
        change.validate()?;
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        if let Some(tz) = &change.tz {
            let known: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)",
                    &[tz],
                )
                .await
                .map_err(StoreError::from)?
                .get(0);
            if !known {
                return Err(AccountError::Invalid {
                    field: "tz",
                    why: format!(
                        "{tz:?} is not a time zone the database knows (an IANA name such as \
                         Europe/Paris)"
                    ),
                });
            }
        }
        let max = change.max_in_flight.map(|n| n as i32);
        let (set_budget, budget) = match change.day_budget_usd {
            Some(b) => (true, b),
            None => (false, None),
        };
        tx.execute(
            "UPDATE accounts SET max_in_flight = coalesce($2, max_in_flight), \
             day_budget_usd = CASE WHEN $3 THEN $4 ELSE day_budget_usd END, \
             tz = coalesce($5, tz) WHERE id = $1",
            &[&self.account, &max, &set_budget, &budget, &change.tz],
        )
        .await
        .map_err(StoreError::from)?;
        let view = account_view(&*tx, &self.account)
            .await?
            .ok_or_else(|| StoreError::from(super::PgError::NoAccount(self.account.clone())))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(view)
    }
}

/// The account `id` now: a lowered limit and a hold-off only while they last.
async fn account_view<C: GenericClient + Sync>(
    c: &C,
    id: &str,
) -> Result<Option<AccountView>, StoreError> {
    let ms = |col: &str| format!("(extract(epoch FROM {col}) * 1000)::int8");
    let sql = format!(
        "SELECT a.id, a.max_in_flight::int8, \
         CASE WHEN a.lowered_until > now() THEN a.lowered_limit::int8 END, \
         CASE WHEN a.lowered_until > now() THEN {lowered} END, \
         CASE WHEN a.hold_off_until > now() THEN {hold} END, \
         a.day_budget_usd, a.tz, \
         (SELECT coalesce(sum(slot_weight), 0) FROM jobs \
           WHERE account_id = a.id AND phase IN {IN_FLIGHT})::int8, \
         (SELECT coalesce(sum(slot_weight), 0) FROM jobs \
           WHERE account_id = a.id AND phase = {queued} AND NOT stalled)::int8 \
         FROM accounts a WHERE a.id = $1",
        lowered = ms("a.lowered_until"),
        hold = ms("a.hold_off_until"),
        queued = Lit(JobPhase::Queued),
    );
    let row = c.query_opt(&sql, &[&id]).await?;
    Ok(row.map(|r| AccountView {
        name: r.get(0),
        max_in_flight: r.get(1),
        lowered_limit: r.get(2),
        lowered_until: r.get(3),
        hold_off_until: r.get(4),
        day_budget_usd: r.get(5),
        tz: r.get(6),
        slots_in_use: r.get(7),
        queued: r.get(8),
    }))
}
