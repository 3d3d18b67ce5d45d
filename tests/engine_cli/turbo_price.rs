//! Kling 3.0 Turbo is sent as `kling-3.0-turbo` but priced as the table's `kling-v3-turbo`:
//! the dry run shows its price, `--max-cost` and `[budget]` weigh it, a
//! `[prices.kling.kling-v3-turbo]` entry overrides it, and `spend` counts it.

use super::money::write_config;
use super::{Setup, describe, text};
use shotdeck::sim::Faults;

/// `single-shot.json` (10 s, silent) as a Turbo 720p board.
fn turbo_board(s: &Setup) -> std::path::PathBuf {
    let board = s.board("single-shot.json");
    super::paid::edit_board(&board, |json| {
        json["model"] = "kling-v3-turbo".into();
        json["quality"] = "std".into();
    });
    board
}

#[tokio::test]
async fn a_turbo_dry_run_shows_its_list_price_and_an_override_replaces_it() {
    let s = Setup::new(Faults::default()).await;
    let board = turbo_board(&s);
    let b = board.to_str().unwrap();
    let out = s.run(&["submit", b, "--dry-run"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let err = text(&out.stderr);
    // 10 s × $0.112/s (720p, README "Models").
    assert!(
        err.contains("≈ $1.12 (10 s × $0.112/s, kling-v3-turbo std, estimate)"),
        "{err}"
    );
    assert!(!err.contains("no price configured"), "{err}");

    write_config(
        &s,
        "[prices.kling.kling-v3-turbo.std]\nsilent = 0.5\naudio = 0.5\n",
    );
    let out = s.run(&["submit", b, "--dry-run"]).await;
    let err = text(&out.stderr);
    assert!(
        err.contains("≈ $5.00 (10 s × $0.500/s, kling-v3-turbo std, estimate)"),
        "{err}"
    );
    assert_eq!(s.sim.stats().api_requests, 0);
}

#[tokio::test]
async fn max_cost_and_the_budget_weigh_a_turbo_submit_and_spend_counts_it() {
    let s = Setup::new(Faults::default()).await;
    let board = turbo_board(&s);
    let b = board.to_str().unwrap();
    let out = s.run(&["submit", b, "--yes", "--max-cost", "1.00"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stderr).contains("above --max-cost $1.00"));
    assert_eq!(s.sim.stats().api_requests, 0);

    write_config(&s, "[budget]\nper_job = 1\n");
    let out = s.run(&["submit", b, "--yes"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(err.contains("$1.12") && !err.contains("no price"), "{err}");
    assert_eq!(s.sim.stats().api_requests, 0);

    write_config(&s, "[budget]\nper_job = 2\n");
    let out = s
        .run(&["submit", b, "--yes", "--max-cost", "1.20", "--wait"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(s.sim.stats().creates_accepted, 1);

    let out = s.run(&["spend"]).await;
    let said = text(&out.stdout);
    assert!(said.contains("$1.12"), "{said}");
    assert!(!said.contains("nothing spent"), "{said}");
}
