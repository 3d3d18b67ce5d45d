//! User keymaps end to end: a rebinding acts in overlays and open fields too, shows in the
//! footer, the overlays' own hints and the messages that name keys, and an override that
//! takes a key from another action is reported at start.

mod ui_support;

use std::path::Path;

use crossterm::event::KeyCode;
use shotdeck::engine::events::{JobCmd, JobView};
use shotdeck::files::board_file;
use shotdeck::ui::keymap::Context;
use shotdeck::ui::{App, Keymap, OpenedBoard, UiDeps};
use ui_support::*;

/// The harness with `overrides` (keymap.toml text) over the default keys. Apart from plain
/// characters refused where text is typed, they must take no key from another action.
fn harness_keys(overrides: &str, jobs: impl FnOnce(&Path) -> Vec<JobView>) -> Harness {
    harness_tweaked(&noir(), jobs, |deps| {
        let overrides = Keymap::parse_overrides(overrides).unwrap();
        let taken = deps.keymap.overlay(&overrides).unwrap();
        let text_refused = |w: &String| w.contains("plain characters are text");
        assert!(taken.iter().all(text_refused), "{taken:?}");
    })
}

fn screen(h: &Harness) -> String {
    h.render(120, 40).backend().to_string()
}

#[test]
fn a_rebound_confirmation_key_submits_and_shows_in_the_dialog() {
    let mut h = harness_keys("[confirm]\nconfirm = [\"j\", \"f9\"]\n", |_| vec![]);
    h.keys("S");
    assert_eq!(h.app.overlay_name(), Some("submit"));
    assert!(
        screen(&h).contains(" j/f9 submit · +/- takes · n/esc cancel "),
        "{}",
        screen(&h)
    );
    // `y` and Enter were confirm's keys; the override replaced them.
    h.keys("y");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.overlay_name(), Some("submit"));
    assert!(h.cmds.try_recv().is_err(), "nothing sent yet");
    h.keys("j");
    assert_eq!(h.app.overlay_name(), None);
    assert!(matches!(h.cmds.try_recv(), Ok(JobCmd::Submit { .. })));
}

#[test]
fn a_rebound_field_key_applies_the_edit() {
    let mut h = harness_keys("[field_edit]\nconfirm = \"ctrl-o\"\n", |_| vec![]);
    h.keys("3"); // Settings, on Title
    h.key(KeyCode::Enter);
    assert!(h.app.is_typing(), "Title is open for typing");
    assert!(screen(&h).contains(" ctrl-o apply "), "{}", screen(&h));
    h.keys(" II");
    h.key(KeyCode::Enter); // no longer applies: Enter is not bound in the field
    assert!(h.app.is_typing());
    h.ctrl('o');
    assert!(!h.app.is_typing());
    assert_eq!(h.app.board().title, "Noir opening II");
}

#[test]
fn a_rebinding_shows_in_the_footer_and_in_messages() {
    let mut h = harness_keys(
        "[global]\nsubmit = \"f9\"\n[queue]\nretry_job = \"R\"\n",
        sample_jobs,
    );
    h.keys("6");
    let s = screen(&h);
    assert!(s.contains(" f9 submit "), "footer: {s}");
    assert!(s.contains(" R retry "), "footer: {s}");
    // Newest first: #4, #3, then #2 failed; re-downloading it points at retry's key.
    h.keys("jj");
    h.keys("d");
    let t = h.app.toast().unwrap();
    assert!(t.text.contains("retry it (R)"), "{}", t.text);
    // The empty queue's message names submit's key.
    let mut empty = harness_keys("[global]\nsubmit = \"f9\"\n", |_| vec![]);
    empty.keys("6");
    assert!(screen(&empty).contains("no jobs yet: submit with f9"));
    // And the old key no longer submits.
    empty.keys("S");
    assert_eq!(empty.app.overlay_name(), None);
}

#[test]
fn an_override_that_takes_a_key_is_reported_at_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[shot_list]\nadd_shot = \"x\"\n[queue]\nretry_job = \"S\"\n",
    )
    .unwrap();
    let (deps, _cmds, _events, _rec) = deps(vec![]);
    let deps: UiDeps = deps.with_user_files(dir.path());
    let joined = deps.warnings.join("\n");
    assert!(
        joined.contains("[shot_list] add_shot: \"x\" taken from delete_shot"),
        "{joined}"
    );
    assert!(
        joined.contains("[queue] retry_job: \"S\" hides the global submit"),
        "{joined}"
    );
    // The overrides still apply.
    let x = "x".parse().unwrap();
    assert_eq!(
        deps.keymap.lookup(Context::ShotList, &x),
        Some(shotdeck::ui::Action::AddShot)
    );
    // The app shows them once, at start.
    let path = dir.path().join("board.json");
    board_file::save(&path, &noir()).unwrap();
    let (app, _rx) = App::new(OpenedBoard::open(&path, "std").unwrap(), deps);
    let t = app.toast().expect("warnings shown at start");
    assert!(
        t.error && t.text.contains("taken from delete_shot"),
        "{}",
        t.text
    );
}

#[test]
fn plain_characters_stay_text_in_the_prompt_editor() {
    // The override's `n` is refused (keymap::overrides tests the warning); `f8` applies.
    let mut h = harness_keys("[prompt]\nnext_shot = [\"n\", \"f8\"]", |_| vec![]);
    h.key(KeyCode::Enter);
    h.keys("n");
    assert!(h.app.board().shots[0].prompt.ends_with('n'));
    assert_eq!(h.app.selected_shot(), 0);
    h.key(KeyCode::F(8));
    assert_eq!(h.app.selected_shot(), 1);
}

#[test]
fn help_lists_the_overlay_keys_too() {
    let mut h = harness(&noir());
    h.keys("?");
    // Every page as it scrolls by: the overlays' keys come after the panes'.
    let mut s = String::new();
    for _ in 0..20 {
        h.key(KeyCode::PageDown);
        s.push_str(&screen(&h));
    }
    for title in [
        "Confirmation",
        "Command palette",
        "Notice",
        "Comparing takes",
        "Message log",
    ] {
        assert!(s.contains(title), "{title} missing: {s}");
    }
    assert!(s.contains("Run the selected command"), "{s}");
}

#[test]
fn slash_filters_the_help_and_esc_clears_it() {
    let mut h = harness(&noir());
    h.keys("?/zoom");
    let s = screen(&h);
    assert!(s.contains("/zoom"), "{s}");
    assert!(s.contains("Zoom the focused pane"), "{s}");
    assert!(!s.contains("Next shot"), "{s}");
    // Esc while typing clears the filter and leaves the help open.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay_name(), Some("help"));
    assert!(screen(&h).contains("Next shot"));
    // Enter keeps it, and keys act on the help again.
    h.keys("/qqqq");
    h.key(KeyCode::Backspace);
    assert!(screen(&h).contains("no keys match"));
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Enter);
    let s = screen(&h);
    assert!(s.contains("/q") && s.contains("Quit"), "{s}");
    h.keys("q");
    assert_eq!(h.app.overlay_name(), None);
}
