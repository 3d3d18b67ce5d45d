//! `shotdeck account [--json]` and `shotdeck account set [--max-in-flight N] [--day-budget
//! USD|none] [--tz Area/City]`: the Kling account a shared store sends to, read and changed
//! in the store itself (every machine on the account sees the change at its next gate
//! decision). One machine's SQLite store keeps no account: `account` says what applies
//! instead, `account set` refuses and says where each setting lives.

use std::process::ExitCode;

use super::jobs::{open_store, utc};
use super::out::outln;
use crate::core::cost::usd;
use crate::core::printable;
use crate::engine::store::{AccountChange, AccountError, AccountView};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AccountArgs {
    #[command(subcommand)]
    pub command: Option<AccountCommand>,
    /// Print the account as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum AccountCommand {
    /// Change the shared account's concurrency limit, day budget or time zone.
    Set(SetArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// Tasks in flight at once across the team (Kling counts per account).
    #[arg(long, value_name = "N")]
    pub max_in_flight: Option<i64>,
    /// The team's daily limit in US dollars (estimates), or `none` to remove it.
    #[arg(long, value_name = "USD", value_parser = parse_budget)]
    pub day_budget: Option<DayBudget>,
    /// The time zone the team's "today" starts in (IANA name, such as Europe/Paris).
    #[arg(long, value_name = "AREA/CITY")]
    pub tz: Option<String>,
}

/// `--day-budget`: a number of US dollars, or none (no team limit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayBudget(pub Option<f64>);

fn parse_budget(s: &str) -> Result<DayBudget, String> {
    match s.trim() {
        "none" | "off" => Ok(DayBudget(None)),
        t => t
            .parse::<f64>()
            .map(|usd| DayBudget(Some(usd)))
            .map_err(|_| format!("a number of US dollars, or none (got {s:?})")),
    }
}

pub(super) fn run(args: AccountArgs) -> ExitCode {
    let config = super::load_config();
    let stored = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let store = stored.store();
    let Some(AccountCommand::Set(set)) = args.command else {
        return match stored.block(store.account()) {
            Ok(Some(a)) if args.json => {
                super::out::write_with(|w| super::json_out::write_pretty(w, &a));
                ExitCode::SUCCESS
            }
            Ok(Some(a)) => {
                print(&a);
                ExitCode::SUCCESS
            }
            Ok(None) if args.json => {
                // No shared account: JSON readers get null, not prose.
                super::out::write_with(|w| {
                    super::json_out::write_pretty(w, &Option::<AccountView>::None)
                });
                ExitCode::SUCCESS
            }
            Ok(None) => {
                let limit = config.budget.per_day.map_or("none".to_string(), usd);
                outln!(
                    "account     none shared: the local job store (SQLite) is this machine's alone"
                );
                outln!("slots       no team limit (the provider's own limit applies)");
                outln!("day budget  [budget] per_day in config.toml: {limit}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(1)
            }
        };
    };
    let change = AccountChange {
        max_in_flight: set.max_in_flight,
        day_budget_usd: set.day_budget.map(|b| b.0),
        tz: set.tz,
    };
    if change.is_empty() {
        eprintln!("account set: nothing to change (--max-in-flight, --day-budget or --tz)");
        return ExitCode::from(super::EXIT_UNREADABLE);
    }
    match stored.block(store.set_account(change)) {
        Ok(a) => {
            print(&a);
            ExitCode::SUCCESS
        }
        Err(e @ (AccountError::Invalid { .. } | AccountError::NoAccount)) => {
            eprintln!("account set: {e}");
            ExitCode::from(super::EXIT_UNREADABLE)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

fn print(a: &AccountView) {
    outln!("account        {}", printable(&a.name));
    let lowered = match (a.lowered_limit, a.lowered_until) {
        (Some(l), Some(until)) => format!(" (lowered to {l} until {} UTC)", utc(until)),
        _ => String::new(),
    };
    outln!("max_in_flight  {}{lowered}", a.max_in_flight);
    let hold = a
        .hold_off_until
        .map_or("none".to_string(), |t| format!("until {} UTC", utc(t)));
    outln!("hold-off       {hold}");
    let budget = a.day_budget_usd.map_or("none".to_string(), usd);
    outln!("day budget     {budget}");
    outln!("tz             {}", printable(&a.tz));
    let limit = a.lowered_limit.unwrap_or(a.max_in_flight);
    outln!(
        "slots          {} of {limit} in use, {} queued",
        a.slots_in_use,
        a.queued
    );
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn set(args: &[&str]) -> SetArgs {
        let cli = Cli::try_parse_from([&["shotdeck", "account", "set"], args].concat()).unwrap();
        match cli.command {
            Some(Command::Account(AccountArgs {
                command: Some(AccountCommand::Set(s)),
                ..
            })) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_day_budget_is_a_number_or_none() {
        assert_eq!(
            set(&["--day-budget", "5"]).day_budget,
            Some(DayBudget(Some(5.0)))
        );
        assert_eq!(
            set(&["--day-budget", "none"]).day_budget,
            Some(DayBudget(None))
        );
        assert_eq!(set(&["--tz", "Europe/Paris"]).day_budget, None);
        let e = Cli::try_parse_from(["shotdeck", "account", "set", "--day-budget", "lots"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("a number of US dollars, or none"), "{e}");
    }
}
