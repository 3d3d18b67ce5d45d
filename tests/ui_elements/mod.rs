//! Adding an element from the account's library in Settings: the editor asks the engine,
//! the picker lists the answer, Enter appends the element. A module of `ui_render`.

use shotdeck::core::elements::LibraryItem;
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, JobEvent};

use super::snap;
use crate::ui_support::*;

mod picker;
mod previews;

fn item(id: &str, name: &str, status: &str) -> LibraryItem {
    LibraryItem {
        id: id.into(),
        name: name.into(),
        preview: Some(format!("https://cdn.test/{id}.png")),
        status: status.into(),
    }
}

fn asked(h: &mut Harness) -> Vec<JobCmd> {
    std::iter::from_fn(|| h.cmds.try_recv().ok()).collect()
}

#[test]
fn the_picker_lists_the_library_and_enter_appends_the_element() {
    let mut h = harness(&noir());
    asked(&mut h);
    // An answer nobody asked for opens nothing.
    h.app
        .on_job_event(JobEvent::Elements(Ok(vec![item("1", "x", "succeed")])));
    assert_eq!(h.app.overlay_name(), None);

    h.keys("3e");
    let cmds = asked(&mut h);
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            JobCmd::Elements {
                provider: Provider::Kling
            }
        )),
        "{cmds:?}"
    );
    h.app.on_job_event(JobEvent::Elements(Ok(vec![
        item("100001", "Detective", "succeed"),
        item("100002", "Umbrella", "processing"),
    ])));
    assert_eq!(h.app.overlay_name(), Some("element_picker"));
    snap("element_picker", &h);

    // `j` types into the picker's filter now: the arrow moves.
    h.key(crossterm::event::KeyCode::Down);
    h.key(crossterm::event::KeyCode::Enter);
    assert_eq!(h.app.overlay_name(), None);
    let elements = &h.app.board().elements;
    assert_eq!(elements.len(), 1);
    assert_eq!(
        (elements[0].id.as_str(), elements[0].name.as_str()),
        ("100002", "Umbrella")
    );
    assert_eq!(
        elements[0].preview.as_deref(),
        Some("https://cdn.test/100002.png")
    );
    let toast = h.app.toast().map(|t| t.text.clone()).unwrap_or_default();
    assert!(toast.contains("<<<element_1>>>"), "{toast}");
}

#[test]
fn a_library_that_cannot_be_read_is_said() {
    let mut h = harness(&noir());
    h.keys("3e");
    let why = "newapi carries no element_list: the element library is on the official Kling API (provider kling)";
    h.app.on_job_event(JobEvent::Elements(Err(why.into())));
    assert_eq!(h.app.overlay_name(), None);
    let toast = h.app.toast().map(|t| t.text.clone()).unwrap_or_default();
    assert_eq!(toast, why);
    assert!(h.app.board().elements.is_empty());
}
