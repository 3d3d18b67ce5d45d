//! The element picker filters as you type: by id or by name, in any case; Esc clears the
//! filter first and closes the picker only once it is empty.

use crossterm::event::KeyCode;
use shotdeck::core::elements::LibraryItem;
use shotdeck::engine::events::JobEvent;

use super::super::snap;
use crate::ui_support::*;

fn library() -> Vec<LibraryItem> {
    [
        ("100001", "Detective"),
        ("100002", "Umbrella"),
        ("200003", "Singer"),
        ("200004", "Red umbrella"),
    ]
    .into_iter()
    .map(|(id, name)| LibraryItem {
        id: id.into(),
        name: name.into(),
        preview: None,
        status: "succeed".into(),
    })
    .collect()
}

fn open_picker() -> Harness {
    let mut h = harness(&noir());
    h.keys("3e");
    h.app.on_job_event(JobEvent::Elements(Ok(library())));
    assert_eq!(h.app.overlay_name(), Some("element_picker"));
    h
}

#[test]
fn typing_filters_the_library_by_name_or_id_and_esc_clears_then_closes() {
    let mut h = open_picker();
    // `q` and `j` are letters of the filter here, not close and next.
    h.keys("UMBR");
    assert_eq!(h.app.overlay_name(), Some("element_picker"));
    snap("element_picker_filtered", &h);
    let screen = h.screen(80, 24);
    assert!(screen.contains("(2 of 4)"), "{screen}");
    assert!(screen.contains("Red umbrella") && !screen.contains("Detective"));

    // By id, the second match chosen with the arrow.
    for _ in 0..4 {
        h.key(KeyCode::Backspace);
    }
    h.keys("2000");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.overlay_name(), None);
    let elements = &h.app.board().elements;
    assert_eq!(
        elements.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["200004"]
    );

    // Esc with a filter clears it and keeps the picker; the next Esc closes it.
    let mut h = open_picker();
    h.keys("zzz");
    assert!(h.screen(80, 24).contains("no element matches"));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay_name(), Some("element_picker"));
    assert!(
        h.screen(80, 24).contains("Singer"),
        "the whole library again"
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay_name(), None);
    assert!(h.app.board().elements.is_empty());
}
