//! The board's sequence in the Timeline pane: the keepers' running time and the boards
//! still without a keeper, kept current as keepers change. A module of `ui_render`.

use std::path::{Path, PathBuf};

use shotdeck::core::sequence::{BoardStatus, ContinueFrom, KeeperFacts, SequenceStatus};
use shotdeck::engine::events::{JobCmd, JobEvent, JobFile, JobPhase};

use super::snap;

mod continues;
use crate::ui_support::*;

fn sequence(board: &Path) -> SequenceStatus {
    sequence_kept(board, Some(PathBuf::from("/renders/01-arrival-2.mp4")))
}

/// The sequence with 01-arrival's keeper (take 2) downloaded at `file`, or not here.
fn sequence_kept(board: &Path, file: Option<PathBuf>) -> SequenceStatus {
    sequence_with(
        board,
        KeeperFacts {
            take: 2,
            seconds: 12.0,
            file,
            url: None,
            finished_at: None,
            prompt: None,
            asked_seconds: 12.0,
        },
    )
}

/// 01-arrival with `kept` as its keeper, this board (continuing from it), then 03-exit.
fn sequence_with(board: &Path, kept: KeeperFacts) -> SequenceStatus {
    let other = |name: &str, keeper: Option<KeeperFacts>| BoardStatus {
        name: name.into(),
        path: board.with_file_name(format!("{name}.json")),
        board: Ok(noir()),
        continue_from: None,
        keeper,
    };
    SequenceStatus {
        title: "Night market".into(),
        boards: vec![
            other("01-arrival", Some(kept)),
            BoardStatus {
                name: "board".into(),
                path: board.to_path_buf(),
                board: Ok(noir()),
                continue_from: Some(ContinueFrom::Previous),
                keeper: None,
            },
            other("03-exit", None),
        ],
    }
}

#[test]
fn the_timeline_shows_the_running_time_and_the_boards_without_a_keeper() {
    // The board's identity is known once the harness has saved it: the jobs hook hears
    // it, and the deps hook (called next) builds the sequence around it.
    let seen = std::cell::RefCell::new(PathBuf::new());
    let mut h = harness_tweaked(
        &noir(),
        |path| {
            *seen.borrow_mut() = path.to_path_buf();
            vec![]
        },
        |deps| deps.sequence = Some(sequence(&seen.borrow())),
    );
    let board = seen.borrow().clone();
    snap("sequence_line", &h);
    let screen = h.screen(160, 48);
    assert!(
        screen
            .contains("Sequence Night market: 1/3 kept · 0:12 of 0:36 · no keeper: board, 03-exit"),
        "{screen}"
    );

    // This board's take becomes its keeper: the line follows.
    let mut take = job(7, &board, JobPhase::Done);
    take.keeper = true;
    take.take = 3;
    take.files = vec![JobFile {
        url: String::new(),
        path: PathBuf::from("/renders/board-7.mp4"),
        bytes_done: 1,
        bytes_total: Some(1),
        complete: true,
        media_seconds: Some(11.0),
    }];
    h.app.on_job_event(JobEvent::Updated(take));
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("Sequence Night market: 2/3 kept · 0:23 of 0:36 · no keeper: 03-exit"),
        "{screen}"
    );
}

/// The noir board in the sequence `of` builds around it, `S` pressed (earlier commands
/// drained).
fn submitting(of: impl Fn(&Path) -> SequenceStatus) -> Harness {
    let seen = std::cell::RefCell::new(PathBuf::new());
    let mut h = harness_tweaked(
        &noir(),
        |path| {
            *seen.borrow_mut() = path.to_path_buf();
            vec![]
        },
        |deps| deps.sequence = Some(of(&seen.borrow())),
    );
    while h.cmds.try_recv().is_ok() {}
    h.keys("S");
    h
}

#[test]
fn the_submit_dialog_says_how_the_board_continues_and_yes_sends_it() {
    let mut h = submitting(sequence);
    snap("sequence_continues_line", &h);
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("board continues from 01-arrival take 2: last frame")
            && screen.contains(".shotdeck/frames/01-arrival-take2-last.png"),
        "{screen}"
    );
    h.keys("y");
    let mut sent = false;
    while let Ok(cmd) = h.cmds.try_recv() {
        sent |= matches!(cmd, JobCmd::Submit(_));
    }
    assert!(
        sent,
        "the engine gets the board; it puts the continuation on it"
    );
}

#[test]
fn a_board_that_cannot_continue_is_refused_in_the_submit_dialog_and_yes_sends_nothing() {
    // The keeper is not downloaded here and has no result URL: neither way can be built.
    let mut h = submitting(|board| sequence_kept(board, None));
    snap("sequence_continues_refused", &h);
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("board continues from 01-arrival take 2 (sequence.toml): no")
            && screen.contains("not downloaded here for its last frame")
            && screen.contains("nothing was sent"),
        "{screen}"
    );
    h.keys("y");
    h.keys("S");
    h.key(crossterm::event::KeyCode::Enter);
    h.key(crossterm::event::KeyCode::Enter);
    while let Ok(cmd) = h.cmds.try_recv() {
        assert!(
            !matches!(cmd, JobCmd::Submit(_)),
            "a board that cannot continue is never sent"
        );
    }
}
