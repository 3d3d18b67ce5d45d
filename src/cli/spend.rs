//! `shotdeck spend [--by user|board|project|account|day] [--board BOARD] [--since DATE]
//! [--json]`: the ledger, read straight from the job store (no engine, no network), job by
//! job or summed per group (`spend_by.rs`). Every USD figure is an estimate: list prices
//! for the estimates, the configured `[usd_per_unit]` for charged units.

use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::out::outln;
use super::spend_by::{By, Group, Local};
use crate::core::budget::Budget;
use crate::core::cost::usd;
use crate::core::printable;
use crate::engine::store::{AccountView, LedgerEntry, now_ms};

#[derive(Debug, clap::Args)]
pub struct SpendArgs {
    /// Sum the ledger per user, board, project, account or day instead of listing jobs.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub by: Option<By>,
    /// Only the jobs of this board file.
    #[arg(long, value_name = "BOARD")]
    pub board: Option<PathBuf>,
    /// Only jobs created since local midnight of this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Print the ledger as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `--json` prints: the jobs, or with `--by` the groups.
#[derive(Debug, Serialize)]
struct Report<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    jobs: Option<&'a [LedgerEntry]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<By>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<&'a [Group]>,
    /// The sum of `counted_usd` over `jobs`.
    total_usd: f64,
    /// Since local midnight, every board.
    today_usd: f64,
    budget: Budget,
    /// The shared store's account (its day budget applies to everyone on it); absent on
    /// one machine's store.
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a AccountView>,
    /// Always true: list prices and configured unit prices, not invoices.
    estimates: bool,
}

pub(super) fn run(args: SpendArgs) -> ExitCode {
    let config = super::load_config();
    let stored = match super::stored::Stored::open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let store = stored.store();
    let since = match args
        .since
        .as_deref()
        .map(|d| stored.block(store.local_date_ms(d)))
    {
        None => None,
        Some(Ok(Some(ms))) => Some(ms),
        Some(Ok(None)) => {
            eprintln!("--since takes a date as YYYY-MM-DD");
            return ExitCode::from(super::EXIT_UNREADABLE);
        }
        Some(Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let board = args.board.map(|b| std::path::absolute(&b).unwrap_or(b));
    let prices = &config.usd_per_unit;
    let sums = stored.block(async {
        let jobs = store.ledger(since, board, prices.clone()).await?;
        let today = store.spent_today(now_ms(), prices.clone()).await?;
        let account = store.account().await?;
        Ok::<_, crate::engine::store::StoreError>((jobs, today, account))
    });
    let (jobs, today_usd, account) = match sums {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    // `+ 0.0`: a sum of no jobs is −0.0, which JSON would print as `-0.0`.
    let total_usd = jobs.iter().map(|j| j.counted_usd).sum::<f64>() + 0.0;
    let groups = args.by.map(|by| {
        let local = Local {
            user: crate::engine::store::local_user(),
            account: config
                .account()
                .unwrap_or_else(|_| crate::files::config::DEFAULT_ACCOUNT.into()),
        };
        super::spend_by::groups(by, &jobs, &local)
    });
    if args.json {
        let report = Report {
            jobs: groups.is_none().then_some(&jobs[..]),
            by: args.by,
            groups: groups.as_deref(),
            total_usd,
            today_usd,
            budget: config.budget,
            account: account.as_ref(),
            estimates: true,
        };
        super::out::write_with(|w| super::json_out::write_pretty(w, &report));
        return ExitCode::SUCCESS;
    }
    match (args.by, &groups) {
        (Some(by), Some(groups)) => super::spend_by::print(by, groups),
        _ => print_table(&jobs),
    }
    outln!(
        "total  {} over {} job(s) (estimates)",
        usd(total_usd),
        jobs.len()
    );
    let limit = config
        .budget
        .per_day
        .map_or(" (no per_day budget)".to_string(), |l| {
            format!(" of per_day {}", usd(l))
        });
    outln!("today  {}{limit}", usd(today_usd));
    if let Some(a) = &account {
        let team = a.day_budget_usd.map_or("no day budget".to_string(), |b| {
            format!("day budget {}", usd(b))
        });
        outln!(
            "team   account {} ({team}, today in {}): every machine on it counts",
            printable(&a.name),
            printable(&a.tz)
        );
    }
    ExitCode::SUCCESS
}

fn print_table(jobs: &[LedgerEntry]) {
    outln!(
        "{:>5}  {:<10}  {:<20}  {:<8}  {:<14}  {:>5}  {:>8}  CHARGED",
        "ID",
        "DATE (UTC)",
        "BOARD",
        "PROVIDER",
        "MODEL",
        "SECS",
        "ESTIMATE"
    );
    for j in jobs {
        let board = j
            .board_path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let estimate = j.estimated_usd.map_or("-".to_string(), usd);
        let charged = match (&j.units_charged, j.charged_usd) {
            (Some(units), Some(charged)) => {
                format!("{} units (≈ {})", printable(units), usd(charged))
            }
            (Some(units), None) => format!("{} units", printable(units)),
            (None, _) if j.in_doubt => "- (create in doubt: possibly charged)".to_string(),
            (None, _) if j.counted_usd == 0.0 => format!("- ({}, nothing spent)", j.phase.as_str()),
            (None, _) => "-".to_string(),
        };
        outln!(
            "{:>5}  {:<10}  {:<20}  {:<8}  {:<14}  {:>5}  {:>8}  {charged}",
            j.id,
            &super::jobs::utc(j.created_at)[..10],
            printable(&board),
            j.provider.as_str(),
            j.model.as_deref().unwrap_or("-"),
            j.seconds,
            estimate,
        );
    }
}
