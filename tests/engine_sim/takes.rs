//! Takes through the engine: each submit of a board is the next take, the keeper mark is
//! set and moved by command, and a comparison gets both takes with what is on disk.

use sha2::{Digest, Sha256};
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::JobCmd;
use shotdeck::sim::SAMPLE_MP4;

use crate::support::*;

#[tokio::test]
async fn submits_are_numbered_takes_with_a_movable_keeper_and_a_comparison() {
    let h = Harness::start(0.3).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let board = "image-to-video.json";
    let (first, _) = submit(&h, &engine, &mut events, board, Provider::Kling).await;
    let (second, _) = submit(&h, &engine, &mut events, board, Provider::Kling).await;
    let (other, _) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    for id in [first, second, other] {
        events.finished(id).await;
    }
    assert_eq!(events.latest[&first].take, 1);
    assert_eq!(events.latest[&second].take, 2);
    assert_eq!(events.latest[&other].take, 1, "takes count per board");

    engine
        .cmd_tx
        .try_send(JobCmd::SetKeeper {
            id: first,
            keep: true,
        })
        .unwrap();
    events
        .wait_for("take 1 kept", |v| v.id == first && v.keeper)
        .await;
    engine
        .cmd_tx
        .try_send(JobCmd::SetKeeper {
            id: second,
            keep: true,
        })
        .unwrap();
    events
        .wait_for("take 2 kept", |v| v.id == second && v.keeper)
        .await;
    assert!(
        !events.latest[&first].keeper,
        "the mark moved: one keeper per board"
    );
    engine
        .cmd_tx
        .try_send(JobCmd::SetKeeper {
            id: 9_999,
            keep: true,
        })
        .unwrap();
    assert!(events.rejection().await.to_string().contains("9999"));

    engine
        .cmd_tx
        .try_send(JobCmd::Compare(first, second))
        .unwrap();
    let [a, b] = events.compared().await;
    assert_eq!((a.id, a.take, b.id, b.take), (first, 1, second, 2));
    assert_eq!(a.board, b.board);
    assert_eq!(a.estimated_usd, events.latest[&first].estimated_usd);
    let png = std::fs::read(h.dir.path().join("boards/images/street-first-frame.png")).unwrap();
    // The image file's own SHA-256, as `sha256sum` and the sidecar name it.
    let hash: String = Sha256::digest(&png)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for take in [&a, &b] {
        let file = &take.files[0];
        assert_eq!(file.bytes, Some(SAMPLE_MP4.len() as u64));
        assert_eq!(file.media_seconds, Some(1.0), "the sample clip is 1 s");
        assert_eq!(take.images[0].slot, "first_frame");
        assert_eq!(take.images[0].sha256.as_deref(), Some(hash.as_str()));
    }
    // A video deleted since shows as missing, not as its recorded size.
    std::fs::remove_file(&b.files[0].path).unwrap();
    engine
        .cmd_tx
        .try_send(JobCmd::Compare(first, second))
        .unwrap();
    let [_, b] = events.compared().await;
    assert_eq!(b.files[0].bytes, None);
    shutdown(engine).await;
}
