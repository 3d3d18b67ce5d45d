//! `/` filters the shot list, the findings and the job queue; actions act on the row
//! selected among those shown.

use crossterm::event::KeyCode;
use shotdeck::engine::events::{JobCmd, JobEvent, JobId, JobPhase};
use shotdeck::ui::PaneId;

use super::{click, row_of, snap_at};
use crate::ui_support::*;

fn prompts(h: &Harness) -> Vec<String> {
    let words = |p: &str| p.split(':').next().unwrap_or_default().to_string();
    h.app
        .board()
        .shots
        .iter()
        .map(|s| words(&s.prompt))
        .collect()
}

#[test]
fn a_filtered_shot_list_deletes_the_shot_it_shows_selected() {
    let mut h = harness(&noir());
    h.keys("/CLOSE");
    assert_eq!(h.app.context(), shotdeck::ui::keymap::Context::Filter);
    h.key(KeyCode::Enter);
    // The selection moved onto the only match: Shot 3.
    assert_eq!(h.app.selected_shot(), 2);
    snap_at("filtered_shots_80x24", &h, 80, 24);
    h.keys("x");
    assert_eq!(prompts(&h), ["Wide", "Medium"]);
    // Nothing matches now: edits are refused rather than hitting a hidden shot.
    h.keys("x");
    assert_eq!(prompts(&h), ["Wide", "Medium"]);
    assert!(h.app.toast().unwrap().text.contains("no shot matches"));
    // Esc in the filter shows every shot again.
    h.keys("/");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.context(), shotdeck::ui::keymap::Context::ShotList);
    h.keys("gj");
    assert_eq!(h.app.selected_shot(), 1);
}

#[test]
fn moves_and_clicks_skip_the_shots_the_filter_hides() {
    let mut b = noir();
    b.shots
        .push(shotdeck::core::Shot::new("Wide: the street empties", 2));
    let mut h = harness(&b);
    h.keys("/wide");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selected_shot(), 0);
    h.keys("j");
    assert_eq!(h.app.selected_shot(), 3, "shots 2 and 3 are hidden");
    h.keys("k");
    assert_eq!(h.app.selected_shot(), 0);
    // The second row drawn is Shot 4.
    let t = h.render(80, 24);
    let (x, y) = row_of(&t, " 4  2s").expect("shot 4's row");
    h.keys("k");
    click(&mut h, x, y);
    assert_eq!(h.app.selected_shot(), 3);
    // "Shot N" matches too.
    h.keys("/");
    h.key(KeyCode::Esc);
    h.keys("/shot 2");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selected_shot(), 1);
}

#[test]
fn findings_filter_by_text_or_path_and_enter_goes_to_the_one_shown() {
    let mut b = noir();
    b.shots[0].duration = 8.0; // over 15 s
    b.shots[1].prompt.clear(); // an empty prompt
    let mut h = harness(&b);
    let all = h.app.findings().len();
    assert!(all >= 2, "{:?}", h.app.findings());
    h.keys("4/shots[1]");
    h.key(KeyCode::Enter);
    snap_at("filtered_findings_80x24", &h, 80, 24);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.focus(), PaneId::Prompt);
    assert_eq!(h.app.selected_shot(), 1);
}

fn drain(h: &mut Harness) -> Vec<JobCmd> {
    std::iter::from_fn(|| h.cmds.try_recv().ok()).collect()
}

#[test]
fn the_job_filter_is_read_from_the_store_and_actions_take_the_row_shown() {
    let mut h = harness_with(&noir(), sample_jobs);
    drain(&mut h);
    h.keys("6/fail");
    let board = h.board_path();
    let asked = drain(&mut h);
    let Some(JobCmd::Page {
        board: Some(b),
        below: JobId::MAX,
        filter: Some(text),
        ..
    }) = asked.last()
    else {
        panic!("the store is asked for the matching jobs: {asked:?}");
    };
    assert_eq!((b, text.as_str()), (&board, "fail"));
    assert_eq!(asked.len(), 4, "one query per keystroke");
    let page = |text: &str, jobs| JobEvent::Page {
        board: Some(board.clone()),
        below: JobId::MAX,
        jobs,
        ended: true,
        filter: Some(text.into()),
        matching: Some(1),
    };
    let failed: Vec<_> = sample_jobs(&board)
        .into_iter()
        .filter(|j| j.phase == JobPhase::Failed)
        .collect();
    // An answer to a filter typed over since is dropped.
    h.app.on_job_event(page("fai", sample_jobs(&board)));
    h.app.on_job_event(page("fail", failed));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.selected_job(), Some(2));
    snap_at("filtered_jobs_80x24", &h, 80, 24);
    h.keys("r");
    assert_eq!(h.app.overlay_name(), Some("retry"));
    h.key(KeyCode::Esc);
    // Esc in the filter lists the whole history again, with no query.
    h.keys("/");
    h.key(KeyCode::Esc);
    assert!(drain(&mut h).is_empty());
    assert_eq!(
        h.app.selected_job(),
        Some(4),
        "the newest of the whole list"
    );
}
