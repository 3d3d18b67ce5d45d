//! Editing prompts: typing and its findings, single-shot and negative prompts, reference
//! tokens (inserted from the settings or cycled with Alt-i) and moving by drawn rows. A
//! module of `ui_keys` (one test binary fewer to link).

use crossterm::event::{Event, KeyCode};
use shotdeck::core::{FieldPath, Severity, ShotField};
use shotdeck::ui::PaneId;

use super::has_finding;
use crate::ui_support::*;

#[test]
fn typing_into_a_prompt_updates_the_board_and_the_findings() {
    let mut b = noir();
    b.shots[1].prompt.clear();
    let mut h = harness(&b);
    assert!(has_finding(&h, FieldPath::shot(1, ShotField::Prompt)));
    h.keys("j");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.focus(), PaneId::Prompt);
    // Plain characters are text here, even ones bound elsewhere (q quits, j moves).
    h.keys("A quiet jq");
    h.key(KeyCode::Backspace);
    assert_eq!(h.app.board().shots[1].prompt, "A quiet j");
    assert!(!has_finding(&h, FieldPath::shot(1, ShotField::Prompt)));
    assert!(h.app.exit_reason().is_none());
    // Esc leaves the editor; the shot list has the keys again.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.focus(), PaneId::Shots);
}

#[test]
fn a_prompt_over_the_limit_is_a_finding_with_the_limit() {
    let mut h = harness(&noir());
    h.key(KeyCode::Enter);
    h.app.handle_event(Event::Paste("x".repeat(512)));
    let f = h
        .app
        .findings()
        .iter()
        .find(|f| f.path == FieldPath::shot(0, ShotField::Prompt))
        .expect("over-long prompt is reported");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("512"), "{}", f.message);
}

#[test]
fn single_shot_boards_edit_the_one_prompt() {
    let mut b = noir();
    b.multi_shot = false;
    b.shots.clear();
    let mut h = harness(&b);
    assert!(has_finding(&h, FieldPath::Prompt), "empty single prompt");
    h.key(KeyCode::Enter);
    h.keys("One long take.");
    assert_eq!(h.app.board().prompt, "One long take.");
    assert!(!has_finding(&h, FieldPath::Prompt));
    h.key(KeyCode::Esc);
    // ±1 s changes the task duration; shot edits explain why they cannot apply.
    h.keys("+");
    assert_eq!(h.app.board().duration, 6.0);
    h.keys("a");
    assert!(h.app.toast().unwrap().text.contains("multi-shot is off"));
}

#[test]
fn the_negative_prompt_is_edited_the_same_way() {
    let mut h = harness(&noir());
    h.keys("n");
    h.keys(", grain");
    assert_eq!(
        h.app.board().negative_prompt,
        "blurry, low detail, text overlays, grain"
    );
    h.ctrl('n'); // back to the shot's prompt
    h.keys("!");
    assert!(h.app.board().shots[0].prompt.ends_with('!'));
}

fn alt(h: &mut Harness, c: char) {
    h.app
        .handle_event(Event::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char(c),
            crossterm::event::KeyModifiers::ALT,
        )));
}

#[test]
fn a_reference_row_inserts_its_token_into_the_prompt_and_undo_takes_it_back() {
    let mut h = harness(&noir_with_references());
    let before = h.app.board().shots[0].prompt.clone();
    h.keys("3G"); // the last row adds a reference; the one above is reference 2
    h.keys("k");
    h.keys("i");
    // At the prompt's cursor (browsing shows a prompt from its start), spaced from the word.
    assert_eq!(
        h.app.board().shots[0].prompt,
        format!("<<<image_2>>> {before}")
    );
    let toast = h.app.toast().expect("the insert is announced");
    assert!(!toast.error);
    assert_eq!(
        toast.text,
        "inserted <<<image_2>>> into shot 1's prompt (u undoes)"
    );
    assert_eq!(h.app.focus(), PaneId::Settings);
    h.keys("u");
    assert_eq!(h.app.board().shots[0].prompt, before);
    // A row that is not a reference says what to select.
    h.keys("g");
    h.keys("i");
    assert!(h.app.toast().is_some_and(|t| t.error));
    assert_eq!(h.app.board().shots[0].prompt, before);
}

