//! A retry that resends a job's stored request works for every provider: the second create
//! carries a fresh `external_task_id` in every place the provider's body keeps one, and the
//! same board content. Gateway bodies keep the key at the top level, in `metadata`, or both.

use serde_json::Value;
use shotdeck::core::compose::{PlaceholderImages, compose};
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::Refusal;
use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::engine::store::{JobChange, NewJob, Store, now_ms};

use crate::restart::starter_job;
use crate::support::*;

/// Where a gateway body keeps the key.
#[derive(Clone, Copy, Debug)]
enum KeyPlace {
    Flat,
    Metadata,
    Both,
}

/// The places a body carries `external_task_id`, and the body with them taken out (the
/// board content a resend must keep as it was).
fn split_key(body: &Value) -> (Vec<String>, Value) {
    let mut rest = body.clone();
    let mut keys = Vec::new();
    if let Some(k) = rest
        .as_object_mut()
        .and_then(|b| b.remove("external_task_id"))
    {
        keys.push(k.as_str().unwrap().to_string());
    }
    if let Some(k) = rest
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove("external_task_id"))
    {
        keys.push(k.as_str().unwrap().to_string());
    }
    (keys, rest)
}

/// Moves a gateway body's key to `place` (the gateway form keeps Kling's fields flat, in
/// `metadata`, or both, depending on the profile).
fn key_gateway_body(body: &mut Value, ext: &str, place: KeyPlace) {
    let map = body.as_object_mut().unwrap();
    map.remove("external_task_id");
    let metadata = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Default::default()))
        .as_object_mut()
        .unwrap();
    metadata.remove("external_task_id");
    if matches!(place, KeyPlace::Metadata | KeyPlace::Both) {
        metadata.insert("external_task_id".into(), ext.into());
    }
    if matches!(place, KeyPlace::Flat | KeyPlace::Both) {
        map.insert("external_task_id".into(), ext.into());
    }
}

/// A finished job whose create the provider never saw (so the first key was never sent),
/// recorded with `request`'s body as it would have been stored.
fn failed_job(h: &Harness, provider: Provider, gateway_place: Option<KeyPlace>) -> (i64, NewJob) {
    let mut job = starter_job(h, provider);
    if provider == Provider::NewApi {
        // Stock new-api carries no shot list: its jobs are single-shot boards.
        job.board.multi_shot = false;
        job.board.prompt = "a lighthouse at dusk".into();
        job.board.duration = 5.0;
        job.request = compose(
            &job.board,
            provider,
            &PlaceholderImages,
            &job.external_task_id,
        )
        .unwrap();
    }
    if let Some(place) = gateway_place {
        key_gateway_body(&mut job.request.body, &job.external_task_id, place);
    }
    let now = now_ms();
    let mut store = Store::open(&h.store_path()).unwrap();
    let id = store
        .insert_job(&job, "earlier", now - 1, now - 10)
        .unwrap();
    let failed = JobChange::phase(JobPhase::Failed).with_note("failed before this test");
    store
        .apply(id, "earlier", &failed, now - 5)
        .unwrap()
        .unwrap();
    (id, job)
}

async fn resend_stored_request(provider: Provider, gateway_place: Option<KeyPlace>) {
    let h = Harness::start(0.2).await;
    let (id, first) = failed_job(&h, provider, gateway_place);
    let (first_keys, first_content) = split_key(&first.request.body);
    assert!(!first_keys.is_empty());
    if provider == Provider::NewApi {
        assert!(first.request.body["metadata"]["external_task_id"].is_string());
    }
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);

    engine.cmd_tx.try_send(JobCmd::Retry(id)).unwrap();
    let retried = events.wait_for("the retry", |v| v.id != id).await;
    let done = events.finished(retried.id).await;
    let case = format!("{provider:?} {gateway_place:?}");
    assert_eq!(done.phase, JobPhase::Done, "{case}: {:?}", done.error);

    let new_ext = retried.external_task_id.clone();
    assert_ne!(new_ext, first.external_task_id, "{case}: a fresh key");
    let store = Store::open(&h.store_path()).unwrap();
    let second = store.record(retried.id).unwrap().unwrap();
    assert_eq!(second.retry_of, Some(id));
    let (second_keys, second_content) = split_key(&second.request.body);
    assert_eq!(
        second_keys,
        vec![new_ext.clone(); first_keys.len()],
        "{case}: every place the first body kept the key carries the new one, and no other"
    );
    assert_eq!(
        second_content, first_content,
        "{case}: the same board content"
    );
    assert_eq!(second.request.path, first.request.path);
    // The provider received the new key, and never the old one.
    let stats = h.sim.stats();
    assert_eq!(
        stats.creates_by_external_id.get(&new_ext),
        Some(&1),
        "{case}"
    );
    assert_eq!(
        stats.creates_by_external_id.get(&first.external_task_id),
        None,
        "{case}"
    );
    assert_eq!(stats.creates_accepted, 1, "{case}");
    shutdown(engine).await;
}

#[tokio::test]
async fn a_kling_job_is_resent_with_a_fresh_key_at_the_top_level() {
    resend_stored_request(Provider::Kling, None).await;
}

#[tokio::test]
async fn a_kling_relay_job_is_resent_with_a_fresh_key_in_klings_body() {
    resend_stored_request(Provider::KlingRelay, None).await;
}

#[tokio::test]
async fn a_gateway_job_keyed_at_the_top_level_is_resent_with_a_fresh_key() {
    resend_stored_request(Provider::Gateway, Some(KeyPlace::Flat)).await;
}

#[tokio::test]
async fn a_gateway_job_keyed_in_metadata_is_resent_with_a_fresh_key() {
    resend_stored_request(Provider::Gateway, Some(KeyPlace::Metadata)).await;
}

#[tokio::test]
async fn a_gateway_job_keyed_in_both_places_is_resent_with_a_fresh_key_in_both() {
    resend_stored_request(Provider::Gateway, Some(KeyPlace::Both)).await;
}

#[tokio::test]
async fn a_newapi_job_is_resent_with_a_fresh_key_in_metadata() {
    // Stock new-api reads Kling's fields only from `metadata`, so its profile keeps the
    // key there (checked in `resend_stored_request`).
    resend_stored_request(Provider::NewApi, None).await;
}

#[tokio::test]
async fn a_stored_request_without_a_key_is_refused_and_nothing_is_sent() {
    let h = Harness::start(0.2).await;
    let (id, _) = failed_job(&h, Provider::Kling, None);
    {
        // An old record whose body lost its key: a resend could never be reconciled.
        let conn = rusqlite::Connection::open(h.store_path()).unwrap();
        let stored: String = conn
            .query_row("SELECT request_json FROM jobs WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        let mut request: Value = serde_json::from_str(&stored).unwrap();
        request["body"]
            .as_object_mut()
            .unwrap()
            .remove("external_task_id");
        conn.execute(
            "UPDATE jobs SET request_json = ?1 WHERE id = ?2",
            rusqlite::params![request.to_string(), id],
        )
        .unwrap();
    }
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    engine.cmd_tx.try_send(JobCmd::Retry(id)).unwrap();
    let refusal = events.rejection().await;
    assert!(
        matches!(refusal, Refusal::NoKeyToReplace { .. }),
        "{refusal:?}"
    );
    let reason = refusal.to_string();
    assert!(reason.contains("no external_task_id"), "{reason}");
    assert!(reason.contains("nothing was sent"), "{reason}");
    assert_eq!(h.sim.stats().creates_accepted, 0);
    shutdown(engine).await;
}
