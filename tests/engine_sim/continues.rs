//! A board whose sequence says it continues from the previous board's keeper, end to end on
//! the simulator: refused (nothing recorded) while the previous board has no keeper; then
//! sent with the keeper's result URL as omni-video's reference video, or — on a model that
//! takes no video — with the keeper's last frame, decoded to a PNG, as its first frame.

use base64::Engine as _;
use shotdeck::core::jobs::Refusal;
use shotdeck::core::provider::Provider;
use shotdeck::core::sequence::ContinueHow;
use shotdeck::engine::events::{JobCmd, JobView};
use shotdeck::engine::store::PageQuery;

use crate::support::*;

/// Writes the sequence (`first` then `second`, continuing) and a second board made from
/// the `single-shot` example with `edit` applied.
fn sequence(h: &Harness, edit: impl Fn(&mut serde_json::Value)) -> std::path::PathBuf {
    let first = h.board("single-shot.json");
    let second = first.with_file_name("02-next.json");
    let mut board: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    board["duration"] = 5.into();
    edit(&mut board);
    std::fs::write(&second, serde_json::to_string_pretty(&board).unwrap()).unwrap();
    std::fs::write(
        first.with_file_name("sequence.toml"),
        "boards = [\"single-shot.json\", { board = \"02-next.json\", continue_from = \"previous\" }]\n",
    )
    .unwrap();
    second
}

/// The first board's take, done and made the keeper.
async fn keeper(
    h: &Harness,
    engine: &shotdeck::engine::EngineHandle,
    events: &mut Events,
) -> JobView {
    let (id, _) = submit(h, engine, events, "single-shot.json", Provider::Kling).await;
    events.finished(id).await;
    engine
        .cmd_tx
        .try_send(JobCmd::SetKeeper { id, keep: true })
        .unwrap();
    events.wait_for("kept", |v| v.id == id && v.keeper).await
}

async fn send_second(
    h: &Harness,
    engine: &shotdeck::engine::EngineHandle,
    events: &mut Events,
    second: &std::path::Path,
) -> Result<JobView, Refusal> {
    let request = h.submit_request(second, Provider::Kling);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    events.outcome(ticket).await
}

