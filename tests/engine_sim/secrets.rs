//! Keys never reach the job store or anything the engine reports.

use shotdeck::core::provider::Provider;
use shotdeck::engine::events::JobPhase;
use shotdeck::engine::store::Store;
use shotdeck::sim::SimKeys;

use crate::support::*;

/// Every byte of the store: the database and, while open, its WAL and shared memory.
fn scan_store_files(h: &Harness, secrets: &[&String]) {
    let mut scanned = 0;
    for entry in std::fs::read_dir(h.store_path().parent().unwrap()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            // The WAL is removed when the last connection closes.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        scanned += 1;
        let text = String::from_utf8_lossy(&bytes);
        for s in secrets {
            assert!(!text.contains(s.as_str()), "{} holds a key", path.display());
        }
        assert!(
            !text.contains("Bearer"),
            "{} holds an auth header",
            path.display()
        );
    }
    assert!(scanned >= 1);
}

#[tokio::test]
async fn no_key_is_stored_or_reported() {
    let keys = SimKeys {
        access_key: "ak-4cc355-only-in-env".into(),
        secret_key: "s3cr3t-only-in-env".into(),
        api_key: "sk-4p1-only-in-env".into(),
    };
    let h = Harness::with_keys(0.3, keys.clone()).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let mut ids = Vec::new();
    for provider in [Provider::Kling, Provider::Gateway] {
        ids.push(
            submit(&h, &engine, &mut events, "image-to-video.json", provider)
                .await
                .0,
        );
    }
    for id in &ids {
        assert_eq!(events.finished(*id).await.phase, JobPhase::Done);
    }
    let secrets = [&keys.access_key, &keys.secret_key, &keys.api_key];
    // Recent writes sit in the WAL while the engine runs; the last connection to close
    // folds them into the main file.
    scan_store_files(&h, &secrets);
    shutdown(engine).await;
    scan_store_files(&h, &secrets);
    let store = Store::open(&h.store_path()).unwrap();
    for id in &ids {
        let rec = store.record(*id).unwrap().unwrap();
        let shown = format!("{rec:?} {}", serde_json::to_string(&rec).unwrap());
        for s in secrets {
            assert!(!shown.contains(s.as_str()));
        }
        // The request stored is the composed body: images, prompts, the idempotency key.
        assert!(rec.request.body.get("image").is_some());
        assert_eq!(
            rec.request.body["external_task_id"],
            rec.view.external_task_id.as_str()
        );
    }
    for v in &events.history {
        let shown = format!("{v:?}");
        for s in secrets {
            assert!(!shown.contains(s.as_str()));
        }
    }
}
