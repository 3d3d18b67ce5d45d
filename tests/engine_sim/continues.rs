//! A board whose sequence says it continues from the previous board's keeper is refused by
//! the engine's intake, whoever sends it (the CLI, the editor): nothing recorded, nothing
//! sent, the refusal naming the take it would continue from.

use shotdeck::core::jobs::Refusal;
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::JobCmd;
use shotdeck::engine::store::PageQuery;

use crate::support::*;

fn continues_from(refusal: Refusal) -> String {
    match refusal {
        Refusal::Continues { board, from, file } => {
            assert_eq!(
                (board.as_str(), file.as_str()),
                ("image-to-video", "sequence.toml")
            );
            from
        }
        other => panic!("not a continuation refusal: {other}"),
    }
}

#[tokio::test]
async fn a_board_that_continues_is_refused_before_anything_is_recorded() {
    let h = Harness::start(0.2).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let first = h.board("single-shot.json");
    let second = h.board("image-to-video.json");
    std::fs::write(
        first.with_file_name("sequence.toml"),
        "boards = [\"single-shot.json\", \
         { board = \"image-to-video.json\", continue_from = \"previous\" }]\n",
    )
    .unwrap();

    let send = |engine: &shotdeck::engine::EngineHandle| {
        let request = h.submit_request(&second, Provider::Kling);
        let ticket = request.ticket;
        engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
        ticket
    };
    let ticket = send(&engine);
    assert_eq!(
        continues_from(events.refusal(ticket).await),
        "continues from single-shot, which has no keeper yet"
    );

    // The first board's take becomes the keeper: the refusal names it.
    let (id, _) = submit(
        &h,
        &engine,
        &mut events,
        "single-shot.json",
        Provider::Kling,
    )
    .await;
    events.finished(id).await;
    engine
        .cmd_tx
        .try_send(JobCmd::SetKeeper { id, keep: true })
        .unwrap();
    events.wait_for("kept", |v| v.id == id && v.keeper).await;
    let ticket = send(&engine);
    assert_eq!(
        continues_from(events.refusal(ticket).await),
        "continues from single-shot take 1"
    );

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
    assert_eq!(
        page.jobs.len(),
        1,
        "only the first board's job was recorded"
    );
    shutdown(engine).await;
}
