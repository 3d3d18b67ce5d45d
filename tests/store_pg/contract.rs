//! The store contract (`shotdeck_store::contract`, the same bodies SQLite runs) against
//! PostgreSQL through `Arc<dyn JobStore>`, each body on a fresh schema.

use std::sync::Arc;

use shotdeck_store::JobStore;
use shotdeck_store::contract;

use crate::support;

async fn run(name: &str) {
    let Some((store, _raw)) = support::store().await else {
        return;
    };
    let store: Arc<dyn JobStore> = Arc::new(store);
    contract::run(name, store).await;
}

macro_rules! bodies {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                run(stringify!($name)).await;
            }
        )*

        #[test]
        fn every_contract_body_runs_on_postgres() {
            let here = [$(stringify!($name)),*];
            assert_eq!(here.as_slice(), contract::ALL);
        }
    };
}

bodies!(
    budget_refusal_records_nothing,
    takes_and_the_one_retry_rule,
    a_stale_owner_writes_nothing,
    invalid_transitions_are_refused,
    pages_filters_and_counts,
    cancel_takes_the_job_and_says_what_may_be_charged,
    one_keeper_per_board,
    attention_late_tasks_and_files,
    ledger_and_spend,
    the_gate_admits_only_the_lease_holder,
    two_clones_share_takes_keeper_and_retries,
    old_rows_join_their_project,
    restarting_a_missing_job_is_not_found,
    takes_are_recorded_all_or_none,
    orphans_are_claimed_once_and_only_when_old,
);
