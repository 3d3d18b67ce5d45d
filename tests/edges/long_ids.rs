//! Ids no real provider sends: a task id, external id or video URL tens of thousands of
//! characters long is an odd answer (shown by its start and length, never stored whole),
//! and `shotdeck jobs` still lists a store that holds one from before that rule.

use std::path::Path;
use std::process::Command;

use serde_json::json;
use shotdeck::core::gateway_profile::GatewayProfile;
use shotdeck::core::{Board, Provider, compose, compose::PlaceholderImages};
use shotdeck::engine::events::JobPhase;
use shotdeck::engine::store::{JobChange, NewJob, STORE_FILE, Store, now_ms};
use shotdeck::providers::{
    ProviderError, parse_gateway_created, parse_gateway_task, parse_kling_task, parse_relay_task,
};

/// Past the 65,535 a format width may be, where `shotdeck jobs` used to panic.
const LONG: usize = 70_000;

fn assert_odd(what: &str, parsed: Result<shotdeck::providers::TaskSnapshot, ProviderError>) {
    match parsed {
        Err(ProviderError::Malformed(msg)) => {
            assert!(
                msg.contains(&format!("{LONG} characters long")),
                "{what}: {msg}"
            );
            assert!(msg.len() < 400, "{what}: the message quotes the whole id");
        }
        other => panic!("{what}: expected an odd answer, got {other:?}"),
    }
}

#[test]
fn over_long_ids_and_urls_in_answers_are_odd_answers() {
    let id = "8".repeat(LONG);
    // Kling's query answer ("data.task_id", "task_result.videos[].url").
    let kling = json!({"code": 0, "message": "SUCCEED", "data": {
        "task_id": id, "task_status": "submitted"}});
    assert_odd(
        "kling task_id",
        parse_kling_task(200, kling.to_string().as_bytes()),
    );
    let url = format!("https://cdn.example/{}", "u".repeat(LONG - 20));
    let video = json!({"code": 0, "message": "SUCCEED", "data": {
        "task_id": "1", "task_status": "succeed",
        "task_result": {"videos": [{"id": "v", "url": url, "duration": "5"}]}}});
    assert_odd(
        "kling video url",
        parse_kling_task(200, video.to_string().as_bytes()),
    );
    let external = json!({"code": 0, "message": "SUCCEED", "data": {
        "task_id": "1", "task_status": "submitted",
        "task_info": {"external_task_id": id}}});
    assert_odd(
        "external id",
        parse_kling_task(200, external.to_string().as_bytes()),
    );
    // new-api's create answer (`task_id`) and its poll answer.
    let created = json!({"task_id": id});
    assert_odd(
        "gateway create",
        parse_gateway_created(200, created.to_string().as_bytes()),
    );
    let polled = json!({"code": "success", "data": {"task_id": id, "status": "IN_PROGRESS"}});
    let profile = GatewayProfile::default();
    let body = polled.to_string();
    assert_odd(
        "gateway poll",
        parse_gateway_task(200, body.as_bytes(), "t", &profile),
    );
    let flat = json!({"code": 0, "message": "", "task_id": id});
    assert_odd(
        "relay create",
        parse_relay_task(200, flat.to_string().as_bytes()),
    );
}

fn shotdeck(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotdeck"));
    c.args(args)
        .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
        .env("SHOTDECK_DATA_DIR", dir.join("data"))
        .env("SHOTDECK_STATE_DIR", dir.join("state"));
    c
}

#[test]
fn the_jobs_table_lists_a_stored_over_long_task_id_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut store = Store::open(&data.join(STORE_FILE)).unwrap();
    let board = Board::starter();
    let ext = "shotdeck-long-id";
    let request = compose(&board, Provider::Kling, &PlaceholderImages, ext).unwrap();
    let job = NewJob {
        board_key: None,
        board_path: dir.path().join("noir.json"),
        board,
        provider: Provider::Kling,
        request,
        external_task_id: ext.into(),
        estimated_usd: Some(1.01),
        retry_of: None,
    };
    let now = now_ms();
    let id = store.insert_job(&job, "test", now + 60_000, now).unwrap();
    let change = JobChange {
        phase: Some(JobPhase::Failed),
        task_id: Some("9".repeat(LONG)),
        ..JobChange::default()
    };
    store.apply(id, "test", &change, now).unwrap().unwrap();
    drop(store);
    let out = shotdeck(dir.path(), &["jobs"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("failed"));
}
