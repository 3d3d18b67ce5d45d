//! Two terminals end to end: the real binary twice, on separate HOMEs, configs and data
//! dirs, pointed at one PostgreSQL store and one real `shotdeck sim-server
//! --max-in-flight 2`. They share one queue (each lists both users' jobs), one ledger
//! (`spend --by user` sums both), one day budget (once it is spent, the other terminal is
//! refused and nothing is sent) and one account limit (the simulator never sees more than
//! two tasks at once, and never refuses one as over it).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::machine::{Machine, describe, text};
use crate::support;

/// `shotdeck sim-server` on a free loopback port, and its base URL.
async fn sim_server(args: &[&str]) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"))
        .args(["sim-server", "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("KLING_ACCESS_KEY")
        .env_remove("KLING_SECRET_KEY")
        .env_remove("KLING_API_KEY")
        .env_remove("SHOTDECK_GATEWAY_KEY")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("sim-server starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("sim-server says where it listens")
        .unwrap()
        .unwrap_or_default();
    let base = first
        .split(" at ")
        .nth(1)
        .expect("the first line names the base URL")
        .trim()
        .to_string();
    // Keep reading so the pipe never fills.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

async fn sim_stats(base: &str) -> Value {
    reqwest::get(format!("{base}/__sim/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(out)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_terminals_share_one_queue_one_ledger_one_budget_and_one_account_limit() {
    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    let store = (server.as_str(), schema.as_str());
    let (_sim, base) = sim_server(&["--task-seconds", "1.5", "--max-in-flight", "2"]).await;
    let base = base.as_str();
    let (alice, bob) = (Machine::new("alice"), Machine::new("bob"));
    // Alice names the account in config.toml, Bob in the environment.
    std::fs::create_dir_all(alice.config_toml().parent().unwrap()).unwrap();
    std::fs::write(alice.config_toml(), "[store]\naccount = \"studio-a\"\n").unwrap();
    let bob_env: &[(&str, &str)] = &[("SHOTDECK_ACCOUNT", "studio-a")];
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let board_of = |m: &Machine| {
        let board = m.home.path().join("noir.json");
        std::fs::copy(examples.join("noir-3-shot.json"), &board).unwrap();
        board.to_string_lossy().into_owned()
    };
    let (board_a, board_b) = (board_of(&alice), board_of(&bob));

    // The account: two slots, $5 a day for the team (three jobs at ≈ $1.51 fit, not four).
    let out = alice
        .run(
            base,
            store,
            &[
                "account",
                "set",
                "--max-in-flight",
                "2",
                "--day-budget",
                "5",
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let said = text(&out.stdout);
    assert!(
        said.contains("account        studio-a") && said.contains("day budget     $5.00"),
        "{said}"
    );
    let out = bob
        .run_with(
            base,
            store,
            &["account", "set", "--max-in-flight", "0"],
            bob_env,
        )
        .await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("max_in_flight: must be from 1 to 1000"),
        "{}",
        describe(&out)
    );

    // Three submits at once from both terminals: the third waits for a slot.
    let with = |b: &'static str| ["submit", b, "--yes", "--wait", "--timeout", "60"];
    let (board_a, board_b): (&'static str, &'static str) = (board_a.leak(), board_b.leak());
    let (args_a, args_b) = (with(board_a), with(board_b));
    let (a1, a2, b1) = tokio::join!(
        alice.run(base, store, &args_a),
        alice.run(base, store, &args_a),
        bob.run_with(base, store, &args_b, bob_env),
    );
    for out in [&a1, &a2, &b1] {
        assert_eq!(out.status.code(), Some(0), "{}", describe(out));
    }
    let stats = sim_stats(base).await;
    assert_eq!(stats["creates_accepted"], 3, "{stats}");
    assert!(stats["max_in_flight_seen"].as_u64() <= Some(2), "{stats}");
    // Every create attempt was accepted: none was refused as over the limit (1303).
    let attempts: u64 = stats["creates_by_external_id"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(attempts, 3, "{stats}");

    // The day budget is the team's: Bob is refused once Alice's jobs spent it.
    let out = bob
        .run_with(base, store, &["submit", board_b, "--yes"], bob_env)
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("over budget"),
        "{}",
        describe(&out)
    );
    let after = sim_stats(base).await;
    assert_eq!(after["api_requests"], stats["api_requests"], "nothing sent");

    // Each terminal lists both users' jobs, with who submitted each.
    for (m, env) in [(&alice, &[][..]), (&bob, bob_env)] {
        let out = m.run_with(base, store, &["jobs"], env).await;
        let listed = text(&out.stdout);
        assert!(
            listed.lines().next().unwrap_or("").contains("  BY  "),
            "{listed}"
        );
        assert_eq!(listed.matches("  alice@").count(), 2, "{listed}");
        assert_eq!(listed.matches("  bob@").count(), 1, "{listed}");
    }

    // One ledger: by user on one terminal, by account on the other.
    let out = bob
        .run_with(base, store, &["spend", "--by", "user", "--json"], bob_env)
        .await;
    let spend = json(&out);
    let groups = spend["groups"].as_array().unwrap();
    let users: Vec<(&str, u64)> = groups
        .iter()
        .map(|g| (g["key"].as_str().unwrap(), g["jobs"].as_u64().unwrap()))
        .collect();
    assert_eq!(users, [("alice", 2), ("bob", 1)], "{spend}");
    let sum: f64 = groups
        .iter()
        .map(|g| g["counted_usd"].as_f64().unwrap())
        .sum();
    assert!(
        (sum - spend["total_usd"].as_f64().unwrap()).abs() < 1e-9,
        "{spend}"
    );
    assert!(sum > 4.0 && sum <= 5.0, "{spend}");
    assert_eq!(spend["account"]["name"], "studio-a", "{spend}");
    let out = alice.run(base, store, &["spend", "--by", "account"]).await;
    let said = text(&out.stdout);
    assert!(
        said.lines().nth(1).unwrap_or("").starts_with("studio-a "),
        "{said}"
    );
    assert!(
        said.contains("team   account studio-a (day budget $5.00"),
        "{said}"
    );

    // The account as both see it: the limit Alice set, no slot held now.
    let out = bob
        .run_with(base, store, &["account", "--json"], bob_env)
        .await;
    let account = json(&out);
    assert_eq!(account["max_in_flight"], 2, "{account}");
    assert_eq!(account["slots_in_use"], 0, "{account}");
    assert_eq!(account["day_budget_usd"], 5.0, "{account}");
}
