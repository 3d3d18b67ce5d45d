//! Key handling through the action layer, without a terminal: keys in, board, findings
//! and overlays out. Prompt editing is in `ui_prompt/`; submitting, quitting and the job
//! queue are in `ui_submit_and_jobs.rs`.

#[path = "ui_lists/mod.rs"]
mod ui_lists;
#[path = "ui_prompt/mod.rs"]
mod ui_prompt;
mod ui_support;

use crossterm::event::{Event, KeyCode};
use shotdeck::core::{FieldPath, Provider};
use shotdeck::ui::PaneId;
use ui_support::*;

fn durations(h: &Harness) -> Vec<f64> {
    h.app.board().shots.iter().map(|s| s.duration).collect()
}

fn has_finding(h: &Harness, path: FieldPath) -> bool {
    h.app.findings().iter().any(|f| f.path == path)
}

#[test]
fn shot_list_edits() {
    let mut h = harness(&noir()); // 4 + 5 + 3
    h.keys("a");
    assert_eq!(
        durations(&h),
        [4.0, 3.0, 5.0, 3.0],
        "added after shot 1, fills to 15 s"
    );
    assert_eq!(h.app.selected_shot(), 1);
    // The new shot's prompt is open for typing, as vim's `o` opens a line.
    assert_eq!(h.app.focus(), PaneId::Prompt);
    h.key(KeyCode::Esc);
    h.keys("x");
    assert_eq!(h.app.toast().unwrap().text, "deleted Shot 2 — u undoes");
    assert_eq!(durations(&h), [4.0, 5.0, 3.0]);
    h.keys("s"); // split shot 2 (5 s)
    assert_eq!(durations(&h), [4.0, 3.0, 2.0, 3.0]);
    assert_eq!(h.app.board().shots[1].prompt, h.app.board().shots[2].prompt);
    h.keys("J"); // move shot 2 down
    assert_eq!(durations(&h), [4.0, 2.0, 3.0, 3.0]);
    assert_eq!(h.app.selected_shot(), 2);
    h.keys("K");
    assert_eq!(h.app.selected_shot(), 1);
    h.keys("c"); // duplicate
    assert_eq!(h.app.board().shots.len(), 5);
    h.keys("++");
    assert_eq!(durations(&h), [4.0, 3.0, 5.0, 2.0, 3.0]);
    h.keys("-");
    assert_eq!(durations(&h), [4.0, 3.0, 4.0, 2.0, 3.0]);
    h.keys("=");
    assert_eq!(
        durations(&h),
        [4.0, 3.0, 3.0, 3.0, 3.0],
        "16 s spread over 5"
    );
}

#[test]
fn refused_edits_say_why_and_change_nothing() {
    let mut b = noir();
    b.shots[0].duration = 1.0;
    let mut h = harness(&b);
    h.keys("s");
    let toast = h.app.toast().expect("a refusal is shown");
    assert!(
        toast.error && toast.text.contains("at least 1 s"),
        "{}",
        toast.text
    );
    assert_eq!(h.app.board().shots.len(), 3);
    assert!(!h.app.doc().is_unsaved());
}

#[test]
fn undo_and_redo_cover_typing_bursts_and_shot_edits() {
    let mut h = harness(&noir());
    let original = h.app.board().clone();
    h.keys("a"); // add a shot: its prompt is open
    h.keys("new shot"); // one burst: one undo step
    h.key(KeyCode::Esc);
    assert_eq!(h.app.board().shots[1].prompt, "new shot");
    h.keys("u");
    assert_eq!(h.app.board().shots[1].prompt, "");
    assert_eq!(h.app.board().shots.len(), 4);
    assert_eq!(h.app.toast().unwrap().text, "undid: edit Shot 2's prompt");
    // ctrl-z suspends like other terminal programs; alt-u undoes, also while typing.
    h.ctrl('z');
    assert_eq!(h.app.board().shots.len(), 4);
    assert!(h.app.take_suspend());
    h.app.handle_event(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::new(KeyCode::Char('u'), crossterm::event::KeyModifiers::ALT),
    ));
    assert_eq!(h.app.board(), &original);
    assert_eq!(h.app.toast().unwrap().text, "undid: add Shot 2");
    h.keys("u");
    assert_eq!(h.app.toast().unwrap().text, "nothing to undo");
    h.ctrl('r');
    assert_eq!(h.app.toast().unwrap().text, "redid: add Shot 2");
    h.ctrl('r');
    assert_eq!(h.app.board().shots[1].prompt, "new shot");
    // Redo also brought the editor's text back.
    h.keys("j");
    h.keys("k");
    h.key(KeyCode::Enter);
    h.keys("!");
    assert_eq!(h.app.board().shots[1].prompt, "new shot!");
}

