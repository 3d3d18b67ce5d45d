//! Cost estimates: seconds of output × the per-second rate for provider, model, quality and
//! sound. Rates come from the user's config; the defaults are the official list prices
//! (USD) and are estimates: gateways charge differently.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::compose::effective_model;
use super::model::Board;
use super::provider::Provider;

/// USD per second of output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub silent: f64,
    pub audio: f64,
}

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

/// The official list prices (kling-api-notes.md), used for both providers until the user
/// sets their gateway's own.
pub fn default_prices() -> PriceTable {
    let rate = |silent, audio| Rate { silent, audio };
    let v3 = BTreeMap::from([
        ("std".to_string(), rate(0.084, 0.126)),
        ("pro".to_string(), rate(0.112, 0.168)),
        ("4k".to_string(), rate(0.42, 0.42)),
    ]);
    let omni = BTreeMap::from([
        ("std".to_string(), rate(0.084, 0.112)),
        ("pro".to_string(), rate(0.112, 0.14)),
    ]);
    let models = BTreeMap::from([
        ("kling-v3".to_string(), v3),
        ("kling-v3-omni".to_string(), omni),
    ]);
    Provider::ALL
        .iter()
        .map(|p| (p.as_str().to_string(), models.clone()))
        .collect()
}

/// `None` when the table has no rate for this provider, model and quality.
pub fn estimate(board: &Board, provider: Provider, prices: &PriceTable) -> Option<Estimate> {
    let model = effective_model(board, provider);
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
