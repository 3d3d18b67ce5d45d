//! A click focuses the pane under it and selects the row it lands on, through the block
//! border, the ruler above the findings and the list's scroll offset; the wheel moves the
//! selection of the pane under the pointer.

use crossterm::event::MouseEventKind;
use shotdeck::engine::events::JobPhase;
use shotdeck::ui::PaneId;

use super::{click, mouse, row_of, snap_at};
use crate::ui_support::*;

fn thirty_jobs(board: &std::path::Path) -> Vec<shotdeck::engine::events::JobView> {
    (1..=30).map(|id| job(id, board, JobPhase::Done)).collect()
}

#[test]
fn a_click_on_a_scrolled_job_list_picks_the_job_drawn_there() {
    let mut h = harness_with(&noir(), thirty_jobs);
    h.keys("6G"); // the oldest: the list is scrolled to its end
    let t = h.render(80, 24);
    let (x, y) = row_of(&t, "Take 4 ").expect("job #4 (take 4) is on screen");
    h.keys("1"); // the focus goes elsewhere; the click brings it back
    click(&mut h, x, y);
    assert_eq!(h.app.focus(), PaneId::Queue);
    assert_eq!(h.app.selected_job(), Some(4));
    snap_at("click_scrolled_jobs_80x24", &h, 80, 24);
    // The wheel over the queue moves its selection, whatever has the focus.
    h.keys("1");
    mouse(&mut h, MouseEventKind::ScrollUp, x, y);
    assert_eq!(h.app.selected_job(), Some(5));
}

#[test]
fn clicks_select_shots_settings_and_findings_under_the_border() {
    let mut b = noir();
    b.shots[0].duration = 8.0; // over 15 s: a finding to click
    let mut h = harness(&b);
    let t = h.render(80, 24);
    let (x, y) = row_of(&t, " 3  3s").expect("shot 3's row");
    click(&mut h, x, y);
    assert_eq!((h.app.focus(), h.app.selected_shot()), (PaneId::Shots, 2));
    // The top border and the title are not rows.
    click(&mut h, x, 1);
    assert_eq!(h.app.selected_shot(), 2);

    let t = h.render(80, 24);
    let (x, y) = row_of(&t, "Quality").expect("the quality row");
    click(&mut h, x, y);
    assert_eq!(h.app.focus(), PaneId::Settings);
    let (setting, _) = h.app.selected_rows();
    assert_eq!(setting, 3, "title, mode, model, quality");

    let t = h.render(80, 24);
    let (x, y) = row_of(&t, "✗ ").expect("the finding's row");
    click(&mut h, x + 2, y);
    assert_eq!(h.app.focus(), PaneId::Timeline);
    snap_at("click_finding_80x24", &h, 80, 24);
}

#[test]
fn a_click_in_the_palette_selects_the_command_under_it() {
    let mut h = harness(&noir());
    h.keys(":");
    let t = h.render(80, 24);
    let (x, y) = row_of(&t, "Next pane").expect("a palette row");
    click(&mut h, x, y);
    assert_eq!(h.app.overlay_name(), Some("palette"));
    snap_at("click_palette_80x24", &h, 80, 24);
    h.key(crossterm::event::KeyCode::Enter);
    assert_eq!(
        h.app.focus(),
        PaneId::Prompt,
        "Enter ran the clicked command"
    );
}
