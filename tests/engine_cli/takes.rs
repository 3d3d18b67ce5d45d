//! `submit --takes N`: one confirmation for the total, `--dry-run` shows the N creates,
//! `--max-cost` holds the total, and N takes are N tasks with consecutive take numbers.

use super::{Setup, describe, text};
use shotdeck::sim::Faults;

#[tokio::test]
async fn takes_are_confirmed_priced_and_sent_together() {
    let s = Setup::new(Faults::default()).await;
    let board = s.board("single-shot.json");
    let b = board.to_str().unwrap();

    // From a script, no --yes: the total is said, nothing is sent.
    let out = s.run(&["submit", b, "--takes", "3"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("pass --yes") && err.contains("3 takes"),
        "{err}"
    );
    assert!(err.contains("in all (3 × $"), "{err}");

    let out = s.run(&["submit", b, "--takes", "3", "--dry-run"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let creates: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let creates = creates.as_array().expect("one request per take");
    assert_eq!(creates.len(), 3);
    assert_eq!(
        creates[2]["body"]["external_task_id"],
        "<minted at submit: take 3 of 3>"
    );

    // Over the cap, or a ceiling the total breaks: refused before anything is sent.
    let out = s.run(&["submit", b, "--takes", "9", "--yes"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let one = text(&s.run(&["submit", b, "--dry-run"]).await.stderr);
    let usd: f64 = one
        .split("≈ $")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no estimate in {one}"));
    let ceiling = format!("{:.2}", usd * 2.5);
    let out = s
        .run(&["submit", b, "--takes", "3", "--yes", "--max-cost", &ceiling])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stderr).contains("above --max-cost"));
    assert_eq!(s.sim.stats().api_requests, 0);

    let out = s
        .run(&["submit", b, "--takes", "2", "--yes", "--wait"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("recorded as take 1") && err.contains("recorded as take 2"),
        "{err}"
    );
    assert_eq!(s.sim.stats().creates_accepted, 2);
    assert_eq!(
        text(&out.stdout)
            .lines()
            .filter(|l| l.ends_with(".mp4"))
            .count(),
        2,
        "{}",
        describe(&out)
    );
}
