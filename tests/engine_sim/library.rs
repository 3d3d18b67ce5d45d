//! The element library through the engine (`JobCmd::Elements`), as the editor's picker
//! asks for it: the simulator's preset element, and a one-line error where there is no
//! library to list. And an element's picture (`JobCmd::ElementPreview`), fetched into the
//! editor's cache file from the library's image URL.

use shotdeck::core::elements::{PreviewFetch, preview_file};
use shotdeck::core::provider::Provider;
use shotdeck::engine::Engine;
use shotdeck::engine::events::JobCmd;
use shotdeck::sim::SimKeys;

use crate::support::*;

#[tokio::test]
async fn the_library_lists_the_simulators_preset_element() {
    let h = Harness::start(0.2).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let ask = |provider| {
        engine
            .cmd_tx
            .try_send(JobCmd::Elements { provider })
            .unwrap()
    };
    ask(Provider::Kling);
    let library = events.library().await.expect("the library");
    let detective = library
        .iter()
        .find(|e| e.id == "100001")
        .unwrap_or_else(|| panic!("{library:?}"));
    assert_eq!(detective.name, "Detective");
    assert_eq!(detective.to_ref().id, "100001");

    // A board on a gateway carries no element_list: said, nothing asked of anyone.
    ask(Provider::NewApi);
    let why = events.library().await.unwrap_err();
    assert!(why.contains("carries no element_list"), "{why}");
    shutdown(engine).await;
}

#[tokio::test]
async fn without_keys_the_library_says_so() {
    let h = Harness::start(0.2).await;
    let keys = SimKeys {
        access_key: String::new(),
        secret_key: String::new(),
        api_key: String::new(),
    };
    let mut engine = Engine::start(h.config_with_keys(keys)).await.unwrap();
    let mut events = Events::new(&mut engine);
    ask_library(&engine, Provider::Kling);
    let why = events.library().await.unwrap_err();
    assert!(
        why.starts_with("cannot open the element library: "),
        "{why}"
    );
    shutdown(engine).await;
}

#[tokio::test]
async fn an_elements_picture_is_fetched_from_the_library_into_the_cache_file() {
    let h = Harness::start(0.2).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().join("element-previews");
    let into = preview_file(&dir, "100001").unwrap();
    let ask = |id: &str, url: Option<String>, into: std::path::PathBuf| {
        engine
            .cmd_tx
            .try_send(JobCmd::ElementPreview {
                provider: Provider::Kling,
                id: id.into(),
                url,
                into,
            })
            .unwrap()
    };

    // No URL on the board: the library's frontal image, served by the simulator.
    ask("100001", None, into.clone());
    let (id, outcome) = events.picture().await;
    assert_eq!(id, "100001");
    assert_eq!(outcome, PreviewFetch::Fetched(into.clone()));
    // Decoded as the preview decodes it: by its bytes, whatever the file's name.
    let picture = image::ImageReader::open(&into)
        .and_then(|r| r.with_guessed_format())
        .unwrap()
        .decode()
        .expect("a picture the preview decodes");
    assert_eq!((picture.width(), picture.height()), (32, 48));
    assert!(
        !shotdeck::engine::download::part_path(&into).exists(),
        "no part file is left beside it"
    );

    // Once cached it is kept: a URL that would fail is never asked.
    ask(
        "100001",
        Some(format!("{}/nowhere.png", h.sim.base_url())),
        into.clone(),
    );
    assert_eq!(
        events.picture().await.1,
        PreviewFetch::Fetched(into.clone())
    );

    // An element the library does not have, and a URL that is not found: said, no file.
    let unknown = preview_file(&dir, "42").unwrap();
    ask("42", None, unknown.clone());
    let (_, outcome) = events.picture().await;
    assert_eq!(
        outcome,
        PreviewFetch::Failed("element 42 is not in the library".into())
    );
    let gone = preview_file(&dir, "43").unwrap();
    ask(
        "43",
        Some(format!("{}/sim/elements/43-front.png", h.sim.base_url())),
        gone.clone(),
    );
    let (_, outcome) = events.picture().await;
    assert!(
        matches!(&outcome, PreviewFetch::Failed(why) if why.contains("404")),
        "{outcome:?}"
    );
    assert!(!unknown.exists() && !gone.exists());
    shutdown(engine).await;
}
