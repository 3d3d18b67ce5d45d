//! `shotdeck spend --by user|board|project|account|day`: the ledger summed per group, the
//! same money figures as the job list (estimates vs charges, units at the configured
//! `[usd_per_unit]`). Grouping is done here, over the store's ledger rows, so both stores
//! group alike; each store says who, which project, which account and which day.

use std::collections::BTreeMap;

use serde::Serialize;

use super::out::outln;
use crate::core::cost::usd;
use crate::core::printable;
use crate::engine::store::LedgerEntry;

/// What the ledger is summed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// Who submitted each job (one machine: the local user).
    User,
    /// Each board file.
    Board,
    /// Each board's project (the board's folder where the store knows no project).
    Project,
    /// The Kling account each job went to (one machine: the configured one).
    Account,
    /// The day each job was created, in the store's time zone (the team's on a shared store).
    Day,
}

impl By {
    fn heading(self) -> &'static str {
        match self {
            By::User => "USER",
            By::Board => "BOARD",
            By::Project => "PROJECT",
            By::Account => "ACCOUNT",
            By::Day => "DAY",
        }
    }
}

/// What rows without a user or an account (one machine's store) are counted under.
pub(super) struct Local {
    pub(super) user: String,
    pub(super) account: String,
}

/// One group's sums.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(super) struct Group {
    pub(super) key: String,
    pub(super) jobs: usize,
    /// Estimates of the jobs that count (a job on which nothing was spent adds nothing).
    pub(super) estimated_usd: f64,
    /// Charges known in USD (units at the configured unit price), and how many jobs.
    pub(super) charged_usd: f64,
    pub(super) charged_jobs: usize,
    /// What the group adds to the totals: each job's charge if known, else its estimate.
    pub(super) counted_usd: f64,
}

/// The project a job's board belongs to: the store's project when it knows one, else the
/// board's folder. The one place `--by project` decides it.
pub(super) fn project_of(e: &LedgerEntry) -> String {
    match &e.project {
        Some(p) => p.clone(),
        None => e
            .board_path
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
    }
}

fn key(by: By, e: &LedgerEntry, local: &Local) -> String {
    match by {
        By::User => e.user.clone().unwrap_or_else(|| local.user.clone()),
        By::Board => e.board_path.display().to_string(),
        By::Project => project_of(e),
        By::Account => e.account.clone().unwrap_or_else(|| local.account.clone()),
        By::Day => e.day.clone(),
    }
}

/// The ledger summed per `by`, ordered by key (days in calendar order).
pub(super) fn groups(by: By, jobs: &[LedgerEntry], local: &Local) -> Vec<Group> {
    let mut sums: BTreeMap<String, Group> = BTreeMap::new();
    for e in jobs {
        let k = key(by, e, local);
        let g = sums.entry(k.clone()).or_insert_with(|| Group {
            key: k,
            ..Group::default()
        });
        g.jobs += 1;
        if e.counted_usd > 0.0 {
            g.estimated_usd += e.estimated_usd.unwrap_or(0.0);
        }
        if let Some(c) = e.charged_usd {
            g.charged_usd += c;
            g.charged_jobs += 1;
        }
        g.counted_usd += e.counted_usd;
    }
    sums.into_values().collect()
}

pub(super) fn print(by: By, groups: &[Group]) {
    let width = groups
        .iter()
        .map(|g| printable(&g.key).chars().count())
        .chain([by.heading().len()])
        .max()
        .unwrap_or(0)
        .min(48);
    outln!(
        "{:<width$}  {:>5}  {:>9}  {:<20}  {:>9}",
        by.heading(),
        "JOBS",
        "ESTIMATE",
        "CHARGED",
        "COUNTED"
    );
    for g in groups {
        let charged = format!("{} ({} of {})", usd(g.charged_usd), g.charged_jobs, g.jobs);
        outln!(
            "{:<width$}  {:>5}  {:>9}  {:<20}  {:>9}",
            printable(&g.key),
            g.jobs,
            usd(g.estimated_usd),
            charged,
            usd(g.counted_usd)
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::core::provider::Provider;
    use crate::engine::events::JobPhase;

    fn entry(id: i64, user: Option<&str>, board: &str, counted: f64) -> LedgerEntry {
        LedgerEntry {
            id,
            created_at: 0,
            board_path: PathBuf::from(board),
            provider: Provider::Kling,
            model: Some("kling-v3".into()),
            phase: JobPhase::Done,
            seconds: 5.0,
            estimated_usd: Some(1.0),
            units_charged: None,
            charged_usd: (counted == 0.5).then_some(0.5),
            counted_usd: counted,
            in_doubt: false,
            user: user.map(str::to_string),
            project: None,
            account: None,
            day: format!("2026-12-0{id}"),
        }
    }

    #[test]
    fn groups_sum_per_key_and_fill_in_the_local_user_and_account() {
        let local = Local {
            user: "me".into(),
            account: "studio-a".into(),
        };
        let jobs = [
            entry(1, Some("ann"), "/p/a.json", 1.0),
            entry(2, None, "/p/b.json", 0.5),
            entry(3, Some("ann"), "/q/c.json", 0.0),
        ];
        let by_user = groups(By::User, &jobs, &local);
        assert_eq!(by_user.len(), 2);
        assert_eq!(
            (
                by_user[0].key.as_str(),
                by_user[0].jobs,
                by_user[0].counted_usd
            ),
            ("ann", 2, 1.0)
        );
        // The failed-before-sending job adds neither estimate nor count.
        assert_eq!(by_user[0].estimated_usd, 1.0);
        assert_eq!(
            (by_user[1].key.as_str(), by_user[1].charged_jobs),
            ("me", 1)
        );
        let by_project = groups(By::Project, &jobs, &local);
        let keys: Vec<_> = by_project.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["/p", "/q"]);
        let by_account = groups(By::Account, &jobs, &local);
        assert_eq!(by_account[0].key, "studio-a");
        assert_eq!(by_account[0].counted_usd, 1.5);
        let days: Vec<_> = groups(By::Day, &jobs, &local)
            .into_iter()
            .map(|g| g.key)
            .collect();
        assert_eq!(days, ["2026-12-01", "2026-12-02", "2026-12-03"]);
    }
}
