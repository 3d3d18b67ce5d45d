//! `shotdeck doctor [--provider P]`: one cheap authenticated call, then a diagnosis of what
//! stands between this machine and an accepted submit, one line per check with its fix.
//!
//! The official API is asked for its newest text2video task (`pageSize=1`): it needs a valid
//! credential, costs nothing and uses no concurrency slot ("query interfaces do not consume
//! concurrency", Kling's rate-limit page). A refused key is tried once on the other region's
//! host, and only then, to tell a wrong region from a wrong key. A gateway is asked for a
//! task id that cannot exist: a 404 means the key passed, a 401 that it did not. No key is
//! ever printed: errors name variables and files, never values.

use std::process::ExitCode;
use std::time::SystemTime;

use reqwest::Url;

#[path = "doctor_v2.rs"]
mod v2;

use super::ProviderArg;
use super::out::outln;
use crate::app::provider_settings;
use crate::app::runtime::{self, Flavor};
use crate::core::{Board, PlaceholderImages, Provider, compose, printable};
use crate::providers::{Client, KLING_BASE_ENV, KlingClient, Probe, ProviderError};

/// Overrides the "other region" host tried when a key is refused (tests point it at a
/// second local mock; users never need it).
pub(super) const OTHER_REGION_ENV: &str = "KLING_API_BASE_OTHER_REGION";
const SINGAPORE: &str = "https://api-singapore.klingai.com";
const BEIJING: &str = "https://api-beijing.klingai.com";
/// The kind whose list is read: every account has the text2video route.
const PROBE_PATH: &str = "/v1/videos/text2video";
/// A gateway task id no gateway has issued.
const MADE_UP_TASK: &str = "shotdeck-doctor-no-such-task";

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub provider: ProviderArg,
    /// Seconds to wait for each answer (a silent server is a network failure after this,
    /// not the 120 s a submit waits).
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT_SECS, value_parser = timeout_secs)]
    pub timeout: f64,
}

/// A diagnosis is a few cheap calls: a server silent this long will not answer.
pub(super) const DEFAULT_TIMEOUT_SECS: f64 = 10.0;

fn timeout_secs(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 600.0 => Ok(v),
        _ => Err(format!(
            "--timeout: {s:?} is not a number of seconds from 0 to 600"
        )),
    }
}

/// One line of the report.
#[derive(Debug, PartialEq)]
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
    fix: Option<String>,
}

impl Check {
    fn ok(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            ok: true,
            detail: detail.into(),
            fix: None,
        }
    }

    fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name,
            ok: false,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

