//! Which job store an engine test runs on: SQLite in the harness's temp folder, or a fresh
//! schema of the PostgreSQL server `SHOTDECK_TEST_PG` names (`.ci/pg-ephemeral.sh` starts
//! a throwaway one). Without that server PostgreSQL runs skip, unless
//! `SHOTDECK_REQUIRE_PG=1` (CI), where they fail.

use std::path::Path;
use std::sync::Arc;

use shotdeck::engine::store::JobStore;
use shotdeck::engine::store::pg::{PgOptions, PgStore, Submitter};
use shotdeck_core::store_url::StoreUrl;

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres { server: String, schema: String },
}

impl Backend {
    /// A fresh schema on the test server, or `None` when there is none and none is
    /// required (the caller skips).
    pub fn postgres() -> Option<Backend> {
        match std::env::var("SHOTDECK_TEST_PG") {
            Ok(server) if !server.trim().is_empty() => Some(Backend::Postgres {
                server,
                schema: format!("t_{}", uuid::Uuid::new_v4().simple()),
            }),
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

    /// The store as one more process (or machine) holds it: its own SQLite connection, or
    /// its own connection pool, as `host`.
    pub async fn open(&self, sqlite: &Path, host: &str) -> Arc<dyn JobStore> {
        match self {
            Backend::Sqlite => shotdeck::engine::store::open(sqlite).unwrap(),
            Backend::Postgres { server, schema } => {
                let url = StoreUrl::parse(server).expect("SHOTDECK_TEST_PG");
                let submitter = Submitter {
                    user: format!("user-{host}"),
                    host: host.to_string(),
                };
                let options = PgOptions::new(url)
                    .schema(schema)
                    .pool_size(4)
                    .submitter(submitter);
                Arc::new(PgStore::connect(options).await.expect("SHOTDECK_TEST_PG"))
            }
        }
    }
}

/// Defines `mod $name { sqlite, postgres }`: the async fn `$body(Backend)` run once on each
/// store (the PostgreSQL run skips as [`Backend::postgres`] says).
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:path) => {
        mod $name {
            use $crate::support::Backend;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body(Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(backend) = Backend::postgres() {
                    $body(backend).await
                }
            }
        }
    };
}
