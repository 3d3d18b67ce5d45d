//! Issue 19: removing or moving a reference renumbers the `<<<image_N>>>` tokens in every
//! prompt with it, as one undo step, and says so.

use crossterm::event::KeyCode;
use shotdeck::core::{Board, FieldPath, Mode, Severity};

use crate::ui_support::*;

/// Three references, each named by a shot; the negative prompt names the third too.
fn three_refs() -> Board {
    let mut b = noir();
    b.mode = Mode::Reference;
    b.references = vec![
        "https://example.com/street.png".into(),
        "https://example.com/detective.png".into(),
        "https://example.com/singer.png".into(),
    ];
    b.shots[0].prompt = "Wide: <<<image_1>>> at night.".into();
    b.shots[1].prompt = "Medium: <<<image_2>>> lights a cigarette.".into();
    b.shots[2].prompt = "Close-up: <<<image_3>>> looks at <<<image_2>>>.".into();
    b.negative_prompt = "no <<<image_3>>> twins".into();
    b
}

/// Focuses the settings and selects reference `n` (1-based): the references come last,
/// before "add a reference".
fn select_reference(h: &mut Harness, n: usize) {
    h.keys("3G");
    for _ in n..=h.app.board().references.len() {
        h.keys("k");
    }
}

#[test]
fn removing_a_reference_renumbers_the_tokens_in_one_undo_step() {
    let mut h = harness(&three_refs());
    let before = h.app.board().clone();
    select_reference(&mut h, 2);
    h.keys("x");
    let b = h.app.board();
    assert_eq!(b.references.len(), 2);
    assert_eq!(b.shots[0].prompt, "Wide: <<<image_1>>> at night.");
    // The removed reference's token is kept, as one that names nothing.
    assert_eq!(
        b.shots[1].prompt,
        "Medium: <<<image_0>>> lights a cigarette."
    );
    assert_eq!(
        b.shots[2].prompt,
        "Close-up: <<<image_2>>> looks at <<<image_0>>>."
    );
    assert_eq!(b.negative_prompt, "no <<<image_2>>> twins");
    assert_eq!(
        h.app.toast().unwrap().text,
        "references renumbered: <<<image_3>>> → <<<image_2>>>; <<<image_2>>> named the \
         removed reference: kept as <<<image_0>>> (an error until you fix it) in 3 prompts"
    );
    let orphan = h.app.findings().iter().find(|f| {
        f.path == FieldPath::shot(1, shotdeck::core::ShotField::Prompt)
            && f.severity == Severity::Error
    });
    assert!(
        orphan.is_some_and(|f| f.message.contains("<<<image_0>>>")),
        "{:?}",
        h.app.findings()
    );
    h.keys("u");
    assert_eq!(
        h.app.board(),
        &before,
        "one undo step brings list and tokens back"
    );
    assert_eq!(h.app.toast().unwrap().text, "undid: remove a reference");
}

#[test]
fn emptying_a_reference_field_removes_it_the_same_way() {
    let mut h = harness(&three_refs());
    select_reference(&mut h, 1);
    h.key(KeyCode::Enter);
    for _ in 0.."https://example.com/street.png".len() {
        h.key(KeyCode::Backspace);
    }
    h.key(KeyCode::Enter);
    let b = h.app.board();
    assert_eq!(b.references.len(), 2);
    assert_eq!(
        b.shots[1].prompt,
        "Medium: <<<image_1>>> lights a cigarette."
    );
    assert_eq!(b.shots[0].prompt, "Wide: <<<image_0>>> at night.");
}

#[test]
fn moving_a_reference_takes_its_tokens_along() {
    let mut h = harness(&three_refs());
    select_reference(&mut h, 1);
    h.keys("J");
    let b = h.app.board();
    assert_eq!(b.references[1], "https://example.com/street.png");
    assert_eq!(b.shots[0].prompt, "Wide: <<<image_2>>> at night.");
    assert_eq!(
        b.shots[1].prompt,
        "Medium: <<<image_1>>> lights a cigarette."
    );
    assert_eq!(
        b.shots[2].prompt,
        "Close-up: <<<image_3>>> looks at <<<image_1>>>."
    );
    assert!(h.app.toast().unwrap().text.starts_with("references renumbered: <<<image_1>>> → <<<image_2>>>, <<<image_2>>> → <<<image_1>>> in 3 prompts"), "{}", h.app.toast().unwrap().text);
    // The selection follows the reference: J again moves it on.
    h.keys("J");
    assert_eq!(
        h.app.board().references[2],
        "https://example.com/street.png"
    );
    assert!(
        h.app
            .findings()
            .iter()
            .all(|f| f.severity != Severity::Error),
        "{:?}",
        h.app.findings()
    );
}
