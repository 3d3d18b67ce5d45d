//! Kling's pages make `model_name` optional with an old default ("Default to kling-v1";
//! omni-video "Default to kling-video-o1"), and the mock accepts a create without it as a
//! task of that model. shotdeck must always name the model the board asked for: every mode
//! of every row, created through the mock, makes a task of the row's model.

use shotdeck::core::kling_v2::Design;
use shotdeck::core::models::MODELS;
use shotdeck::core::{Board, Mode, PlaceholderImages, Provider, Shot, compose};

use super::kling_docs_mock::DocsMock;
use super::{AKSK, account, client};

fn board(model: &str, mode: Mode) -> Board {
    let mut b = Board {
        model: model.into(),
        mode,
        multi_shot: false,
        prompt: "<<<image_1>>> walks.".into(),
        duration: 5.0,
        shots: vec![Shot::new("unused", 5)],
        ..Board::default()
    };
    match mode {
        Mode::Text => {}
        Mode::Image => b.first_frame = Some("https://x.test/first.png".into()),
        Mode::Reference => b.references = vec!["https://x.test/a.png".into()],
    }
    b
}

#[tokio::test]
async fn every_create_names_its_model_so_no_default_model_is_billed() {
    let mock = DocsMock::start(account()).await;
    let c = client(&mock, AKSK);
    let mut expected = Vec::new();
    // Rows on the legacy design: the v2 design names the model in the path (`kling_docs/v2.rs`).
    for row in MODELS
        .iter()
        .filter(|r| r.designs.default == Design::Legacy)
    {
        for mode in Mode::ALL {
            let b = board(row.name, mode);
            let ext = format!("model-{}-{}", row.name, mode.as_str());
            let req = compose(&b, Provider::Kling, &PlaceholderImages, &ext).unwrap();
            assert!(
                req.body["model_name"].is_string(),
                "{} {mode:?}: {}",
                row.name,
                req.body
            );
            c.submit(&req, &ext).await.unwrap();
            expected.push(row.route(mode).model_name.to_string());
        }
    }
    let made = mock.task_models();
    assert_eq!(made, expected);
    assert!(
        !made
            .iter()
            .any(|m| m == "kling-v1" || m == "kling-video-o1"),
        "no task fell back to a default model: {made:?}"
    );
}