#[test]
fn alt_i_in_the_prompt_cycles_through_the_references() {
    let mut h = harness(&noir_with_references());
    let before = h.app.board().shots[0].prompt.clone();
    h.key(KeyCode::Enter); // the cursor goes to the end
    alt(&mut h, 'i');
    assert_eq!(
        h.app.board().shots[0].prompt,
        format!("{before} <<<image_1>>>")
    );
    alt(&mut h, 'i');
    assert_eq!(
        h.app.board().shots[0].prompt,
        format!("{before} <<<image_2>>>")
    );
    alt(&mut h, 'i'); // two references: back to the first
    assert_eq!(
        h.app.board().shots[0].prompt,
        format!("{before} <<<image_1>>>")
    );
    // Each step is its own undo step.
    alt(&mut h, 'u');
    assert_eq!(
        h.app.board().shots[0].prompt,
        format!("{before} <<<image_2>>>")
    );
    // A text board has no references to name.
    let mut t = harness(&noir());
    t.key(KeyCode::Enter);
    alt(&mut t, 'i');
    assert!(t.app.toast().is_some_and(|x| x.error));
    assert_eq!(t.app.board().shots[0].prompt, noir().shots[0].prompt);
}

#[test]
fn up_and_down_in_the_prompt_move_by_drawn_rows() {
    let mut h = harness(&noir());
    h.key(KeyCode::Enter); // at the end of "… Slow dolly forward."
    h.render(80, 24); // rows are 24 cells wide at 80×24
    h.key(KeyCode::Up);
    h.keys("X");
    // The row above is "from a grate. Slow dolly"; the cursor keeps its column (8).
    assert!(
        h.app.board().shots[0]
            .prompt
            .contains("from a gXrate. Slow"),
        "{}",
        h.app.board().shots[0].prompt
    );
    // The X pushed "dolly" onto the last row: "dolly forward.", and column 9 is in it.
    h.key(KeyCode::Down);
    h.keys("Y");
    assert!(
        h.app.board().shots[0]
            .prompt
            .ends_with("Slow dolly forYward."),
        "{}",
        h.app.board().shots[0].prompt
    );
}

/// `E`'s text comes back as typing's would: a prompt over its limit is kept and flagged,
/// and the whole edit is one undo step. (The editor itself runs in tests/ui_pty/editor.rs.)
#[test]
fn a_prompt_from_the_editor_is_kept_over_its_limit_and_undone_in_one_step() {
    use shotdeck::ui::app::external::EditorOutcome;
    let mut h = harness(&noir());
    h.keys("jE");
    let edit = h
        .app
        .take_external()
        .expect("E asks the loop for the editor");
    let long = "x".repeat(600);
    h.app
        .external_done(edit, EditorOutcome::Written(format!("{long}\n")));
    assert_eq!(
        h.app.board().shots[1].prompt,
        long,
        "kept whole, newline off"
    );
    assert!(has_finding(&h, FieldPath::shot(1, ShotField::Prompt)));
    assert!(h.app.toast().unwrap().text.contains("over the limit"));
    h.keys("u");
    assert_eq!(h.app.board().shots[1].prompt, noir().shots[1].prompt);
    // A failed editor changes nothing.
    h.keys("E");
    let edit = h.app.take_external().unwrap();
    let status = std::process::Command::new("false").status().unwrap();
    h.app.external_done(edit, EditorOutcome::Failed(status));
    assert_eq!(h.app.board(), &noir());
    assert!(h.app.toast().unwrap().error);
}
