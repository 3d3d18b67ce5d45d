//! Issue 19, for people who live in vim, lazygit and helix: `:` then Enter runs nothing,
//! `:w`/`:q`/`:wq`/`:q!`, ctrl-c stops typing, Esc clears a kept filter, `a`/`o` open the
//! new shot's prompt, `p` undoes, and one line says what delete, undo and keeper did.

use crossterm::event::KeyCode;
use shotdeck::core::Provider;
use shotdeck::engine::events::{JobCmd, JobEvent};
use shotdeck::ui::{ExitReason, PaneId};

use crate::ui_support::*;

fn command(h: &mut Harness, cmd: &str) {
    h.keys(":");
    h.keys(cmd);
    h.key(KeyCode::Enter);
}

#[test]
fn colon_then_enter_runs_nothing() {
    let mut h = harness(&noir());
    h.keys(":");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.exit_reason(), None, "quit was only the first row");
    assert_eq!(h.app.overlay_name(), Some("palette"));
    // A key down chooses the first row; Enter then runs it.
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.overlay_name(),
        Some("help"),
        "the second row (key help) ran"
    );
}

#[test]
fn vim_write_and_quit_commands() {
    let mut h = harness(&noir());
    h.keys("+"); // Shot 1 lengthened: unsaved
    assert!(h.app.doc().is_unsaved());
    command(&mut h, "w");
    assert!(!h.app.doc().is_unsaved(), ":w saved");
    assert_eq!(h.app.exit_reason(), None);
    h.keys("+");
    command(&mut h, "wq");
    assert!(!h.app.doc().is_unsaved(), ":wq saved");
    assert_eq!(h.app.exit_reason(), Some(ExitReason::Quit));
    let saved = shotdeck::files::board_file::load(&h.board_path()).unwrap();
    assert_eq!(saved.shots[0].duration, 6.0);

    let mut h = harness(&noir());
    command(&mut h, "q");
    assert_eq!(h.app.exit_reason(), Some(ExitReason::Quit));
}

#[test]
fn force_quit_leaves_a_read_only_board_alone_and_asks_nothing() {
    let mut h = harness_tweaked(
        &noir(),
        |_| vec![],
        |d| d.read_only = Some("another shotdeck has it open".into()),
    );
    let before = std::fs::read(h.board_path()).unwrap();
    h.keys("+");
    command(&mut h, "q");
    assert_eq!(
        h.app.overlay_name(),
        Some("quit"),
        ":q asks before dropping edits"
    );
    h.key(KeyCode::Esc);
    command(&mut h, "q!");
    assert_eq!(h.app.exit_reason(), Some(ExitReason::Quit));
    assert_eq!(
        std::fs::read(h.board_path()).unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn ctrl_c_while_typing_stops_typing_instead_of_quitting() {
    let mut h = harness(&noir());
    // The prompt editor.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.focus(), PaneId::Prompt);
    h.ctrl('c');
    assert_eq!(h.app.focus(), PaneId::Shots);
    assert_eq!(h.app.exit_reason(), None);
    // A settings field (the title is the first).
    h.keys("3");
    h.key(KeyCode::Enter);
    assert!(h.app.is_typing());
    h.keys("zz");
    h.ctrl('c');
    assert!(!h.app.is_typing());
    assert_eq!(h.app.exit_reason(), None);
    assert!(
        !h.app.board().title.contains("zz"),
        "the open field was dropped"
    );
    // A filter, and the palette.
    h.keys("1/rain");
    assert!(h.app.is_typing());
    h.ctrl('c');
    assert!(!h.app.is_typing());
    h.keys(":");
    h.ctrl('c');
    assert_eq!(h.app.overlay_name(), None);
    assert_eq!(h.app.exit_reason(), None);
    // Not typing, ctrl-c quits as before.
    h.ctrl('c');
    assert_eq!(h.app.exit_reason(), Some(ExitReason::Quit));
}

#[test]
fn esc_clears_a_kept_filter() {
    let mut h = harness(&noir());
    h.keys("/rain");
    h.key(KeyCode::Enter);
    let screen = h.screen(80, 24);
    assert!(screen.contains("filter: rain (1 of 3)"), "{screen}");
    h.key(KeyCode::Esc);
    let screen = h.screen(80, 24);
    assert!(!screen.contains("filter:"), "{screen}");
    assert_eq!(h.app.toast().unwrap().text, "filter cleared");
}

#[test]
fn the_provider_switch_is_one_undo_step() {
    let mut h = harness(&noir());
    h.keys("+");
    h.keys("p");
    assert_eq!(h.app.doc().provider(), Provider::Gateway);
    h.keys("u");
    assert_eq!(h.app.doc().provider(), Provider::Kling);
    assert_eq!(
        h.app.toast().unwrap().text,
        "undid: provider kling → gateway"
    );
    assert_eq!(
        h.app.board().shots[0].duration,
        5.0,
        "the edit before stays"
    );
    h.ctrl('r');
    assert_eq!(h.app.doc().provider(), Provider::Gateway);
}

#[test]
fn the_keeper_change_is_said_once_the_engine_wrote_it() {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6");
    // The queue lists the newest first: the done take (job 1) is last.
    h.keys("G");
    h.keys("K");
    let cmd = h
        .cmds
        .try_recv()
        .expect("the keeper is asked of the engine");
    let JobCmd::SetKeeper { id, keep: true } = cmd else {
        panic!("{cmd:?}")
    };
    let mut kept = sample_jobs(&h.board_path())
        .into_iter()
        .find(|j| j.id == id)
        .unwrap();
    kept.keeper = true;
    h.app.on_job_event(JobEvent::Updated(kept));
    assert_eq!(
        h.app.toast().unwrap().text,
        "Take 1 is the keeper of Noir opening"
    );
}
