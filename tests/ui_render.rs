//! Render snapshots at 80×24 and 160×48 (accept locally with
//! `INSTA_UPDATE=always cargo test --test ui_render`).

mod ui_support;

use crossterm::event::KeyCode;
use ui_support::*;

fn snap(name: &str, h: &Harness) {
    for (w, ht) in [(80, 24), (160, 48)] {
        let t = h.render(w, ht);
        insta::assert_snapshot!(format!("{name}_{w}x{ht}"), t.backend());
    }
}

#[test]
fn valid_board() {
    let h = harness(&noir());
    snap("valid_board", &h);
}

#[test]
fn over_fifteen_seconds_shows_the_total_as_an_error() {
    let mut b = noir();
    b.shots[0].duration = 8.0; // 8 + 5 + 3 = 16 s
    let h = harness(&b);
    snap("over_15s", &h);
    // The total is drawn in the theme's error colour.
    let t = h.render(80, 24);
    let buf = t.backend().buffer();
    let error = shotdeck::ui::ThemeColors::builtin("dark").unwrap().error;
    let row = (0..24)
        .find(|y| {
            let line: String = (0..80).map(|x| buf[(x, *y)].symbol()).collect();
            line.contains("16 / 15 s")
        })
        .expect("the total is shown");
    let line: String = (0..80).map(|x| buf[(x, row)].symbol()).collect();
    let x = line.find("16 / 15 s").unwrap();
    // Columns, not bytes: everything before the total on this row is single-byte or box drawing.
    let col = line[..x].chars().count() as u16;
    assert_eq!(buf[(col, row)].fg, error);
}

#[test]
fn job_queue_with_running_failed_and_done_jobs() {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6");
    h.key(KeyCode::Down);
    snap("job_queue", &h);
}

#[test]
fn help_overlay() {
    let mut h = harness(&noir());
    h.keys("?");
    snap("help", &h);
}

#[test]
fn submit_confirmation() {
    let mut h = harness(&noir());
    h.keys("S");
    snap("submit_confirm", &h);
}

#[test]
fn retry_confirmation() {
    // Job #2 failed after the provider accepted it: polling again is offered first.
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6jjr");
    snap("retry_confirm", &h);
    // The board as it is now: the same lines as a submit's confirmation.
    h.key(KeyCode::Down);
    snap("retry_confirm_board", &h);
}

#[test]
fn refused_submit_lists_the_errors() {
    let mut b = noir();
    b.shots[1].prompt.clear();
    b.shots[0].duration = 9.0;
    let mut h = harness(&b);
    h.keys("S");
    snap("submit_refused", &h);
}

#[test]
fn command_palette() {
    let mut h = harness(&noir());
    h.keys(":dur");
    snap("palette", &h);
}

#[test]
fn single_shot_board_in_the_prompt_editor() {
    let mut b = noir();
    b.multi_shot = false;
    b.shots.clear();
    b.prompt = "One continuous take through the rain-soaked street.".into();
    b.duration = 7.0;
    let mut h = harness(&b);
    h.keys("p"); // gateway: 7 s is not one of its standard single-shot durations
    h.key(KeyCode::Enter);
    snap("single_shot", &h);
}

/// Auto multi-shot shows one prompt, like single-shot; the shots stay, marked ignored.
#[test]
fn auto_shots_show_one_prompt() {
    let mut b = noir();
    b.shot_type = shotdeck::core::ShotType::Auto;
    b.prompt = "A chase through the rain-soaked street, cut as the model sees fit.".into();
    b.duration = 10.0;
    let mut h = harness(&b);
    h.key(KeyCode::Enter);
    snap("auto_shots", &h);
}

/// Enter on a job: its whole record, once the engine has sent the history.
#[test]
fn job_details_overlay() {
    let mut h = harness_with(&noir(), detailed_jobs);
    h.keys("6G"); // oldest of this board's: #1, done
    h.key(KeyCode::Enter);
    let done = detailed_jobs(&h.board_path()).remove(0);
    h.app
        .on_job_event(shotdeck::engine::events::JobEvent::Details(Box::new(
            record_of(&done),
        )));
    snap("job_details", &h);
}

#[test]
fn a_zoomed_pane_fills_the_screen() {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6z");
    snap("zoomed_queue", &h);
}
