//! Today's spend, reported beside the engine loop: the loop only pings (a job appeared,
//! changed phase or was charged) and never waits for the sum. Pings that pile up while a
//! sum runs are answered by one sum; the task ends with the loop (its sender dropped).
//! The pings' channel holds one: a ping that finds it full is already answered by the sum
//! it waits for. The sum itself waits for room in the events channel (this task has nothing
//! else to do, and the loop never waits for it). Sums are at least [`GAP`] apart: on a
//! team's store every phase change of every engine's job pings, and each sum reads the
//! day's jobs; the pings of a gap are answered by one sum at its end.

use tokio::sync::mpsc;

use shotdeck_core::budget::UnitPrices;
use shotdeck_core::jobs::JobEvent;
use std::sync::Arc;

use shotdeck_store::{JobStore, now_ms};

/// Least time between two sums (the figure shown, never the budget's check, which the
/// store makes in the submit's own transaction).
const GAP: std::time::Duration = std::time::Duration::from_millis(250);

/// Starts the reporter; it sends one `JobEvent::Spend` at once and one after each burst
/// of pings.
pub(super) fn start(
    store: Arc<dyn JobStore>,
    unit_prices: UnitPrices,
    events: mpsc::Sender<JobEvent>,
) -> mpsc::Sender<()> {
    let (tx, mut rx) = mpsc::channel::<()>(1);
    let _ = tx.try_send(());
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            while rx.try_recv().is_ok() {}
            let today = store.spent_today(now_ms(), unit_prices.clone()).await;
            match today {
                Ok(today_usd) => {
                    if events.send(JobEvent::Spend { today_usd }).await.is_err() {
                        break;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not sum today's spend"),
            }
            tokio::time::sleep(GAP).await;
        }
    });
    tx
}
