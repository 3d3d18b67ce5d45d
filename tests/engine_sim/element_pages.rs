//! The element library is read page by page until a short page, against the simulator:
//! a small page size shows the paging (and the cap), and a library of more than one
//! 500-task page reaches the engine whole.

use std::time::{Duration, Instant};

use shotdeck::core::provider::Provider;
use shotdeck::files::credentials::Secret;
use shotdeck::providers::{ELEMENT_LIST_MAX_PAGES, KlingClient, NewElement};

use crate::support::*;

fn client(h: &Harness) -> KlingClient {
    KlingClient::new(
        &h.sim.base_url(),
        Secret::new(h.keys.access_key.clone()),
        Secret::new(h.keys.secret_key.clone()),
        Duration::from_secs(10),
    )
    .unwrap()
}

async fn make(c: &KlingClient, n: usize) {
    for i in 0..n {
        let element = NewElement {
            name: format!("Extra {i}"),
            description: "made for the paging test".into(),
            frontal_image: "https://img.test/front.png".into(),
            refer_images: vec!["https://img.test/side.png".into()],
        };
        c.create_element(&element).await.expect("created");
    }
}

#[tokio::test]
async fn the_list_is_read_until_a_short_page_and_a_capped_one_says_so() {
    let h = Harness::start(0.2).await;
    let c = client(&h);
    // The preset element and four more: pages of 2, 2 and 1.
    make(&c, 4).await;
    let whole = c.list_elements_paged(2, 20).await.expect("listed");
    assert!(!whole.capped);
    assert_eq!(whole.capped_note(), None);
    let ids: Vec<&str> = whole.tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 5, "each task once: {ids:?}");
    assert!(
        whole
            .tasks
            .iter()
            .any(|t| t.elements.iter().any(|e| e.id == "100001")),
        "the oldest, on the last page"
    );
    // A page exactly full is not the last: one more (empty) page ends it.
    let exact = c.list_elements_paged(5, 20).await.expect("listed");
    assert_eq!((exact.tasks.len(), exact.capped), (5, false));
    // Stopped by the cap: the newest tasks, and a note that says the rest was not read.
    let capped = c.list_elements_paged(2, 2).await.expect("listed");
    assert_eq!((capped.tasks.len(), capped.capped), (4, true));
    let note = capped.capped_note().expect("a note");
    assert!(note.contains("newest 4"), "{note}");
    assert!(
        note.contains(&format!("{ELEMENT_LIST_MAX_PAGES} pages")),
        "{note}"
    );
}

#[tokio::test]
async fn a_library_past_one_page_of_500_reaches_the_picker_whole() {
    let h = Harness::start(0.2).await;
    let c = client(&h);
    let started = Instant::now();
    make(&c, 500).await;
    eprintln!("500 elements made in {:?}", started.elapsed());
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    ask_library(&engine, Provider::Kling);
    let library = events.library().await.expect("the library");
    assert_eq!(library.len(), 501, "both pages");
    assert!(
        library.iter().any(|e| e.id == "100001"),
        "the preset element is the oldest, on page 2"
    );
    shutdown(engine).await;
}
