//! The message log keeps what the status bar showed after the next key erased it.

use crossterm::event::KeyCode;
use shotdeck::engine::events::{JobError, JobEvent, JobPhase};

use super::snap_at;
use crate::ui_support::*;

#[test]
fn toasts_and_job_ends_stay_in_the_log_with_repeats_counted() {
    let mut h = harness_with(&noir(), |b| vec![job(4, b, JobPhase::Processing)]);
    h.keys("uu"); // "nothing to undo", twice in a row
    h.app
        .set_clock(std::time::Instant::now(), NOW_MS + 3_723_000);
    h.ctrl('r');
    let mut failed = job(4, &h.board_path(), JobPhase::Failed);
    failed.error = Some(JobError {
        code: Some("1102".into()),
        message: "Account balance not enough".into(),
        retryable: false,
    });
    h.app.on_job_event(JobEvent::Updated(failed));
    h.keys("j"); // erases the status bar's message
    assert!(h.app.toast().is_none());
    h.keys("M");
    assert_eq!(h.app.overlay_name(), Some("messages"));
    let log: Vec<(String, u32)> = h
        .app
        .messages()
        .iter()
        .map(|m| (m.text.clone(), m.repeats))
        .collect();
    assert_eq!(
        log,
        [
            ("nothing to undo".to_string(), 2),
            ("nothing to redo".to_string(), 1),
            (
                "job #4 failed: 1102: Account balance not enough".to_string(),
                1
            ),
        ]
    );
    snap_at("message_log_80x24", &h, 80, 24);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay_name(), None);
}

#[test]
fn the_log_keeps_the_last_hundred_and_scrolls_from_the_newest() {
    let mut h = harness(&noir());
    // Alternating, so no message repeats the one before it: 101 entries.
    for _ in 0..50 {
        h.keys("u");
        h.ctrl('r');
    }
    h.keys("u");
    let log = h.app.messages();
    assert_eq!(log.len(), 100);
    assert_eq!(log.iter().next().unwrap().text, "nothing to redo");
    assert_eq!(log.iter().last().unwrap().text, "nothing to undo");
    h.keys("M");
    snap_at("message_log_newest_80x24", &h, 80, 24);
    h.keys("g");
    snap_at("message_log_oldest_80x24", &h, 80, 24);
}
