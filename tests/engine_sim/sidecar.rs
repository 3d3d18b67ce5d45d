//! Every video explains itself: a sidecar with the board, the request without its Base64,
//! the ids, cost and timings and the video's hash; its length checked against the request;
//! and `shotdeck new --from` gives the board back.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use shotdeck::core::provider::Provider;
use shotdeck::engine::sidecar::{self, Sidecar};
use shotdeck::engine::store::Store;
use shotdeck::files::board_file;

use crate::support::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_downloaded_video_gets_a_sidecar_and_a_duration_check() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let (id, ext) = submit(
        &h,
        &engine,
        &mut events,
        "image-to-video.json",
        Provider::Kling,
    )
    .await;
    let done = events.finished(id).await;
    let file = &done.files[0];
    let video = std::fs::read(&file.path).unwrap();

    // The simulator's sample clip is 1 s; the board asks for more: noted, not failed.
    assert_eq!(file.media_seconds, Some(1.0));
    assert_eq!(done.phase.as_str(), "done");
    let mismatches = done.duration_mismatches();
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    let rec = Store::open(&h.store_path())
        .unwrap()
        .record(id)
        .unwrap()
        .unwrap();
    assert!(
        rec.history.iter().any(|e| e
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("duration check: ") && n.contains("1.0 s"))),
        "{:#?}",
        rec.history
    );

    let side_path = sidecar::sidecar_path(&file.path);
    let text = std::fs::read_to_string(&side_path).unwrap();
    let png = std::fs::read(h.dir.path().join("boards/images/street-first-frame.png")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
    assert!(!text.contains(&b64[..200]), "no Base64 in the sidecar");
    assert!(
        text.lines().all(|l| l.len() < 1000),
        "no long strings at all"
    );
    let s: Sidecar = serde_json::from_str(&text).unwrap();
    assert_eq!(s.job_id, id);
    assert_eq!(s.external_task_id, ext);
    assert_eq!(s.task_id, done.task_id);
    assert_eq!(s.provider, Provider::Kling);
    assert_eq!(s.board, rec.board);
    assert_eq!(s.video.sha256, hex(&Sha256::digest(&video)));
    assert_eq!(s.video.bytes, video.len() as u64);
    assert_eq!(s.video.duration_seconds, Some(1.0));
    assert!(s.video.duration_mismatch.is_some());
    let image = &s.request["body"]["image"];
    assert_eq!(image["sha256"], hex(&Sha256::digest(&png)).as_str());
    assert_eq!(image["bytes"], png.len());
    assert_eq!(image["file"], rec.board.first_frame.as_deref().unwrap());
    assert_eq!(s.cost.estimated_usd, done.estimated_usd);
    assert!(
        s.cost.units_charged.is_some(),
        "the simulator reports units"
    );
    assert!(s.timings.submitted_at_ms.is_some() && s.timings.succeeded_at_ms.is_some());
    assert!(s.timings.created_at_ms <= s.timings.downloaded_at_ms);
    shutdown(engine).await;

    // `new --from` writes that board back, and refuses to overwrite.
    let again = h.dir.path().join("boards/again.json");
    let new_from = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"))
            .args([
                "new".as_ref(),
                again.as_os_str(),
                "--from".as_ref(),
                side_path.as_os_str(),
            ])
            .env("SHOTDECK_CONFIG_DIR", h.dir.path().join("config"))
            .output()
            .unwrap()
    };
    let out = new_from();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(board_file::load(&again).unwrap(), rec.board);
    let out = new_from();
    assert_eq!(out.status.code(), Some(1), "refuses to overwrite");
}
