//! Cost estimates: seconds of output × the per-second rate for provider, model, quality and
//! sound. Rates come from the user's config over the model table's official list prices
//! (USD); all are estimates: gateways charge differently.

use serde::Serialize;
use std::collections::BTreeMap;

use super::compose::effective_model;
use super::model::Board;
use super::models::{MODELS, ModelTable, priced_row};
use super::provider::Provider;

pub use super::models::Rate;

/// provider → model → quality → rate. In config.toml:
/// `[prices.kling.kling-v3.std]` with `silent = 0.084` and `audio = 0.126`.
pub type PriceTable = BTreeMap<String, BTreeMap<String, BTreeMap<String, Rate>>>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub provider: Provider,
    pub model: String,
    pub quality: String,
    pub seconds: f64,
    pub usd_per_second: f64,
    pub usd: f64,
}

impl Estimate {
    pub fn summary(&self) -> String {
        format!(
            "≈ ${:.2} ({} s × ${:.3}/s, {} {}, estimate)",
            self.usd, self.seconds, self.usd_per_second, self.model, self.quality
        )
    }
}

/// The official list prices from the model table, used for both providers until the user
/// sets their gateway's own (config.toml `[prices]` entries override these one by one).
pub fn default_prices() -> PriceTable {
    prices_from(MODELS)
}

/// Every quality of every row in `table`, 4k included where the row has it.
pub fn prices_from(table: ModelTable) -> PriceTable {
    let models: BTreeMap<String, BTreeMap<String, Rate>> = table
        .iter()
        .map(|row| {
            let rates = row
                .quality_names()
                .into_iter()
                .filter_map(|q| Some((q.to_string(), row.rate(q)?)))
                .collect();
            (row.name.to_string(), rates)
        })
        .collect();
    Provider::ALL
        .iter()
        .map(|p| (p.as_str().to_string(), models.clone()))
        .collect()
}

/// `None` when the table has no rate for this provider, model and quality.
pub fn estimate(board: &Board, provider: Provider, prices: &PriceTable) -> Option<Estimate> {
    let model = priced_model(board, provider);
    let rate = prices
        .get(provider.as_str())?
        .get(&model)?
        .get(&board.quality)?;
    let per_second = if board.sound { rate.audio } else { rate.silent };
    let seconds = board.total_duration();
    Some(Estimate {
        provider,
        model,
        quality: board.quality.clone(),
        seconds,
        usd_per_second: per_second,
        usd: seconds * per_second,
    })
}

/// The `[prices]` key a board is priced under: the model-table id of the model the
/// provider is asked for (`kling-v3-turbo`, though `kling-3.0-turbo` is sent; `kling-v3-omni`
/// for kling-v3's reference boards), or the name sent when the table does not know it (a
/// gateway's own model, priced only by the user's `[prices]`).
pub fn priced_model(board: &Board, provider: Provider) -> String {
    let sent = effective_model(board, provider);
    priced_row(MODELS, &sent).map_or(sent, |row| row.name.to_string())
}

/// A USD amount as `$1.23`. An amount that rounds to zero is `$0.00`, never `$-0.00` (a sum
/// of no jobs is −0.0 in IEEE arithmetic); a real negative amount is `-$1.23`.
pub fn usd(amount: f64) -> String {
    let cents = (amount * 100.0).round();
    if cents == 0.0 || !cents.is_finite() {
        return if amount.is_finite() {
            "$0.00".into()
        } else {
            format!("${amount}")
        };
    }
    let sign = if cents < 0.0 { "-" } else { "" };
    format!("{sign}${:.2}", cents.abs() / 100.0)
}

#[cfg(test)]
#[path = "cost_tests.rs"]
mod table_tests;

#[cfg(test)]
mod tests {
    use super::usd;

    #[test]
    fn zero_never_shows_a_minus() {
        assert_eq!(usd(-0.0), "$0.00");
        assert_eq!(usd(-0.004), "$0.00");
        assert_eq!(usd(std::iter::empty::<f64>().sum()), "$0.00");
        assert_eq!(usd(1.016), "$1.02");
        assert_eq!(usd(-1.4), "-$1.40");
        assert_eq!(usd(12.0), "$12.00");
    }
}
