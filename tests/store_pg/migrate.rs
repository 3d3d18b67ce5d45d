//! Migrations: idempotent, safe when machines start at once, and a newer schema refused.

use shotdeck_core::store_url::StoreUrl;
use shotdeck_store::pg::{PgError, PgOptions, PgStore, schema_version};

use crate::support::{connect, fresh_schema, raw, server};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_machines_migrating_at_once_end_at_the_latest_version() {
    let Some(server) = server() else { return };
    let schema = fresh_schema();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (server, schema) = (server.clone(), schema.clone());
            tokio::spawn(async move { connect(&server, &schema, 2).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    // And once more on a migrated schema: a no-op.
    connect(&server, &schema, 1).await;
    let client = raw(&server, &schema).await;
    let v: i32 = client
        .query_one("SELECT version FROM schema_version", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v as u32, schema_version());
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1",
            &[&schema],
        )
        .await
        .unwrap()
        .get(0);
    // accounts, engines, boards, jobs, job_events, job_files, blobs, schema_version, ledger
    assert_eq!(tables, 9);
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_alone() {
    let Some(server) = server() else { return };
    let schema = fresh_schema();
    connect(&server, &schema, 1).await;
    let client = raw(&server, &schema).await;
    client
        .execute(
            "UPDATE schema_version SET version = $1",
            &[&(schema_version() as i32 + 1)],
        )
        .await
        .unwrap();
    let url = StoreUrl::parse(&server).unwrap();
    let err = PgStore::connect(PgOptions::new(url).schema(&schema))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PgError::NewerSchema { found, known }
            if found == schema_version() + 1 && known == schema_version()),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade shotdeck"), "{err}");
    let v: i32 = client
        .query_one("SELECT version FROM schema_version", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v as u32, schema_version() + 1);
}

#[tokio::test]
async fn a_wrong_password_fails_without_showing_it() {
    let Some(server) = server() else { return };
    // A password on a trust-auth server is ignored; a bad host is what fails here, and
    // neither the error nor the store's Debug may carry the password.
    let with_pw = if server.contains("://") {
        let sep = if server.contains('?') { '&' } else { '?' };
        format!("{server}{sep}password=s3cret-pw")
    } else {
        format!("{server} password=s3cret-pw")
    };
    let url = StoreUrl::parse(&with_pw).unwrap();
    let store = PgStore::connect(PgOptions::new(url.clone()).schema(fresh_schema()))
        .await
        .unwrap();
    assert!(!format!("{store:?}").contains("s3cret-pw"));
    let bad =
        StoreUrl::parse("host=/nonexistent/dir user=postgres password=s3cret-pw connect_timeout=1")
            .unwrap();
    let err = PgStore::connect(PgOptions::new(bad)).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("s3cret-pw"), "{shown}");
}
