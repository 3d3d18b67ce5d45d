//! What the engine uses of the user's settings: prices and limits for the money checks,
//! the gateway profiles, and where videos go. The binary builds it from config.toml; the
//! engine never sees the theme, the keys, notifications or anything else it does not use.

use std::path::{Path, PathBuf};

use shotdeck_core::budget::{Budget, UnitPrices};
use shotdeck_core::cost::{PriceTable, default_prices};
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::jobs::{JobView, Refusal};

#[derive(Debug, Clone, PartialEq)]
pub struct EngineSettings {
    /// USD per second by provider, model and quality: a submit's estimate.
    pub prices: PriceTable,
    /// USD per charged unit, by model: what the ledger's charges cost.
    pub usd_per_unit: UnitPrices,
    /// Spending limits, checked when a job is recorded or sent.
    pub budget: Budget,
    /// Gateway profiles: composing, validating and reading a gateway's answers.
    pub profiles: Profiles,
    /// Why nothing paid may be sent: the money keys did not read cleanly, so a limit or
    /// price may be missing (submit, retry and send all check it).
    pub money_refusal: Option<String>,
    /// Where a board's videos go: `{board}` is the board's stem; relative to its folder.
    pub render_dir: String,
    /// The project this machine has a copy of (found from the working folder or
    /// `--project`): a job of that project asked for on another machine lands in the
    /// same board's folder here.
    pub project_here: Option<ProjectHere>,
    /// Where a job asked for on another machine lands when its project is not here.
    pub fetch_dir: Option<PathBuf>,
}

/// A project's id (`shotdeck:<uuid>`, `git:<remote>`) and its root on this machine.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectHere {
    pub id: String,
    pub root: PathBuf,
}

impl Default for EngineSettings {
    /// config.toml's defaults: list prices, no limits, `{board}.renders`.
    fn default() -> Self {
        EngineSettings {
            prices: default_prices(),
            usd_per_unit: UnitPrices::new(),
            budget: Budget::default(),
            profiles: Profiles::default(),
            money_refusal: None,
            render_dir: shotdeck_files::config::DEFAULT_RENDER_DIR.into(),
            project_here: None,
            fetch_dir: None,
        }
    }
}

impl EngineSettings {
    /// Why a paid command is refused before anything else is looked at, if it is.
    pub fn money_refusal(&self) -> Option<Refusal> {
        let why = self.money_refusal.clone()?;
        Some(Refusal::MoneyConfig { why })
    }

    /// The folder a board's videos are downloaded into.
    pub fn render_dir_for(&self, board_path: &Path) -> PathBuf {
        shotdeck_files::config::render_dir_for(&self.render_dir, board_path)
    }

    /// The board a job's videos land beside on this machine: the asker's board when this
    /// machine asked; else the same board in this machine's copy of its project; else one
    /// of that name in `fetch_dir` (the asker's path when there is none).
    pub fn board_here(&self, view: &JobView, asked_here: bool) -> PathBuf {
        if asked_here {
            return view.board_path.clone();
        }
        if let Some(here) = &self.project_here
            && view.board_key.is_shared()
            && here.id == view.board_key.project
        {
            return view
                .board_key
                .path
                .split('/')
                .fold(here.root.clone(), |p, part| p.join(part));
        }
        match (&self.fetch_dir, view.board_path.file_name()) {
            (Some(dir), Some(name)) => dir.join(name),
            _ => view.board_path.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_money_problem_refuses_and_says_nothing_was_sent() {
        let mut s = EngineSettings::default();
        assert_eq!(s.money_refusal(), None);
        s.money_refusal = Some("config.toml must be fixed: budget.per_day".into());
        let refusal = s.money_refusal().expect("refused");
        assert!(matches!(refusal, Refusal::MoneyConfig { .. }));
        assert_eq!(
            refusal.to_string(),
            "config.toml must be fixed: budget.per_day; nothing was sent"
        );
    }

    #[test]
    fn videos_go_beside_the_board_unless_the_rule_is_absolute() {
        let s = EngineSettings::default();
        assert_eq!(
            s.render_dir_for(Path::new("/films/noir.json")),
            Path::new("/films/noir.renders")
        );
        let abs = EngineSettings {
            render_dir: "/renders/{board}".into(),
            ..EngineSettings::default()
        };
        assert_eq!(
            abs.render_dir_for(Path::new("/films/noir.json")),
            Path::new("/renders/noir")
        );
    }
}
