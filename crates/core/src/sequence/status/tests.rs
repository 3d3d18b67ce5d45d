use std::path::{Path, PathBuf};

use super::*;
use crate::jobs::{JobFile, JobPhase};
use crate::model::Shot;
use crate::provider::Provider;

fn view(board: &str, take: u32, keeper: bool, file: Option<(&str, f64)>) -> JobView {
    JobView {
        id: i64::from(take),
        board_path: PathBuf::from(board),
        board_key: crate::BoardKey::local(Path::new(board)),
        board_title: String::new(),
        provider: Provider::Kling,
        external_task_id: format!("ext-{take}"),
        task_id: None,
        phase: JobPhase::Done,
        status_msg: None,
        error: None,
        files: file
            .map(|(path, secs)| JobFile {
                url: String::new(),
                path: PathBuf::from(path),
                bytes_done: 1,
                bytes_total: Some(1),
                complete: true,
                media_seconds: Some(secs),
            })
            .into_iter()
            .collect(),
        seconds: 12.0,
        estimated_usd: None,
        units_charged: None,
        created_at: 0,
        updated_at: 0,
        finished_at: None,
        take,
        keeper,
        retry_of_take: None,
        submitted_by: None,
    }
}

fn board(prompt: &str, seconds: u32) -> Board {
    Board {
        shots: vec![Shot::new(prompt, seconds)],
        ..Board::default()
    }
}

fn status() -> SequenceStatus {
    let entry = |name: &str, seconds, continue_from| BoardStatus {
        name: name.into(),
        path: PathBuf::from(format!("/p/{name}.json")),
        board: Ok(board(&format!("{name} prompt"), seconds)),
        continue_from,
        keeper: None,
    };
    SequenceStatus {
        title: "Night".into(),
        boards: vec![
            entry("01-arrival", 5, None),
            entry("02-market", 10, Some(ContinueFrom::Previous)),
            entry("03-exit", 15, None),
        ],
    }
}

#[test]
fn keepers_come_and_go_with_the_views() {
    let mut s = status();
    assert_eq!(
        s.summary(),
        "Sequence Night: 0/3 kept · 0:00 of 0:30 · no keeper: 01-arrival, 02-market, 03-exit"
    );
    assert!(s.apply(&view(
        "/p/01-arrival.json",
        2,
        true,
        Some(("/r/a.mp4", 5.2))
    )));
    assert!(
        !s.apply(&view("/p/01-arrival.json", 1, false, None)),
        "another take, not the keeper"
    );
    assert!(
        !s.apply(&view("/elsewhere.json", 1, true, None)),
        "not in the sequence"
    );
    assert_eq!(s.boards[0].keeper.as_ref().map(|k| k.take), Some(2));
    assert_eq!(
        s.summary(),
        "Sequence Night: 1/3 kept · 0:05 of 0:30 · no keeper: 02-market, 03-exit"
    );
    // The mark taken off take 2.
    assert!(s.apply(&view(
        "/p/01-arrival.json",
        2,
        false,
        Some(("/r/a.mp4", 5.2))
    )));
    assert_eq!(s.missing().len(), 3);
}

#[test]
fn continuing_names_the_previous_keeper_or_says_it_is_missing() {
    let mut s = status();
    let market = Path::new("/p/02-market.json");
    assert_eq!(s.continues_from(Path::new("/p/01-arrival.json")), None);
    assert_eq!(
        s.continues_from(market),
        Some(Err(
            "02-market continues from 01-arrival, which has no keeper yet".into()
        ))
    );
    s.apply(&view(
        "/p/01-arrival.json",
        2,
        true,
        Some(("/r/a.mp4", 5.0)),
    ));
    assert_eq!(
        s.continues_from(market),
        Some(Ok("continues from 01-arrival take 2".into()))
    );
}

