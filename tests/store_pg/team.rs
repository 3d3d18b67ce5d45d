//! Two machines of a team, as the real binary on separate data dirs, pointed at one
//! PostgreSQL store (`SHOTDECK_STORE_URL`) and one simulated Kling: a job submitted on
//! one is listed on the other, with who submitted it.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use shotdeck::sim::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, SimConfig, SimServer};

use crate::support;

/// One machine: its own config, data and state dirs and its own user.
struct Machine {
    home: tempfile::TempDir,
    user: &'static str,
}

impl Machine {
    fn new(user: &'static str) -> Machine {
        Machine {
            home: tempfile::tempdir().unwrap(),
            user,
        }
    }

    async fn run(&self, sim: &SimServer, store: (&str, &str), args: &[&str]) -> Output {
        let dir = self.home.path();
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"));
        c.args(args)
            .env("HOME", dir)
            .env("XDG_CONFIG_HOME", dir.join(".config"))
            .env("XDG_DATA_HOME", dir.join(".local/share"))
            .env("XDG_STATE_HOME", dir.join(".local/state"))
            .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
            .env("SHOTDECK_DATA_DIR", dir.join("data"))
            .env("SHOTDECK_STATE_DIR", dir.join("state"))
            .env("USER", self.user)
            .env("SHOTDECK_STORE_URL", store.0)
            .env("SHOTDECK_STORE_SCHEMA", store.1)
            .env("KLING_API_BASE", sim.base_url())
            .env("KLING_ACCESS_KEY", DEMO_ACCESS_KEY)
            .env("KLING_SECRET_KEY", DEMO_SECRET_KEY)
            .env("KLING_API_KEY", DEMO_API_KEY)
            .env_remove("SHOTDECK_GATEWAY_URL")
            .kill_on_drop(true);
        tokio::time::timeout(Duration::from_secs(60), c.output())
            .await
            .expect("the command finishes")
            .expect("the binary runs")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

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
        .run(&sim, store, &["submit", board.to_str().unwrap(), "--yes"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        text(&out.stdout).starts_with("job 1 task "),
        "{}",
        describe(&out)
    );

    let out = b.run(&sim, store, &["jobs", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let who = jobs[0]["submitted_by"].as_str().unwrap_or_default();
    assert!(who.starts_with("alice@"), "{who}");
    assert_eq!(jobs[0]["board_path"], board.to_str().unwrap());

    let out = b.run(&sim, store, &["jobs"]).await;
    let listed = text(&out.stdout);
    assert!(
        listed.lines().next().is_some_and(|h| h.contains("  BY  "))
            && listed.lines().nth(1).is_some_and(|l| l.contains("  alice@")),
        "{}",
        describe(&out)
    );
    let out = b.run(&sim, store, &["jobs", "show", "1", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // Nothing of the team's queue is kept on either machine's disk.
    for m in [&a, &b] {
        assert!(!m.home.path().join("data/jobs.sqlite3").exists());
    }
    // B can act on A's job: the team shares one queue.
    let out = b
        .run(&sim, store, &["jobs", "wait", "1", "--timeout", "30"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(sim.stats().creates_accepted, 1, "one create for one job");
    let out = a.run(&sim, store, &["spend", "--json"]).await;
    let spend: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spend["jobs"].as_array().map(Vec::len), Some(1), "{spend}");
    let out = b.run(&sim, store, &["doctor", "--provider", "kling"]).await;
    let said = text(&out.stdout);
    assert!(said.contains("ok   store: PostgreSQL at"), "{said}");
    assert!(said.contains("answers, 1 job(s)"), "{said}");
}
