//! The board being edited: saving, refusals, the rescue slot, unreadable boards.

use super::*;
use shotdeck_core::cost::default_prices;

fn doc(dir: &Path) -> Doc {
    let opened = OpenedBoard::open(&dir.join("b.json"), "pro").unwrap();
    assert!(!opened.exists);
    Doc::new(
        opened,
        Provider::Kling,
        default_prices(),
        RescueSlot::default(),
    )
}

#[test]
fn a_missing_board_is_created_on_first_save_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = doc(dir.path());
    assert_eq!(d.board().quality, "pro");
    assert!(!d.save().unwrap());
    assert!(!dir.path().join("b.json").exists());
    let t = Instant::now();
    d.edit(EditKind::Discrete, t, |b, _| {
        b.title = "x".into();
        Ok(())
    })
    .unwrap();
    assert_eq!(d.autosave_due(), Some(t + AUTOSAVE_DELAY));
    assert!(d.save().unwrap());
    assert_eq!(
        board_file::load(&dir.path().join("b.json")).unwrap().title,
        "x"
    );
    assert_eq!(d.autosave_due(), None);
}

#[test]
fn refusals_and_no_ops_record_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = doc(dir.path());
    let t = Instant::now();
    assert!(
        d.edit(EditKind::Discrete, t, |_, _| Err(Refusal::NoShots))
            .is_err()
    );
    d.edit(EditKind::Discrete, t, |_, _| Ok(())).unwrap();
    assert!(!d.is_unsaved());
    assert!(d.undo(t).is_none());
}

#[test]
fn the_rescue_slot_holds_unsaved_work() {
    let dir = tempfile::tempdir().unwrap();
    let slot = RescueSlot::default();
    let opened = OpenedBoard::open(&dir.path().join("b.json"), "std").unwrap();
    let mut d = Doc::new(opened, Provider::Kling, default_prices(), slot.clone());
    d.edit(EditKind::Discrete, Instant::now(), |b, _| {
        b.title = "rescued".into();
        Ok(())
    })
    .unwrap();
    let kept = exit_save::rescue_save(&slot).unwrap().unwrap();
    assert_eq!(kept, Kept::Board(dir.path().join("b.json")));
    assert_eq!(board_file::load(kept.path()).unwrap().title, "rescued");
}

#[test]
fn a_broken_board_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(&p, "{\n  \"shots\": [,]\n}\n").unwrap();
    let e = OpenedBoard::open(&p, "std").unwrap_err().to_string();
    assert!(e.contains(":2:"), "{e}");
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "{\n  \"shots\": [,]\n}\n"
    );
}
