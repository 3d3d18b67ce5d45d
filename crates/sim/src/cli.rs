//! `shotdeck sim-server`: the simulated backend as a command (flags → [`SimConfig`]).

use std::net::SocketAddr;

use anyhow::{Context, bail};

use super::faults::Faults;
use super::keys::SimKeys;
use super::server::{DEFAULT_TASK_SECONDS, SimConfig, SimServer};

/// Run a simulated Kling backend (official API and Bearer-key gateway) on loopback.
/// Keys come from KLING_ACCESS_KEY / KLING_SECRET_KEY / KLING_API_KEY, or the demo defaults.
#[derive(clap::Args, Debug, Clone)]
pub struct SimServerArgs {
    /// Address to listen on (loopback only; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
    /// Seconds from create until a task ends; raise it to watch the states change.
    #[arg(long, default_value_t = DEFAULT_TASK_SECONDS, value_parser = parse_seconds)]
    pub task_seconds: f64,
    /// Delay before every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of API requests answered 429 (code 1302 / rate_limit_exceeded), 0–1.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub rate_limit_rate: f64,
    /// Retry-After seconds sent with 429 answers.
    #[arg(long, default_value_t = 1)]
    pub retry_after_secs: u64,
    /// Share of API requests answered 500 (code 5000 / server_error), 0–1.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub server_error_rate: f64,
    /// Share of API requests whose connection is dropped, 0–1.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub drop_rate: f64,
    /// Share of API requests answered with invalid JSON, 0–1.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub malformed_rate: f64,
    /// Share of tasks that end failed, 0–1.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub task_failure_rate: f64,
    /// Share of tasks that never finish, 0–1.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub never_finish_rate: f64,
    /// Answer every create as if the balance were used up (429/1102, gateway 402).
    #[arg(long)]
    pub balance_exhausted: bool,
    /// Cut each task's first video download after this many bytes.
    #[arg(long)]
    pub download_drop_after_bytes: Option<u64>,
    /// The account's concurrency limit: creates past N unfinished tasks answer 429/1303.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_in_flight: Option<u32>,
}

impl SimServerArgs {
    pub fn faults(&self) -> Faults {
        Faults {
            latency_ms: self.latency_ms,
            rate_limit_rate: self.rate_limit_rate,
            retry_after_secs: self.retry_after_secs,
            server_error_rate: self.server_error_rate,
            drop_rate: self.drop_rate,
            malformed_rate: self.malformed_rate,
            task_failure_rate: self.task_failure_rate,
            never_finish_rate: self.never_finish_rate,
            balance_exhausted: self.balance_exhausted,
            download_drop_after_bytes: self.download_drop_after_bytes,
            max_in_flight: self.max_in_flight,
            script: Vec::new(),
            ..Faults::default()
        }
    }

    /// The configuration these flags describe, with keys from the environment.
    pub fn config(&self) -> SimConfig {
        SimConfig {
            keys: SimKeys::from_env(),
            task_seconds: self.task_seconds,
            faults: self.faults(),
        }
    }
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("must be a number from 0 to 1, got {text:?}")),
    }
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(s),
        _ => Err(format!("must be a number of seconds ≥ 0, got {text:?}")),
    }
}

/// Serves until Ctrl-C. Prints the base URL and the keys to use — the access key and API
/// key only when they are the public demo values, never the secret key.
pub async fn run_server(args: SimServerArgs) -> anyhow::Result<()> {
    if !args.addr.ip().is_loopback() {
        bail!(
            "--addr {}: the simulated backend listens on loopback addresses only (e.g. 127.0.0.1:8787)",
            args.addr
        );
    }
    let config = args.config();
    let keys = config.keys.clone();
    let summary = config.faults.summary();
    let server = SimServer::start(config, args.addr)
        .await
        .with_context(|| format!("cannot start the simulated backend on {}", args.addr))?;
    let base = server.base_url();
    println!("shotdeck sim-server: simulated Kling backend at {base}");
    println!(
        "  official API (JWT):  access key {}",
        keys.access_key_display()
    );
    println!("                       secret key: not shown (KLING_SECRET_KEY or the demo default)");
    println!("  gateway (Bearer):    api key {}", keys.api_key_display());
    println!(
        "  tasks finish after {} s; faults: {summary}",
        args.task_seconds
    );
    println!("  control: {base}/__sim/faults (GET, PUT), {base}/__sim/stats (GET)");
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")?;
    server.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SimServerArgs,
    }

    #[test]
    fn flags_become_faults() {
        let cli = Cli::try_parse_from([
            "x",
            "--task-seconds",
            "0.5",
            "--drop-rate",
            "0.25",
            "--balance-exhausted",
            "--download-drop-after-bytes",
            "100",
            "--max-in-flight",
            "2",
        ])
        .expect("parses");
        assert_eq!(cli.args.addr.to_string(), "127.0.0.1:8787");
        assert_eq!(cli.args.task_seconds, 0.5);
        let faults = cli.args.faults();
        assert_eq!(faults.drop_rate, 0.25);
        assert!(faults.balance_exhausted);
        assert_eq!(faults.download_drop_after_bytes, Some(100));
        assert_eq!(faults.max_in_flight, Some(2));
        let unlimited = Cli::try_parse_from(["x"]).expect("parses");
        assert_eq!(unlimited.args.faults().max_in_flight, None);
    }

    #[tokio::test]
    async fn run_server_refuses_non_loopback_addresses() {
        let cli = Cli::try_parse_from(["x", "--addr", "0.0.0.0:0"]).expect("parses");
        let err = run_server(cli.args).await.expect_err("refused");
        assert!(err.to_string().contains("loopback"), "{err}");
    }

    #[test]
    fn out_of_range_flags_are_refused() {
        assert!(Cli::try_parse_from(["x", "--drop-rate", "2"]).is_err());
        assert!(Cli::try_parse_from(["x", "--task-seconds", "-1"]).is_err());
        assert!(Cli::try_parse_from(["x", "--max-in-flight", "0"]).is_err());
    }
}