#[test]
fn a_board_that_continues_is_refused_without_a_keeper_and_planned_with_one() {
    use crate::gateway_profile::Profiles;
    use crate::sequence::ContinueHow;
    let mut s = status();
    let market = Path::new("/p/02-market.json");
    let b = board("x", 5);
    let ask = |s: &SequenceStatus, path: &Path| {
        s.continuation(path, &b, Provider::Kling, &Profiles::default(), 0)
    };
    assert_eq!(ask(&s, Path::new("/p/01-arrival.json")), None);
    assert_eq!(ask(&s, Path::new("/elsewhere.json")), None);
    match ask(&s, market) {
        Some(Err(Refusal::Continues {
            board,
            from,
            file,
            why,
        })) => {
            assert_eq!(
                (board.as_str(), file.as_str()),
                ("02-market", "sequence.toml")
            );
            assert_eq!(from, "continues from 01-arrival, which has no keeper yet");
            assert!(why.contains("keeper"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    s.apply(&view(
        "/p/01-arrival.json",
        2,
        true,
        Some(("/r/a.mp4", 5.0)),
    ));
    // kling-v3's text board goes to text2video, which takes no video: the last frame.
    let plan = ask(&s, market).unwrap().unwrap();
    assert_eq!((plan.board.as_str(), plan.take), ("01-arrival", 2));
    assert_eq!(
        plan.how,
        ContinueHow::LastFrame {
            frame: ".shotdeck/frames/01-arrival-take2-last.png".into(),
            video: PathBuf::from("/r/a.mp4"),
        }
    );
}

#[test]
fn a_cut_needs_every_keeper_downloaded() {
    let mut s = status();
    s.apply(&view(
        "/p/01-arrival.json",
        2,
        true,
        Some(("/r/a.mp4", 5.0)),
    ));
    s.apply(&view("/p/03-exit.json", 1, true, Some(("/r/c.mp4", 15.0))));
    let err = s.cut_shots().unwrap_err();
    assert!(err.starts_with("board 02-market has no keeper"), "{err}");
    s.apply(&view("/p/02-market.json", 4, true, None));
    assert_eq!(
        s.cut_shots().unwrap_err(),
        "board 02-market's keeper (take 4) has no downloaded video"
    );
    s.apply(&view(
        "/p/02-market.json",
        4,
        true,
        Some(("/r/b.mp4", 10.0)),
    ));
    let shots = s.cut_shots().unwrap();
    assert_eq!(shots.len(), 3);
    assert_eq!(shots[1].board, "02-market");
    assert_eq!(shots[1].take, 4);
    assert_eq!(shots[1].prompt, "02-market prompt");
    assert_eq!(shots[1].source, PathBuf::from("/r/b.mp4"));
    s.boards[2].board = Err("line 1, column 1: expected value".into());
    assert_eq!(
        s.cut_shots().unwrap_err(),
        "board 03-exit cannot be read: line 1, column 1: expected value"
    );
}

#[test]
fn the_cut_says_the_prompt_sent_and_survives_a_board_that_no_longer_parses() {
    let mut s = status();
    for (board, take) in [("01-arrival", 2), ("02-market", 4), ("03-exit", 1)] {
        let path = format!("/p/{board}.json");
        s.apply(&view(&path, take, true, Some(("/r/x.mp4", 5.0))));
    }
    // The record's prompt (the board as sent) wins over the board file as it is now, and
    // a later view of the same take keeps it.
    s.boards[1].keeper.as_mut().unwrap().prompt = Some("as sent".into());
    s.apply(&view("/p/02-market.json", 4, true, Some(("/r/x.mp4", 5.0))));
    assert_eq!(s.cut_shots().unwrap()[1].prompt, "as sent");
    assert_eq!(s.boards[1].unreadable_but_kept(), None);

    s.boards[1].board = Err("line 3, column 7: expected `,`".into());
    assert_eq!(s.cut_shots().unwrap()[1].prompt, "as sent");
    assert_eq!(
        s.boards[1].unreadable_but_kept().unwrap(),
        "board 02-market cannot be read (line 3, column 7: expected `,`); \
         its keeper, take 4, is used as it was sent"
    );
    // What it asked for still counts toward the planned running time.
    assert_eq!(s.boards[1].planned_seconds(), 12.0);
}
