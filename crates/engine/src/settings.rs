//! What the engine uses of the user's settings: prices and limits for the money checks,
//! the gateway profiles, and where videos go. The binary builds it from config.toml; the
//! engine never sees the theme, the keys, notifications or anything else it does not use.

use std::path::{Path, PathBuf};

use shotdeck_core::budget::{Budget, UnitPrices};
use shotdeck_core::cost::{PriceTable, default_prices};
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::jobs::Refusal;

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
