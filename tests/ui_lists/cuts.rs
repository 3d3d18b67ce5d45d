//! Issue 19: nothing is cut silently at 80×24, and the header keeps what matters (the demo's
//! SIMULATED badge, today's spend) at any width.

use crossterm::event::KeyCode;
use shotdeck::core::{Board, Shot};
use shotdeck::engine::events::{JobEvent, JobPhase};
use shotdeck::ui::PaneId;

use super::snap_at;
use crate::ui_support::*;

/// The rows of pane `id` as an 80×24 frame draws them (the borders included).
fn pane_rows(h: &Harness, id: PaneId) -> Vec<String> {
    let r = h.app.areas().expect("80×24 fits").pane(id);
    let screen = h.screen(80, 24);
    screen
        .lines()
        .skip(r.y as usize)
        .take(r.height as usize)
        .map(|l| {
            l.chars()
                .skip(r.x as usize)
                .take(r.width as usize)
                .collect()
        })
        .collect()
}

fn bottom_border(h: &Harness, id: PaneId) -> String {
    pane_rows(h, id).pop().unwrap()
}

fn six_shots() -> Board {
    let mut b = noir();
    b.shots = (1..=6)
        .map(|i| {
            Shot::new(
                format!("Take {i} crosses the rain-soaked street at night"),
                2,
            )
        })
        .collect();
    b
}

#[test]
fn six_shots_keep_twenty_characters_of_prompt_each() {
    let h = harness(&six_shots());
    let rows = pane_rows(&h, PaneId::Shots);
    for i in 1..=6 {
        let words = format!("Take {i} crosses the");
        assert!(
            rows.iter().any(|r| r.contains(&words)),
            "{words}: {rows:#?}"
        );
    }
    snap_at("six_shots_80x24", &h, 80, 24);
}

#[test]
fn the_header_keeps_simulated_and_todays_spend_at_60_columns() {
    let mut b = noir();
    b.title = "A very long storyboard title that takes the whole header".into();
    let mut h = harness_tweaked(&b, |_| vec![], |d| d.simulated = true);
    h.app.on_job_event(JobEvent::Spend { today_usd: 1.51 });
    for w in [60, 80] {
        let screen = h.screen(w, 24);
        let header = screen.lines().next().unwrap();
        assert!(header.contains("SIMULATED"), "{w}: {header}");
        assert!(header.contains("today $1.51"), "{w}: {header}");
    }
    let t = h.render(60, 24);
    insta::assert_snapshot!("header_60x24", t.backend());
}

#[test]
fn settings_findings_and_jobs_count_what_they_hide() {
    // Settings: fourteen rows in a pane of seven.
    let mut b = noir_with_references();
    for s in &mut b.shots {
        s.prompt.clear(); // a finding for each shot, and for each unnamed reference
    }
    let jobs = |board: &std::path::Path| {
        (1..=12)
            .map(|id| job(id, board, JobPhase::Done))
            .collect::<Vec<_>>()
    };
    let h = harness_with(&b, jobs);
    for id in [PaneId::Settings, PaneId::Timeline, PaneId::Queue] {
        let border = bottom_border(&h, id);
        assert!(border.contains("↓"), "{id:?}: {border}");
    }
}

#[test]
fn g_reaches_the_end_of_the_request() {
    let mut h = harness(&noir());
    let _ = h.screen(80, 24); // drawn once: the pane knows its rows
    h.keys("5G");
    let rows = pane_rows(&h, PaneId::Preview);
    let border = rows.last().unwrap();
    assert!(!border.contains("↓"), "{border}");
    assert!(border.contains("↑"), "{border}");
    // The body's last row is the closing brace, above the cost row.
    let last_body = &rows[rows.len() - 3];
    assert_eq!(last_body.trim_matches(['│', '┃', ' ']), "}", "{rows:#?}");
}

#[test]
fn a_long_message_is_shown_whole() {
    let mut h = harness_tweaked(&noir(), detailed_jobs, |d| {
        d.host = Box::new(RecordingHost {
            rec: Recorded::default(),
            remote: true,
        })
    });
    h.keys("6G"); // the done take, with its long path
    h.keys("o");
    let path = "/home/ana/films/noir-opening/board.renders/noir-opening-1-00000001-take.mp4";
    let toast = h.app.toast().unwrap().text.clone();
    assert!(toast.contains(path), "{toast}");
    let screen = h.screen(80, 24);
    assert!(
        screen.contains(path),
        "the path is on screen whole:\n{screen}"
    );
    snap_at("long_message_80x24", &h, 80, 24);
    h.key(KeyCode::Esc);
}
