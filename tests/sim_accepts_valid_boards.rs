//! Property: a board that validates clean is accepted by the simulated backend, for every
//! provider, in text and reference mode, multi-shot (custom and auto) and single-shot, on
//! both models, in every quality, with and without a first frame beside the references. The
//! sim is an independent
//! reading of the API docs, so this catches a rule the core forgot (or invented).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use shotdeck::core::compose::PlaceholderImages;
use shotdeck::core::{Board, ImageFacts, Mode, Provider, Shot, ShotType, compose, validate};
use shotdeck::files::credentials::Secret;
use shotdeck::providers::{
    Client, DEFAULT_REQUEST_TIMEOUT, GatewayClient, GatewayForm, KlingClient,
};
use shotdeck::sim::{SimConfig, SimKeys, SimServer};

fn board() -> impl Strategy<Value = Board> {
    let prompt = || prop::string::string_regex("[a-zA-Z éжが,.]{1,300}").unwrap();
    (
        prop::collection::vec((prompt(), 1u32..=5), 1..=6),
        any::<bool>(),
        prompt(),
        3u32..=15,
        prop::sample::select(vec!["std", "pro", "4k"]),
        prop::sample::select(vec![None, Some("16:9"), Some("9:16"), Some("1:1")]),
        0.0f64..=1.0,
        any::<(bool, bool, bool)>(),
        // kling-v3-omni, auto multi-shot, a first frame with the references.
        any::<(bool, bool, bool)>(),
    )
        .prop_map(
            |(
                shots,
                multi,
                single,
                dur,
                quality,
                ratio,
                cfg,
                (sound, wm, reference),
                (omni, auto, frame),
            )| {
                let mut b = Board {
                    shots: shots.into_iter().map(|(p, d)| Shot::new(p, d)).collect(),
                    multi_shot: multi,
                    prompt: single,
                    duration: f64::from(dur),
                    quality: quality.into(),
                    aspect_ratio: ratio.map(Into::into),
                    cfg_scale: cfg,
                    sound,
                    watermark: wm,
                    model: if omni { "kling-v3-omni" } else { "kling-v3" }.into(),
                    shot_type: if auto {
                        ShotType::Auto
                    } else {
                        ShotType::Custom
                    },
                    ..Board::default()
                };
                if reference {
                    b.mode = Mode::Reference;
                    b.references = vec!["https://cdn.example.com/a.png".into()];
                    if frame && !b.multi_shot {
                        b.first_frame = Some("https://cdn.example.com/first.png".into());
                    }
                    if b.uses_shot_list() {
                        b.shots[0].prompt.push_str(" <<<image_1>>>");
                    } else {
                        b.prompt.push_str(" <<<image_1>>>");
                    }
                }
                if !b.uses_shot_list() {
                    b.shots.clear();
                }
                b
            },
        )
}

#[test]
fn boards_that_validate_clean_are_accepted_by_the_sim() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let keys = SimKeys::demo();
    let sim = rt
        .block_on(SimServer::start(
            SimConfig {
                keys: keys.clone(),
                ..SimConfig::default()
            },
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    let timeout = DEFAULT_REQUEST_TIMEOUT;
    let kling = Client::Kling(
        KlingClient::new(
            &sim.base_url(),
            Secret::new(keys.access_key.clone()),
            Secret::new(keys.secret_key.clone()),
            timeout,
        )
        .unwrap(),
    );
    let gateway_with = |form: GatewayForm| {
        let key = Secret::new(keys.api_key.clone());
        Client::Gateway(GatewayClient::new(&sim.base_url(), key, form, timeout).unwrap())
    };
    let gateway = gateway_with(GatewayForm::ModelStream(Box::default()));
    let relay = gateway_with(GatewayForm::KlingRelay);
    let stock = shotdeck::core::gateway_profile::GatewayProfile::stock_newapi();
    let newapi = gateway_with(GatewayForm::NewApi(Box::new(stock)));

    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    let n = std::cell::Cell::new(0u64);
    runner
        .run(&(board(), 0..4usize), |(board, which)| {
            let (provider, client) = match which {
                0 => (Provider::Kling, &kling),
                1 => (Provider::Gateway, &gateway),
                2 => (Provider::NewApi, &newapi),
                _ => (Provider::KlingRelay, &relay),
            };
            let findings = validate(&board, provider, &ImageFacts::new());
            prop_assume!(shotdeck::core::is_submittable(&findings));
            n.set(n.get() + 1);
            let ext = format!("prop-{}", uuid::Uuid::new_v4());
            let req = compose(&board, provider, &PlaceholderImages, &ext).unwrap();
            let answer = rt.block_on(client.create(&req));
            prop_assert!(
                answer.is_ok(),
                "{provider} refused a clean board: {:?}\n{}",
                answer.err(),
                serde_json::to_string_pretty(&req.body).unwrap()
            );
            Ok(())
        })
        .unwrap();
    assert!(
        n.get() > 20,
        "most generated boards should be valid ({})",
        n.get()
    );
}

/// A local image of 1 MB: a real PNG header, then bytes that vary.
struct BigPngs;

impl shotdeck::core::compose::ImageSource for BigPngs {
    fn local_image(&self, reference: &str) -> Result<String, shotdeck::core::ImageReadError> {
        use base64::Engine as _;
        let mut bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/images/detective.png"),
        )
        .unwrap();
        let seed = reference.len() as u8;
        bytes.extend((0..1_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 ^ seed));
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

/// A body of megabytes is streamed in pieces (with its length said first): the simulator
/// decodes every image of it, so a piece lost, repeated or cut wrong is refused.
#[test]
fn a_reference_board_of_megabytes_arrives_whole() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let keys = SimKeys::demo();
    let sim = rt
        .block_on(SimServer::start(
            SimConfig {
                keys: keys.clone(),
                ..SimConfig::default()
            },
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/reference.json"),
    )
    .unwrap();
    let board: Board = serde_json::from_str(&text).unwrap();
    let kling = Client::Kling(
        KlingClient::new(
            &sim.base_url(),
            Secret::new(keys.access_key.clone()),
            Secret::new(keys.secret_key.clone()),
            DEFAULT_REQUEST_TIMEOUT,
        )
        .unwrap(),
    );
    let relay = Client::Gateway(
        GatewayClient::new(
            &sim.base_url(),
            Secret::new(keys.api_key.clone()),
            GatewayForm::KlingRelay,
            DEFAULT_REQUEST_TIMEOUT,
        )
        .unwrap(),
    );
    for (provider, client) in [(Provider::Kling, &kling), (Provider::KlingRelay, &relay)] {
        let req = compose(&board, provider, &BigPngs, "shotdeck-big-body").unwrap();
        assert!(serde_json::to_vec(&req.body).unwrap().len() > 2_000_000);
        let answer = rt.block_on(client.create(&req));
        assert!(answer.is_ok(), "{provider}: {:?}", answer.err());
    }
}
