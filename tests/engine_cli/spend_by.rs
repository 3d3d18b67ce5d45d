//! `spend --by` and `account` on one machine's SQLite store: the jobs are the local user's,
//! the account is the configured one, and `account set` refuses, saying where each setting
//! lives instead.

use shotdeck::engine::store::now_ms;
use shotdeck::sim::Faults;

use super::money::{recorded, write_config};
use super::{Setup, describe, text};

#[tokio::test]
async fn spend_by_sums_per_group_with_the_local_user_and_the_configured_account() {
    let s = Setup::new(Faults::default()).await;
    write_config(&s, "[store]\naccount = \"studio-a\"\n");
    let day = 86_400_000;
    recorded(&s, now_ms() - 2 * day, None);
    recorded(&s, now_ms(), None);
    // Failed at create (a task id of its own, so it was charged): counts at its estimate.
    recorded(&s, now_ms(), Some("t-1"));

    let out = s.run(&["spend", "--by", "user", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let spend: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let groups = spend["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{spend}");
    assert_eq!(groups[0]["key"], shotdeck::engine::store::local_user());
    assert_eq!(groups[0]["jobs"], 3);
    assert!((groups[0]["counted_usd"].as_f64().unwrap() - 3.03).abs() < 1e-9);
    assert!(
        spend.get("jobs").is_none() && spend.get("account").is_none(),
        "{spend}"
    );

    let out = s.run(&["spend", "--by", "day"]).await;
    let table = text(&out.stdout);
    let rows: Vec<&str> = table
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("total"))
        .collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert!(rows[0] < rows[1], "days in calendar order: {table}");
    assert!(rows[1].contains("$2.02"), "{table}");

    let out = s.run(&["spend", "--by", "account"]).await;
    assert!(
        text(&out.stdout)
            .lines()
            .nth(1)
            .unwrap_or("")
            .starts_with("studio-a ")
    );

    let out = s.run(&["account"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        text(&out.stdout).contains("none shared"),
        "{}",
        describe(&out)
    );
    let out = s.run(&["account", "--json"]).await;
    assert_eq!(text(&out.stdout).trim(), "null", "{}", describe(&out));
    let out = s.run(&["account", "set", "--max-in-flight", "2"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("keeps no shared account") && err.contains("[budget] per_day"),
        "{err}"
    );
    assert_eq!(s.sim.stats().api_requests, 0, "nothing was sent");
}
