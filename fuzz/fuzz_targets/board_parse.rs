//! Any bytes through the board parser, then every rule and both composers: nothing may panic,
//! and whatever parses must survive a save/parse round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shotdeck::core::compose::PlaceholderImages;
use shotdeck::core::{ImageFacts, Provider, compose, validate};
use shotdeck::files::board_file;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(board) = board_file::parse(text, "fuzz.json".as_ref()) else { return };
    for p in Provider::ALL {
        let _ = validate(&board, p, &ImageFacts::new());
        let _ = compose(&board, p, &PlaceholderImages, "k");
    }
    let again = board_file::parse(&board_file::to_json(&board), "fuzz.json".as_ref())
        .expect("what shotdeck writes, it reads");
    // NaN never parses from JSON, so equality is exact here.
    assert_eq!(again, board);
});
