//! Every model and route of the built-in table is priced from the table's own row, whatever
//! name the route sends on the wire.

use super::*;
use crate::model::Mode;
use crate::models::{ModelRow, find, priced_row};

const MODES: [Mode; 3] = [Mode::Text, Mode::Image, Mode::Reference];

fn board(row: &ModelRow, mode: Mode, quality: &str, sound: bool) -> Board {
    let mut b = Board::starter();
    b.model = row.name.to_string();
    b.mode = mode;
    b.quality = quality.to_string();
    b.sound = sound;
    b
}

/// The estimate for `b` on `provider` at `serving`'s list price.
fn assert_priced_as(b: &Board, provider: Provider, serving: &ModelRow) {
    let Some(rate) = serving.rate(&b.quality) else {
        return;
    };
    let est = estimate(b, provider, &default_prices()).unwrap_or_else(|| {
        panic!(
            "no estimate for {} {:?} {} on {provider:?} (the table prices it as {})",
            b.model, b.mode, b.quality, serving.name
        )
    });
    let want = if b.sound { rate.audio } else { rate.silent };
    assert_eq!(
        est.usd_per_second, want,
        "{} {:?} {}",
        b.model, b.mode, b.quality
    );
    assert_eq!(est.model, serving.name, "priced under the table's id");
    assert_eq!(est.usd, b.total_duration() * want);
}

#[test]
fn every_official_route_is_priced_by_the_row_it_is_sent_for() {
    for row in MODELS {
        for mode in MODES {
            let sent = row.route(mode).model_name;
            let serving = priced_row(MODELS, sent)
                .unwrap_or_else(|| panic!("{sent} (sent for {}) has no row", row.name));
            for quality in row.quality_names() {
                for sound in [false, true] {
                    let b = board(row, mode, quality, sound);
                    for provider in [Provider::Kling, Provider::KlingRelay] {
                        assert_priced_as(&b, provider, serving);
                    }
                }
            }
        }
    }
}

#[test]
fn gateways_are_priced_by_the_boards_row_and_its_omni_variant() {
    for row in MODELS {
        for mode in MODES {
            let serving = match mode {
                Mode::Reference if !row.name.ends_with("-omni") => {
                    match find(MODELS, &format!("{}-omni", row.name)) {
                        Some(omni) => omni,
                        // No omni variant in the table (Turbo): nothing to price it by.
                        None => continue,
                    }
                }
                _ => row,
            };
            for quality in row.quality_names() {
                let b = board(row, mode, quality, true);
                for provider in [Provider::Gateway, Provider::NewApi] {
                    assert_priced_as(&b, provider, serving);
                }
            }
        }
    }
}

#[test]
fn turbo_is_priced_and_its_override_applies() {
    let turbo = find(MODELS, "kling-v3-turbo").expect("the Turbo row");
    let mut b = board(turbo, Mode::Text, "std", false);
    b.shots.truncate(1);
    let est = estimate(&b, Provider::Kling, &default_prices()).expect("Turbo has a list price");
    assert_eq!(est.usd_per_second, 0.112);
    let mut prices = default_prices();
    prices
        .get_mut("kling")
        .and_then(|models| models.get_mut("kling-v3-turbo"))
        .and_then(|qualities| qualities.get_mut("std"))
        .expect("the Turbo std price")
        .silent = 0.5;
    let est = estimate(&b, Provider::Kling, &prices).expect("priced");
    assert_eq!(
        est.usd_per_second, 0.5,
        "a [prices.kling.kling-v3-turbo] entry wins"
    );
}
