//! Two machines of a team, as the real binary on separate data dirs, pointed at one
//! PostgreSQL store (`SHOTDECK_STORE_URL`) and one simulated Kling: a job submitted on
//! one is listed on the other, with who submitted it.

use std::path::Path;

use shotdeck::sim::{SimConfig, SimServer};

use crate::machine::{Machine, describe, text};
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_submitted_on_one_machine_is_listed_on_the_other_with_who_sent_it() {
    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    let store = (server.as_str(), schema.as_str());
    let sim = SimServer::start(
        SimConfig {
            task_seconds: 0.3,
            ..SimConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let (a, b) = (Machine::new("alice"), Machine::new("bob"));
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let board = a.home.path().join("noir.json");
    std::fs::copy(examples.join("noir-3-shot.json"), &board).unwrap();

    let out = a
        .run(
            &sim.base_url(),
            store,
            &["submit", board.to_str().unwrap(), "--yes"],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        text(&out.stdout).starts_with("job 1 task "),
        "{}",
        describe(&out)
    );

    let out = b.run(&sim.base_url(), store, &["jobs", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let who = jobs[0]["submitted_by"].as_str().unwrap_or_default();
    assert!(who.starts_with("alice@"), "{who}");
    assert_eq!(jobs[0]["board_path"], board.to_str().unwrap());

    let out = b.run(&sim.base_url(), store, &["jobs"]).await;
    let listed = text(&out.stdout);
    assert!(
        listed.lines().next().is_some_and(|h| h.contains("  BY  "))
            && listed
                .lines()
                .nth(1)
                .is_some_and(|l| l.contains("  alice@")),
        "{}",
        describe(&out)
    );
    let out = b
        .run(&sim.base_url(), store, &["jobs", "show", "1", "--json"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // Nothing of the team's queue is kept on either machine's disk.
    for m in [&a, &b] {
        assert!(!m.home.path().join("data/jobs.sqlite3").exists());
    }
    // B can act on A's job: the team shares one queue.
    let out = b
        .run(
            &sim.base_url(),
            store,
            &["jobs", "wait", "1", "--timeout", "30"],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(sim.stats().creates_accepted, 1, "one create for one job");
    let out = a.run(&sim.base_url(), store, &["spend", "--json"]).await;
    let spend: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spend["jobs"].as_array().map(Vec::len), Some(1), "{spend}");
    let out = b
        .run(&sim.base_url(), store, &["doctor", "--provider", "kling"])
        .await;
    let said = text(&out.stdout);
    assert!(said.contains("ok   store: PostgreSQL at"), "{said}");
    assert!(said.contains("answers, 1 job(s)"), "{said}");
}