#[test]
fn provider_toggle_changes_the_preview_and_findings() {
    let mut b = noir();
    b.multi_shot = false;
    b.prompt = "A single take.".into();
    b.duration = 7.0;
    let mut h = harness(&b);
    assert_eq!(h.app.preview_route().unwrap().1, "/v1/videos/text2video");
    assert!(!has_finding(&h, FieldPath::Duration));
    h.keys("p");
    assert_eq!(h.app.doc().provider(), Provider::Gateway);
    assert_eq!(h.app.preview_route().unwrap().1, "/v1/video/generations");
    let f = h
        .app
        .findings()
        .iter()
        .find(|f| f.path == FieldPath::Duration)
        .unwrap();
    assert_eq!(
        f.provider,
        Some(Provider::Gateway),
        "provider-specific finding"
    );
}

#[test]
fn the_provider_cycle_reaches_newapi_which_refuses_a_shot_list_on_the_board() {
    let mut h = harness(&noir());
    assert!(!has_finding(&h, FieldPath::Shots));
    let mut seen = Vec::new();
    for _ in 0..4 {
        h.keys("p");
        seen.push(h.app.doc().provider());
        if h.app.doc().provider() == Provider::NewApi {
            let f = h
                .app
                .findings()
                .iter()
                .find(|f| f.path == FieldPath::Shots)
                .expect("a finding on the shot list");
            assert!(
                f.message.contains("newapi cannot carry a shot list"),
                "{}",
                f.message
            );
            assert_eq!(f.provider, Some(Provider::NewApi));
        }
    }
    assert_eq!(
        seen,
        [
            Provider::Gateway,
            Provider::NewApi,
            Provider::KlingRelay,
            Provider::Kling
        ]
    );
}

#[test]
fn palette_runs_actions_by_name() {
    let mut h = harness(&noir());
    h.keys(":");
    assert_eq!(h.app.overlay_name(), Some("palette"));
    h.keys("split");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.overlay_name(), None);
    assert_eq!(h.app.board().shots.len(), 4);
    // A queue action from the palette focuses the queue.
    h.keys(":all boards");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.focus(), PaneId::Queue);
}

#[test]
fn settings_cycle_toggle_and_edit_paths() {
    let mut h = harness(&noir());
    h.keys("3");
    h.keys("j"); // Mode
    h.keys("l");
    assert_eq!(h.app.board().mode, shotdeck::core::Mode::Image);
    assert!(
        has_finding(&h, FieldPath::FirstFrame),
        "image mode needs a first frame"
    );
    // First frame: typing does not apply (or probe) until Enter.
    h.keys("G");
    for _ in 0..2 {
        h.keys("k");
    }
    h.key(KeyCode::Enter);
    h.keys("nope.png");
    assert_eq!(h.app.board().first_frame, None);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.board().first_frame.as_deref(), Some("nope.png"));
    let f = h
        .app
        .findings()
        .iter()
        .find(|f| f.path == FieldPath::FirstFrame)
        .unwrap();
    assert!(f.message.contains("cannot read nope.png"), "{}", f.message);
    h.keys("x");
    assert_eq!(h.app.board().first_frame, None);
}

#[test]
fn a_broken_key_override_falls_back_with_a_warning() {
    use shotdeck::files::config::{Config, KeyList};
    let (cmd_tx, _c) = tokio::sync::mpsc::channel(1);
    let (_e, ev_rx) = tokio::sync::mpsc::channel(1);
    let mut config = Config::default();
    config
        .keys
        .entry("shot_list".into())
        .or_default()
        .insert("explode".into(), KeyList::One("e".into()));
    let deps = shotdeck::ui::UiDeps::new(cmd_tx, ev_rx, config);
    assert!(
        deps.warnings[0].contains("explode: unknown action"),
        "{:?}",
        deps.warnings
    );
    assert_eq!(deps.keymap, shotdeck::ui::Keymap::defaults());
}

#[test]
fn the_mouse_focuses_panes_and_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut h = harness(&noir());
    let mouse = |kind, column, row| {
        Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: crossterm::event::KeyModifiers::NONE,
        })
    };
    // At 80×24 the settings pane is the right-hand column of the top row.
    h.app
        .handle_event(mouse(MouseEventKind::Down(MouseButton::Left), 70, 4));
    assert_eq!(h.app.focus(), PaneId::Settings);
    h.app.handle_event(mouse(MouseEventKind::ScrollDown, 5, 4));
    assert_eq!(h.app.focus(), PaneId::Shots);
    assert_eq!(h.app.selected_shot(), 1);
}

#[test]
fn over_ssh_open_shows_the_path_instead() {
    let mut h = harness_with(&noir(), sample_jobs);
    let (mut d, _c, _e, rec) = deps(vec![]);
    d.host = Box::new(RecordingHost {
        rec: rec.clone(),
        remote: true,
    });
    let opened = shotdeck::ui::OpenedBoard::open(&h.board_path(), "std").unwrap();
    d.initial_jobs = sample_jobs(&opened.path);
    let (app, _rx) = shotdeck::ui::App::new(opened, d);
    h.app = app;
    h.keys("6G"); // the done job
    h.keys("o");
    assert!(rec.opened.lock().unwrap().is_empty());
    let t = h.app.toast().unwrap();
    assert!(
        t.text.contains("over SSH") && t.text.contains("job-1.mp4"),
        "{}",
        t.text
    );
}
