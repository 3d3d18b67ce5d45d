//! Contract bodies for one submit of N takes (see the parent module).

use std::sync::Arc;

use shotdeck_core::budget::{Budget, Limit, UnitPrices};

use super::{A, LONG, insert, job};
use crate::JobStore;

/// N takes of a board are recorded together with consecutive take numbers, each under its
/// own key; when the budget cannot hold all N, none is recorded (a per-board limit that one
/// more take would break refuses the whole batch).
pub async fn takes_are_recorded_all_or_none(s: Arc<dyn JobStore>) {
    let first = insert(&*s, job("v0", "/v.json", 1.0), LONG).await;
    assert_eq!(first.take, 1);
    let budget = Budget {
        per_board: Some(4.0),
        ..Budget::default()
    };
    let four = (1..=4)
        .map(|i| job(&format!("v{i}"), "/v.json", 1.0))
        .collect();
    let refused = s
        .insert_takes_within_budget(four, budget, UnitPrices::new(), A, LONG, 2)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.limit, Limit::PerBoard);
    assert_eq!(refused.estimate_usd, Some(4.0), "the four takes together");
    assert_eq!(refused.spent_usd, 1.0);
    assert_eq!(s.counts().await.unwrap().of(None), 1, "none of the four");
    let three = (1..=3)
        .map(|i| job(&format!("w{i}"), "/v.json", 1.0))
        .collect();
    let views = s
        .insert_takes_within_budget(three, budget, UnitPrices::new(), A, LONG, 3)
        .await
        .unwrap()
        .unwrap();
    let takes: Vec<u32> = views.iter().map(|v| v.take).collect();
    assert_eq!(
        takes,
        [2, 3, 4],
        "numbered after the board's first take, in order"
    );
    let keys: Vec<&str> = views.iter().map(|v| v.external_task_id.as_str()).collect();
    assert_eq!(keys, ["w1", "w2", "w3"]);
    assert_eq!(s.counts().await.unwrap().of(None), 4);
}