pub(super) fn run(args: DoctorArgs) -> ExitCode {
    let config = super::load_config();
    let provider = args.provider.resolve(&config);
    let route = config.profiles.kling.route;
    let mut settings = provider_settings(&config);
    settings.request_timeout = std::time::Duration::from_secs_f64(args.timeout);
    runtime::block_on(Flavor::CurrentThread, async move {
        let env = |name: &str| std::env::var(name).ok();
        let mut checks = match Client::from_env(provider, &settings) {
            Err(e) => vec![Check::fail(
                "setup",
                e.to_string(),
                "provide the keys or base URL named above",
            )],
            Ok(Client::Kling(c)) => {
                let mut checks = kling(&c, &env).await;
                checks.extend(v2::check(&c, route).await);
                checks
            }
            Ok(client @ Client::Gateway(_)) => gateway(&client).await,
        };
        checks.push(match crate::app::store::check(&config).await {
            Ok(detail) => Check::ok("store", detail),
            Err(why) => Check::fail(
                "store",
                why,
                "check SHOTDECK_STORE_URL / [store] url and that the database is reachable",
            ),
        });
        for c in &checks {
            let mark = if c.ok { "ok  " } else { "FAIL" };
            // Details quote the provider's answers: escaped, never acted on.
            let detail = printable(&c.detail);
            match &c.fix {
                Some(fix) => outln!("{mark} {}: {detail} — fix: {}", c.name, printable(fix)),
                None => outln!("{mark} {}: {detail}", c.name),
            }
        }
        if checks.iter().all(|c| c.ok) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}

async fn kling(c: &KlingClient, env: &dyn Fn(&str) -> Option<String>) -> Vec<Check> {
    let mut checks = vec![
        Check::ok("keys", format!("using the {}", c.auth_kind())),
        Check::ok("endpoint", c.base().as_str().to_string()),
    ];
    let probe = match c.probe(None, PROBE_PATH).await {
        Ok(p) => p,
        Err(e) => {
            checks.push(network(&e));
            return checks;
        }
    };
    checks.push(Check::ok(
        "network",
        format!("{} answered HTTP {}", c.base(), probe.status),
    ));
    let refused = match probe.result {
        Ok(_) => {
            checks.push(Check::ok("key", "accepted"));
            return checks;
        }
        Err(e) => e,
    };
    let code = refused.code().and_then(|c| c.parse::<i64>().ok());
    checks.push(match (&refused, code) {
        (ProviderError::Auth { .. }, Some(1003 | 1004)) => {
            clock_skew(&refused, probe.server_date, SystemTime::now())
        }
        (ProviderError::Auth { .. }, Some(1103)) => Check::fail(
            "access",
            refused.to_string(),
            "this account may not use this API or model: enable it (or buy its resource \
             pack) in the Kling developer console",
        ),
        (ProviderError::Auth { .. }, Some(1304)) => Check::fail(
            "ip",
            refused.to_string(),
            "add this machine's public IP to the key's allow-list in the Kling console",
        ),
        (ProviderError::Auth { .. }, _) => wrong_key_or_region(c, &refused, env).await,
        (ProviderError::Balance { .. }, _) => Check::fail(
            "balance",
            refused.to_string(),
            "top up the account or buy a resource pack; submits are refused until then",
        ),
        (ProviderError::RateLimited { .. }, _) => Check::ok(
            "key",
            format!("accepted (the API is rate-limiting right now: {refused})"),
        ),
        (ProviderError::Server { .. }, _) => Check::fail(
            "service",
            refused.to_string(),
            "the Kling API reports a server problem: try again later",
        ),
        _ => Check::fail(
            "answer",
            format!("unexpected answer from {}: {refused}", c.base()),
            format!("check that {KLING_BASE_ENV} (or kling_api_base) names the Kling API"),
        ),
    });
    checks
}

/// A refused key: tries the other region's host once. Accepted there → wrong region.
async fn wrong_key_or_region(
    c: &KlingClient,
    refused: &ProviderError,
    env: &dyn Fn(&str) -> Option<String>,
) -> Check {
    let key_fix = "check the key (KLING_API_KEY, or KLING_ACCESS_KEY + KLING_SECRET_KEY, or \
                   credentials.toml): it may be mistyped, revoked, or from another account";
    let Some(other) = other_region(c.base(), env) else {
        return Check::fail("key", refused.to_string(), key_fix);
    };
    match c.probe(Some(&other), PROBE_PATH).await {
        Ok(Probe { result: Ok(_), .. }) => Check::fail(
            "region",
            format!("the key is refused by {} but accepted by {other}", c.base()),
            format!("set {KLING_BASE_ENV}={other} (or kling_api_base in config.toml)"),
        ),
        _ => Check::fail(
            "key",
            format!("{refused} (also refused by {other})"),
            key_fix,
        ),
    }
}

/// The other region's host: Singapore ↔ Beijing, or the override. A custom base has none.
fn other_region(base: &Url, env: &dyn Fn(&str) -> Option<String>) -> Option<Url> {
    if let Some(set) = env(OTHER_REGION_ENV).filter(|v| !v.trim().is_empty()) {
        return Url::parse(set.trim()).ok();
    }
    let host = base.host_str()?;
    let other = match host {
        "api-singapore.klingai.com" | "api.klingai.com" => BEIJING,
        "api-beijing.klingai.com" => SINGAPORE,
        _ => return None,
    };
    Url::parse(other).ok()
}

/// 1003 (not yet valid) / 1004 (expired): our clock against the server's `Date`.
fn clock_skew(refused: &ProviderError, server: Option<SystemTime>, local: SystemTime) -> Check {
    let fix = "set the system clock right (turn on automatic time / NTP); signed tokens are \
               valid from 5 s before to 30 min after they are made";
    let Some(server) = server else {
        return Check::fail(
            "clock",
            format!("{refused}; the server sent no Date to compare clocks with"),
            fix,
        );
    };
    let offset = match server.duration_since(local) {
        Ok(ahead) => ahead.as_secs() as i64,
        Err(behind) => -(behind.duration().as_secs() as i64),
    };
    let detail = match offset {
        o if o > 0 => format!("your clock is {o} s behind the server's ({refused})"),
        o if o < 0 => format!("your clock is {} s ahead of the server's ({refused})", -o),
        _ => format!("the clocks agree, yet the token was refused ({refused})"),
    };
    Check::fail("clock", detail, fix)
}

/// No answer at all: which layer failed, from the transport error's cause chain.
fn network(e: &ProviderError) -> Check {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    let (what, fix) = if lower.contains("dns") || lower.contains("lookup address") {
        (
            "DNS",
            "check the host name in the base URL and this machine's DNS",
        )
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        (
            "TLS",
            "check the system clock and any TLS-inspecting proxy (HTTPS_PROXY)",
        )
    } else if lower.contains("no complete answer") {
        (
            "timeout",
            "the host did not answer in time: check the network or proxy",
        )
    } else {
        (
            "connect",
            "check the network, firewall and proxy settings (HTTPS_PROXY)",
        )
    };
    Check::fail("network", format!("{what}: {text}"), fix)
}

async fn gateway(client: &Client) -> Vec<Check> {
    let path = compose(
        &Board::starter(),
        Provider::Gateway,
        &PlaceholderImages,
        "x",
    )
    .map(|r| r.path)
    .unwrap_or_else(|_| "/".into());
    let check = match client.query(&path, MADE_UP_TASK).await {
        Ok(_) | Err(ProviderError::NotFound { .. }) | Err(ProviderError::BadRequest { .. }) => {
            Check::ok(
                "key",
                "accepted (a made-up task id was looked up, not refused); balance and model \
             access are only known at submit",
            )
        }
        Err(e @ ProviderError::Auth { .. }) => Check::fail(
            "key",
            e.to_string(),
            "check the gateway key (its environment variable or credentials.toml)",
        ),
        Err(e @ ProviderError::Balance { .. }) => {
            Check::fail("balance", e.to_string(), "top up the gateway account")
        }
        Err(e @ ProviderError::Transport(_)) => network(&e),
        Err(e) => Check::fail(
            "answer",
            e.to_string(),
            "check that the gateway URL names the gateway's API",
        ),
    };
    vec![check]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_doctor_waits_ten_seconds_unless_told_and_refuses_nonsense() {
        use clap::Parser;
        let parse = |args: &[&str]| crate::cli::Cli::try_parse_from(args);
        let Some(crate::cli::Command::Doctor(d)) = parse(&["shotdeck", "doctor"]).unwrap().command
        else {
            panic!("doctor")
        };
        assert_eq!(d.timeout, 10.0);
        for bad in ["0", "nan", "inf", "soon", "601"] {
            let e = parse(&["shotdeck", "doctor", "--timeout", bad]).unwrap_err();
            assert!(e.to_string().contains("--timeout"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_other_region_is_the_other_known_host_or_the_override() {
        let none = |_: &str| None;
        let sg = Url::parse(SINGAPORE).unwrap();
        assert_eq!(
            other_region(&sg, &none).unwrap().as_str(),
            format!("{BEIJING}/")
        );
        let bj = Url::parse(BEIJING).unwrap();
        assert_eq!(
            other_region(&bj, &none).unwrap().as_str(),
            format!("{SINGAPORE}/")
        );
        let local = Url::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(other_region(&local, &none), None);
        let set = |n: &str| (n == OTHER_REGION_ENV).then(|| "http://127.0.0.1:7".to_string());
        assert_eq!(
            other_region(&local, &set).unwrap().as_str(),
            "http://127.0.0.1:7/"
        );
    }

    #[test]
    fn skew_is_reported_in_seconds_and_direction() {
        let refused = ProviderError::Auth {
            code: "1003".into(),
            message: "not yet valid".into(),
        };
        let local = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let behind = clock_skew(&refused, Some(local - Duration::from_secs(3600)), local);
        assert!(behind.detail.contains("3600 s ahead"), "{behind:?}");
        let ahead = clock_skew(&refused, Some(local + Duration::from_secs(90)), local);
        assert!(ahead.detail.contains("90 s behind"), "{ahead:?}");
        assert!(!clock_skew(&refused, None, local).ok);
    }

    #[test]
    fn network_failures_name_their_layer() {
        let t = |s: &str| network(&ProviderError::Transport(s.into())).detail;
        assert!(t("error sending request: dns error: failed to lookup address").starts_with("DNS"));
        assert!(t("error sending request: invalid peer certificate: Expired").starts_with("TLS"));
        assert!(
            t("error sending request: tcp connect error: Connection refused")
                .starts_with("connect")
        );
        assert!(t("no complete answer from http://x within 5 s").starts_with("timeout"));
    }
}
