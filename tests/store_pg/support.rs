//! One fresh schema per test, a raw client on it for setting up and inspecting, and jobs.

use std::time::Duration;

use shotdeck_core::budget::Budget;
use shotdeck_core::store_url::StoreUrl;
use shotdeck_store::pg::{BoardKey, Inserted, PgNewJob, PgOptions, PgStore, Submitter};

pub const LEASE: Duration = Duration::from_secs(30);
pub const GRACE: Duration = Duration::from_secs(120);

/// The server's connection string, or `None` (skip) when none is configured and none is
/// required.
pub fn server() -> Option<String> {
    match std::env::var("SHOTDECK_TEST_PG") {
        Ok(s) if !s.trim().is_empty() => Some(s),
        _ => {
            assert!(
                std::env::var("SHOTDECK_REQUIRE_PG").as_deref() != Ok("1"),
                "SHOTDECK_REQUIRE_PG=1 but SHOTDECK_TEST_PG is not set"
            );
            eprintln!("skipped: SHOTDECK_TEST_PG is not set (bash .ci/pg-ephemeral.sh …)");
            None
        }
    }
}

pub fn fresh_schema() -> String {
    format!("t_{}", uuid::Uuid::new_v4().simple())
}

/// A migrated store on a schema of its own, and a raw client on the same schema.
pub async fn store() -> Option<(PgStore, tokio_postgres::Client)> {
    let server = server()?;
    let schema = fresh_schema();
    let store = connect(&server, &schema, 12).await;
    Some((store, raw(&server, &schema).await))
}

pub async fn connect(server: &str, schema: &str, pool: usize) -> PgStore {
    let url = StoreUrl::parse(server).expect("SHOTDECK_TEST_PG");
    PgStore::connect(PgOptions::new(url).schema(schema).pool_size(pool))
        .await
        .expect("connect to SHOTDECK_TEST_PG")
}

pub async fn raw(server: &str, schema: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .expect("raw connection");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("SET search_path = {schema}"))
        .await
        .unwrap();
    client
}

pub fn job(n: usize, account: &str, board: &str) -> PgNewJob {
    PgNewJob {
        board: BoardKey {
            project_root: "proj-1".into(),
            rel_path: board.into(),
        },
        board_title: "Noir opening".into(),
        board_json: "{}".into(),
        account: account.into(),
        provider: "kling".into(),
        model: Some("kling-v3".into()),
        request_json: "{}".into(),
        external_task_id: format!("shotdeck-{}", uuid::Uuid::new_v4().simple()),
        seconds: 5.0,
        slot_weight: 1,
        estimated_usd: Some(1.0),
        retry_of: None,
        submitted_by: Submitter {
            user: format!("user{}", n % 2),
            host: "host-a".into(),
        },
    }
}

pub async fn insert(store: &PgStore, job: &PgNewJob) -> Inserted {
    store
        .insert_within_budget(job, &Budget::default())
        .await
        .unwrap()
        .unwrap()
}

/// `n` queued jobs on `account` (limit `limit`), created in order one millisecond apart.
pub async fn queued(store: &PgStore, account: &str, limit: i32, n: usize) -> Vec<i64> {
    store
        .upsert_account(account, limit, None, "UTC")
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(insert(store, &job(i, account, "a.json")).await.id);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    ids
}
