//! The one exit rule: over the board only when it may be written, else beside it, else
//! into the data dir (announced once on the next start); never written twice.

use std::time::Instant;

use super::*;
use crate::model::doc::{Doc, OpenedBoard};
use crate::model::history::EditKind;
use shotdeck_core::Provider;
use shotdeck_core::cost::default_prices;

fn noir(dir: &Path) -> PathBuf {
    let board = dir.join("noir.json");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/noir-3-shot.json"
        ),
        &board,
    )
    .unwrap();
    board
}

/// An editor on `board` with one unsaved edit (the title), its rescue slot filled.
fn edited(board: &Path, slot: &RescueSlot, read_only: Option<&str>) -> Doc {
    let opened = OpenedBoard::open(board, "std").unwrap();
    let mut doc = Doc::new(opened, Provider::Kling, default_prices(), slot.clone());
    doc.set_read_only(read_only.map(str::to_string));
    doc.edit(EditKind::Discrete, Instant::now(), |b, _| {
        b.title = "mine".into();
        Ok(())
    })
    .unwrap();
    doc
}

#[test]
fn a_panic_in_a_read_only_editor_writes_beside_the_board_never_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir(dir.path());
    let before = std::fs::read(&board).unwrap();
    let slot = RescueSlot::default();
    let _doc = edited(&board, &slot, Some("another shotdeck has it open"));
    let kept = rescue_save(&slot).unwrap().unwrap();
    assert_eq!(
        std::fs::read(&board).unwrap(),
        before,
        "the board is untouched"
    );
    let beside = dir.path().join("noir.unsaved.json");
    assert!(
        matches!(&kept, Kept::Beside { path, why } if *path == beside && why.contains("read-only")),
        "{kept:?}"
    );
    assert_eq!(board_file::load(&beside).unwrap().title, "mine");
    // Kept once: a second panic (or the exit after it) writes nothing again.
    assert!(rescue_save(&slot).is_none());
}

#[test]
fn a_panic_after_someone_else_wrote_the_board_keeps_their_version() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir(dir.path());
    let slot = RescueSlot::default();
    let _doc = edited(&board, &slot, None);
    // Another editor saves while these edits are pending; nobody has looked yet.
    let mut theirs = board_file::load(&board).unwrap();
    theirs.title = "theirs".into();
    board_file::save(&board, &theirs).unwrap();
    let kept = rescue_save(&slot).unwrap().unwrap();
    assert!(matches!(kept, Kept::Beside { .. }), "{kept:?}");
    assert_eq!(board_file::load(&board).unwrap().title, "theirs");
    assert_eq!(board_file::load(kept.path()).unwrap().title, "mine");
}

#[test]
fn the_exit_rule_saves_a_writable_board_and_empties_the_slot() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir(dir.path());
    let slot = RescueSlot::default();
    let mut doc = edited(&board, &slot, None);
    assert_eq!(
        doc.keep_on_exit().unwrap().unwrap(),
        Kept::Board(board.clone())
    );
    assert_eq!(board_file::load(&board).unwrap().title, "mine");
    assert!(
        slot.lock().unwrap().is_none(),
        "a panic after this writes nothing"
    );
    assert!(!doc.is_unsaved());
}

#[test]
fn a_folder_that_takes_nothing_sends_the_edits_to_the_data_dir_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pending = Pending {
        // Its folder is gone: neither the board nor a copy beside it can be written.
        path: dir.path().join("gone/noir.json"),
        board: {
            let mut b = Board::starter();
            b.title = "mine".into();
            b
        },
        blocked: None,
        disk: None,
    };
    let kept = keep_with(&pending, &data).unwrap();
    assert!(
        matches!(&kept, Kept::Rescued { why, .. } if why.contains("could not be written")),
        "{kept:?}"
    );
    let copy = kept.path().to_path_buf();
    assert!(copy.starts_with(data.join("rescued")), "{}", copy.display());
    assert!(
        copy.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("noir-")
    );
    assert_eq!(board_file::load(&copy).unwrap().title, "mine");
    let notes = take_rescue_notes(&data);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("gone/noir.json") && notes[0].contains(&copy.display().to_string()),
        "{}",
        notes[0]
    );
    assert!(take_rescue_notes(&data).is_empty(), "announced once");
}
