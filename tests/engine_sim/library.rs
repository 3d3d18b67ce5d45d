//! The element library through the engine (`JobCmd::Elements`), as the editor's picker
//! asks for it: the simulator's preset element, and a one-line error where there is no
//! library to list.

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
    engine
        .cmd_tx
        .try_send(JobCmd::Elements {
            provider: Provider::Kling,
        })
        .unwrap();
    let why = events.library().await.unwrap_err();
    assert!(
        why.starts_with("cannot open the element library: "),
        "{why}"
    );
    shutdown(engine).await;
}
