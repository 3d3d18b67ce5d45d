//! Connecting: the URL (kept redacted everywhere but the socket), TLS by rustls on
//! aws-lc-rs when the URL asks for it, a deadpool of connections, then the migrations.

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use shotdeck_core::store_url::StoreUrl;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{PgError, PgStore, Submitter, migrations, valid_schema};

/// The schema a team's store lives in unless told otherwise.
pub const DEFAULT_SCHEMA: &str = "shotdeck";

/// What to connect to.
#[derive(Debug, Clone)]
pub struct PgOptions {
    pub url: StoreUrl,
    /// A plain lower-case identifier (tests use one per test).
    pub schema: String,
    /// Connections in the pool (the listener has one more of its own).
    pub pool_size: usize,
    /// The Kling account this machine's jobs go to (a label, never a secret): created
    /// with `max_in_flight` slots when the store has no such account yet.
    pub account: String,
    pub max_in_flight: i32,
    /// Who records jobs through this store (shown beside each job on every machine).
    pub submitter: Submitter,
}

/// The account a store uses unless told otherwise.
pub const DEFAULT_ACCOUNT: &str = "default";

impl PgOptions {
    pub fn new(url: StoreUrl) -> Self {
        PgOptions {
            url,
            schema: DEFAULT_SCHEMA.to_string(),
            pool_size: 8,
            account: DEFAULT_ACCOUNT.to_string(),
            // Kling's smallest plans allow a handful of tasks at once.
            max_in_flight: 3,
            submitter: Submitter::of_this_process(),
        }
    }

    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = account.into();
        self
    }

    pub fn submitter(mut self, submitter: Submitter) -> Self {
        self.submitter = submitter;
        self
    }

    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    pub fn pool_size(mut self, n: usize) -> Self {
        self.pool_size = n.max(1);
        self
    }
}

/// Everything needed to open one more connection (the listener's), password included:
/// never printed (no `Debug`).
pub(super) struct Target {
    pub(super) url: StoreUrl,
    pub(super) pg: tokio_postgres::Config,
    pub(super) tls: MakeRustlsConnect,
}

impl PgStore {
    /// Connects, brings the schema up to date (refusing a newer one) and returns the store.
    pub async fn connect(options: PgOptions) -> Result<PgStore, PgError> {
        let config_error = |reason: String| PgError::Config {
            url: options.url.redacted(),
            reason,
        };
        if !valid_schema(&options.schema) {
            return Err(config_error(format!(
                "schema {:?} is not a plain lower-case name",
                options.schema
            )));
        }
        let writer = writer_id(&options.submitter.host);
        let pg = pg_config(&options.url, &options.schema, &writer).map_err(config_error)?;
        let tls = MakeRustlsConnect::new(tls_config().map_err(config_error)?);
        let manager = Manager::from_config(
            pg.clone(),
            tls.clone(),
            ManagerConfig {
                // A pooled connection is checked by its state only; a dead one fails its
                // next query and the caller retries the transaction.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size)
            .build()
            .map_err(|e| config_error(e.to_string()))?;
        let store = PgStore {
            pool,
            schema: options.schema.clone(),
            account: options.account.clone(),
            submitter: options.submitter.clone(),
            feed: Arc::default(),
            writer: writer.into(),
            target: Arc::new(Target {
                url: options.url,
                pg,
                tls,
            }),
        };
        let mut client = store.pool.get().await?;
        migrations::migrate(&mut client, &store.schema).await?;
        client
            .execute(
                "INSERT INTO accounts (id, max_in_flight) VALUES ($1, $2) \
                 ON CONFLICT (id) DO NOTHING",
                &[&options.account, &options.max_in_flight.max(1)],
            )
            .await?;
        Ok(store)
    }
}

/// This store's name in its writes' notifications (see `feed.rs`): unique per connect, so
/// clones share it and another process (or another connect in this one) never does.
fn writer_id(host: &str) -> String {
    static CONNECTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = CONNECTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let seed = format!("{host}:{}:{nanos}:{n}", std::process::id());
    // Hex only: it goes into the connection's options unquoted.
    crate::sha256_hex(seed.as_bytes())[..24].to_string()
}

/// The tokio-postgres config for `url`, every session on `schema` and naming `writer`.
///
/// `sslmode=verify-full` / `verify-ca` (libpq's names) read as `require`: rustls always
/// checks the certificate chain and the host name, so `require` here is already
/// `verify-full`. Without `require`, TLS is off (a unix socket never uses it).
fn pg_config(url: &StoreUrl, schema: &str, writer: &str) -> Result<tokio_postgres::Config, String> {
    let text = url
        .expose_secret()
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    // tokio-postgres's parse errors name an option at most, never a value.
    let mut pg: tokio_postgres::Config =
        text.parse().map_err(
            |e: tokio_postgres::Error| match std::error::Error::source(&e) {
                Some(why) => format!("{e}: {why}"),
                None => e.to_string(),
            },
        )?;
    if pg.get_ssl_mode() != SslMode::Require {
        pg.ssl_mode(SslMode::Disable);
    }
    if pg.get_application_name().is_none() {
        pg.application_name("shotdeck");
    }
    pg.options(format!(
        "-c search_path={schema} -c shotdeck.writer={writer}"
    ));
    Ok(pg)
}

/// rustls with the aws-lc-rs provider (the one reqwest uses here) and the platform's
/// certificate verifier.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("TLS: {e}"))?;
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_require_and_verify_full_use_tls_and_everything_else_does_not() {
        let mode = |s: &str| {
            pg_config(&StoreUrl::parse(s).unwrap(), "x", "w")
                .unwrap()
                .get_ssl_mode()
        };
        assert_eq!(mode("postgres://db/x?sslmode=require"), SslMode::Require);
        assert_eq!(
            mode("postgres://db/x?sslmode=verify-full"),
            SslMode::Require
        );
        assert_eq!(mode("host=db sslmode=verify-ca"), SslMode::Require);
        assert_eq!(mode("postgres://db/x"), SslMode::Disable);
        assert_eq!(mode("host=/tmp/pg user=postgres"), SslMode::Disable);
        assert!(tls_config().is_ok());
    }

    #[test]
    fn a_bad_option_is_named_without_the_password() {
        let url = StoreUrl::parse("host=db password=s3cret sslmode=sometimes").unwrap();
        let e = pg_config(&url, "x", "w").unwrap_err();
        assert!(e.contains("sslmode") && !e.contains("s3cret"), "{e}");
        // The URL form's parser says less, and still nothing of the password.
        let url = StoreUrl::parse("postgres://me:s3cret@db/x?sslmode=sometimes").unwrap();
        let e = pg_config(&url, "x", "w").unwrap_err();
        assert!(!e.is_empty() && !e.contains("s3cret"), "{e}");
    }
}
