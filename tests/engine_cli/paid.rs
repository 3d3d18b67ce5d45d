//! What a paid submit asks first (`--yes`, `--dry-run`, `--max-cost`), and what happens when
//! a gateway create's answer is lost (needs attention, then `jobs attach` or `jobs lost`).

use super::{Setup, describe, text};
use std::path::Path;

/// Rewrites the board file at `path` through `change`.
pub(super) fn edit_board(path: &Path, change: impl FnOnce(&mut serde_json::Value)) {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    change(&mut json);
    std::fs::write(path, json.to_string()).unwrap();
}
use shotdeck::sim::Faults;

#[tokio::test]
async fn a_paid_submit_from_a_script_needs_yes_and_a_dry_run_sends_nothing() {
    let s = Setup::new(Faults::default()).await;
    let board = s.board("image-to-video.json");
    let b = board.to_str().unwrap();

    // stdin is not a terminal here: no --yes, no money.
    let out = s.run(&["submit", b]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(err.contains("pass --yes"), "{err}");
    // The price and the file that would leave the machine are said first.
    assert!(
        err.contains('$') && err.contains("uploads images/"),
        "{err}"
    );

    let out = s.run(&["submit", b, "--dry-run"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let request: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(request["method"], "POST");
    assert!(
        request["body"]["image"]
            .as_str()
            .unwrap()
            .starts_with("<base64 of")
    );
    assert!(text(&out.stderr).contains("nothing was recorded or sent"));

    // Neither asked the provider for anything, nor recorded a job.
    assert_eq!(s.sim.stats().api_requests, 0);
    let jobs = s.run(&["jobs", "--json"]).await;
    let listed: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap_or_default();
    assert!(listed.as_array().is_none_or(|a| a.is_empty()), "{listed}");
}

/// 4k is on no official page: the cost line a paid submit shows (and the dry run) says so.
#[tokio::test]
async fn a_4k_submit_says_unverified_before_it_asks_for_money() {
    let s = Setup::new(Faults::default()).await;
    let board = s.board("single-shot.json");
    edit_board(&board, |json| json["quality"] = "4k".into());
    let b = board.to_str().unwrap();
    for args in [vec!["submit", b, "--dry-run"], vec!["submit", b]] {
        let out = s.run(&args).await;
        let err = text(&out.stderr);
        assert!(
            err.contains("; unverified: quality \"4k\" on /v1/videos/text2video (kling-v3)"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(s.sim.stats().api_requests, 0);
    // new-api forwards `mode` to the same Kling endpoint: just as unverified through it.
    for provider in ["newapi", "gateway"] {
        let out = s
            .run(&["submit", b, "--dry-run", "--provider", provider])
            .await;
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!(
                "; unverified: quality \"4k\" on {provider} forwards it to /v1/videos/text2video"
            )),
            "{provider}: {err}"
        );
    }
    assert_eq!(s.sim.stats().api_requests, 0);
}

/// On the v2 design 4k is `settings.resolution`: no legacy endpoint is named, and the shot
/// list is said to go in the prompt.
#[tokio::test]
async fn a_v2_4k_submit_is_described_in_the_v2_designs_words() {
    let s = Setup::new(Faults::default()).await;
    super::money::write_config(&s, "[profiles.kling]\nroute = \"v2\"\n");
    let board = s.board("noir-3-shot.json");
    edit_board(&board, |json| {
        json["quality"] = "4k".into();
        // v2 ends a shot at ";" (refused); this board's shots use one.
        for shot in json["shots"].as_array_mut().unwrap() {
            let prompt = shot["prompt"].as_str().unwrap().replace(';', ",");
            shot["prompt"] = prompt.into();
        }
    });
    let b = board.to_str().unwrap();
    for args in [vec!["submit", b, "--dry-run"], vec!["submit", b]] {
        let out = s.run(&args).await;
        let err = text(&out.stderr);
        assert!(
            !err.contains("unverified") && !err.contains("/v1/videos/"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("kling carries: 3 shots written in the prompt"),
            "{args:?}: {err}"
        );
        assert!(err.contains("Route: kling v2 (api key)"), "{args:?}: {err}");
    }
    assert_eq!(s.sim.stats().api_requests, 0);
}

#[tokio::test]
async fn max_cost_refuses_before_anything_is_sent() {
    let s = Setup::new(Faults::default()).await;
    let board = s.board("noir-3-shot.json");
    let b = board.to_str().unwrap();
    let out = s.run(&["submit", b, "--yes", "--max-cost", "0.10"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stderr).contains("above --max-cost $0.10"));
    assert_eq!(s.sim.stats().api_requests, 0);

    let out = s.run(&["submit", b, "--yes", "--max-cost", "lots"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));

    // Under the ceiling it goes through, once.
    let out = s
        .run(&["submit", b, "--yes", "--max-cost", "$50", "--wait"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(s.sim.stats().creates_accepted, 1);
}

#[tokio::test]
async fn a_lost_gateway_answer_needs_attention_then_attach_or_lost_ends_it() {
    use shotdeck::sim::ScriptedFault;
    let faults = Faults {
        script: vec![
            ScriptedFault::DropAfterCreate,
            ScriptedFault::DropAfterCreate,
        ],
        ..Faults::default()
    };
    let s = Setup::new(faults).await;
    let board = s.board("single-shot.json");
    let b = board.to_str().unwrap();
    for _ in 0..2 {
        let out = s
            .run(&["submit", b, "--provider", "gateway", "--yes", "--wait"])
            .await;
        // 5: needs attention (the create's fate is unknown: money may have been spent).
        assert_eq!(out.status.code(), Some(5), "{}", describe(&out));
        let err = text(&out.stderr);
        assert!(err.contains("needs attention"), "{err}");
        assert!(err.contains("shotdeck jobs attach"), "{err}");
    }
    let list = s.run(&["jobs"]).await;
    assert_eq!(
        text(&list.stdout)
            .matches("needs_attention  gateway")
            .count(),
        2,
        "{}",
        describe(&list)
    );

    // Job 1: the user finds the task on the dashboard and attaches it.
    let ext = |id: &str| {
        let store =
            shotdeck::engine::store::Store::open(&s.dir.path().join("data/jobs.sqlite3")).unwrap();
        store
            .record(id.parse().unwrap())
            .unwrap()
            .unwrap()
            .view
            .external_task_id
    };
    let task = s
        .sim
        .dashboard_task_id(&ext("1"))
        .expect("the task was made");
    let out = s.run(&["jobs", "attach", "1", &task]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stderr).contains("polling resumes"));
    // Job 2: nothing there; the user marks it lost.
    let out = s.run(&["jobs", "lost", "2"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let show = text(&s.run(&["jobs", "show", "2"]).await.stdout);
    assert!(
        show.contains("job 2  failed") && show.contains("[lost]"),
        "{show}"
    );
    let again = s.run(&["jobs", "lost", "2"]).await;
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("not waiting for attention"));
    let stats = s.sim.stats();
    assert_eq!(stats.creates_accepted, 2, "nothing was re-sent");
}