#[tokio::test]
async fn without_a_keeper_nothing_is_recorded() {
    let h = Harness::start(0.2).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let second = sequence(&h, |_| {});
    match send_second(&h, &engine, &mut events, &second).await {
        Err(Refusal::Continues {
            board,
            from,
            file,
            why,
        }) => {
            assert_eq!(
                (board.as_str(), file.as_str()),
                ("02-next", "sequence.toml")
            );
            assert_eq!(from, "continues from single-shot, which has no keeper yet");
            assert!(why.contains("keeper"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    let store = h.store("check").await;
    let page = store
        .page(PageQuery {
            board: None,
            below: i64::MAX,
            limit: 50,
            filter: None,
        })
        .await
        .unwrap();
    assert!(page.jobs.is_empty(), "nothing recorded");
    shutdown(engine).await;
}

#[tokio::test]
async fn on_omni_the_create_carries_the_keepers_url_as_video_list() {
    let h = Harness::start(0.2).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let second = sequence(&h, |b| b["model"] = "kling-v3-omni".into());
    let on_disk = std::fs::read(&second).unwrap();
    let kept = keeper(&h, &engine, &mut events).await;
    let url = kept.files[0].url.clone();
    assert!(url.starts_with("http://127.0.0.1"), "{url}");

    let job = send_second(&h, &engine, &mut events, &second)
        .await
        .unwrap();
    let done = events.finished(job.id).await;
    assert_eq!(
        h.sim.video_references(&done.external_task_id),
        Some(vec![url.clone()]),
        "the simulator's omni-video create received video_list with board 1's keeper"
    );
    engine.cmd_tx.try_send(JobCmd::Details(job.id)).unwrap();
    let record = events.details().await;
    let body = &record.request.body;
    assert_eq!(body["video_list"][0]["refer_type"], "feature");
    assert_eq!(body["video_list"][0]["keep_original_sound"], "no");
    assert!(
        body["prompt"]
            .as_str()
            .unwrap()
            .starts_with("Continue from <<<video_1>>>: ")
    );
    let continues = record
        .board
        .continues
        .expect("the record keeps the continuation");
    assert_eq!(
        (continues.board.as_str(), continues.take),
        ("single-shot", kept.take)
    );
    assert_eq!(
        continues.how,
        ContinueHow::VideoReference {
            video_url: url.clone(),
            finished_at: kept.finished_at,
        }
    );
    // The video's sidecar says which take it continued from.
    let sidecar = done.files[0].path.with_extension("json");
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sidecar).unwrap()).unwrap();
    assert_eq!(sidecar["board"]["continues"]["board"], "single-shot");
    assert_eq!(sidecar["board"]["continues"]["by"], "video_reference");
    assert_eq!(sidecar["board"]["continues"]["video_url"], url.as_str());
    assert_eq!(
        std::fs::read(&second).unwrap(),
        on_disk,
        "the board file is not edited"
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn elsewhere_the_first_frame_is_a_png_of_the_keepers_last_frame() {
    let h = Harness::start(0.2).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let second = sequence(&h, |_| {});
    let on_disk = std::fs::read(&second).unwrap();
    let kept = keeper(&h, &engine, &mut events).await;

    let job = send_second(&h, &engine, &mut events, &second)
        .await
        .unwrap();
    events.finished(job.id).await;
    engine.cmd_tx.try_send(JobCmd::Details(job.id)).unwrap();
    let record = events.details().await;
    let frame = format!(".shotdeck/frames/single-shot-take{}-last.png", kept.take);
    assert_eq!(record.board.first_frame.as_deref(), Some(frame.as_str()));
    assert_eq!(record.request.path, "/v1/videos/image2video");
    let png = second.with_file_name(&frame);
    let written = std::fs::read(&png).unwrap();
    let sent = base64::engine::general_purpose::STANDARD
        .decode(record.request.body["image"].as_str().unwrap())
        .unwrap();
    assert_eq!(sent, written, "the create's image is the PNG written");
    let image = image::load_from_memory(&sent).unwrap().to_rgb8();
    // The simulator's 160×90 video, enlarged to Kling's 300 px minimum.
    assert_eq!(image.dimensions(), (533, 300));
    let first = image.get_pixel(0, 0);
    assert!(
        image.pixels().filter(|p| *p != first).count() > 10_000,
        "not blank"
    );
    match record.board.continues.expect("kept").how {
        ContinueHow::LastFrame { frame: f, video } => {
            assert_eq!(f, frame);
            assert_eq!(video, kept.files[0].path);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        std::fs::read(&second).unwrap(),
        on_disk,
        "the board file is not edited"
    );
    shutdown(engine).await;
}

/// A stored request that continues by the keeper's URL is not sent again once that URL is
/// past Kling's 30 days (its video is deleted): the retry is refused naming the job, the
/// take and the way out, and the simulator sees no create.
#[tokio::test]
async fn a_stored_retry_past_thirty_days_of_its_reference_is_refused() {
    let h = Harness::start(0.2).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let second = sequence(&h, |b| b["model"] = "kling-v3-omni".into());
    let kept = keeper(&h, &engine, &mut events).await;
    let job = send_second(&h, &engine, &mut events, &second)
        .await
        .unwrap();
    events.finished(job.id).await;
    shutdown(engine).await;

    // The same store 31 days later.
    let mut config = h.config();
    config.tuning.clock_offset_ms = 31 * 24 * 60 * 60 * 1000;
    let mut later = shotdeck::engine::Engine::start(config).await.unwrap();
    let mut events = Events::new(&mut later);
    let creates = h.sim.stats().creates_accepted;
    later.cmd_tx.try_send(JobCmd::Retry(job.id)).unwrap();
    match events.rejection().await {
        Refusal::ExpiredReference { id, from, days } => {
            assert_eq!(id, job.id);
            assert_eq!(from, format!("single-shot take {}", kept.take));
            assert!((31..33).contains(&days), "{days}");
        }
        other => panic!("{other:?}"),
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(h.sim.stats().creates_accepted, creates, "nothing sent");
    let store = h.store("check").await;
    assert!(
        store.retries_of(job.id).await.unwrap().is_empty(),
        "nothing recorded"
    );
    shutdown(later).await;
}
