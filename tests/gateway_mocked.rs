//! The three Bearer-key routes against an independent mock written from the providers'
//! public source and docs (tests/gateway_mock), driven through the real clients and the job
//! engine: submit, poll, download, a failed task, a 429, a used-up balance, and a lost
//! create answer that waits for the user and is never sent again. `gateway` meets the
//! seed's ModelStream form with a custom multi-shot board; `newapi` and `kling-relay` meet
//! stock new-api with a single-shot board (the only kind stock new-api carries).

mod gateway_mock;

#[path = "engine_sim/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gateway_mock::{CreateScript, Deployment, GatewayMock, PollShape, VIDEO};
use serde_json::Value;
use shotdeck::app::engine_settings;
use shotdeck::core::compose::PlaceholderImages;
use shotdeck::core::provider::Provider;
use shotdeck::core::{Board, compose};
use shotdeck::engine::events::{JobCmd, JobPhase, JobView, SubmitOptions, SubmitRequest};
use shotdeck::engine::store::{Resolution, Store, now_ms};
use shotdeck::engine::{ClientFactory, Engine, EngineConfig, EngineHandle};
use shotdeck::files::board_file;
use shotdeck::files::config::Config;
use shotdeck::providers::{Client, ProviderError, ProviderSettings, TaskState};
use support::{Events, fast_tuning, shutdown};
use tempfile::TempDir;

const GATEWAY_KEY: &str = "sk-gateway-own-key";

/// Every Bearer-key route, each against the deployment it is written for.
const ROUTES: [Provider; 3] = [Provider::Gateway, Provider::NewApi, Provider::KlingRelay];

/// A temp store and board folder, and engines whose clients reach the mock with
/// `SHOTDECK_GATEWAY_KEY` (a different `KLING_API_KEY` is set too: the gateway's own wins).
struct Rig {
    mock: GatewayMock,
    dir: TempDir,
}

impl Rig {
    async fn start() -> Rig {
        Rig {
            mock: GatewayMock::start(GATEWAY_KEY).await,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A mock deployed the way `provider` expects: the ModelStream form for `gateway`,
    /// stock new-api for the others.
    async fn for_route(provider: Provider) -> Rig {
        let rig = Rig::start().await;
        if provider == Provider::Gateway {
            rig.mock.deploy(Deployment::ModelStream);
        }
        rig
    }

    fn client(&self, provider: Provider) -> Client {
        let settings = ProviderSettings {
            gateway_base: Some(self.mock.base.clone()),
            request_timeout: Duration::from_secs(5),
            ..ProviderSettings::default()
        };
        let env = |name: &str| match name {
            "SHOTDECK_GATEWAY_KEY" => Some(GATEWAY_KEY.to_string()),
            "KLING_API_KEY" => Some("sk-official-key-not-for-gateways".to_string()),
            _ => None,
        };
        let no_file = self.dir.path().join("no-credentials.toml");
        Client::from_sources(provider, &settings, &env, &no_file).unwrap()
    }

    async fn engine(&self) -> EngineHandle {
        let factory = gateway_clients(&self.mock.base, GATEWAY_KEY, &self.dir);
        let config = Config {
            render_dir: self.dir.path().join("renders").display().to_string(),
            ..Config::default()
        };
        let cfg = EngineConfig::new(
            shotdeck::engine::store::open(&self.store()).unwrap(),
            engine_settings(&config),
            ProviderSettings::default(),
        )
        .with_clients(factory)
        .with_tuning(fast_tuning());
        Engine::start(cfg).await.unwrap()
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("jobs.sqlite3")
    }

    /// The starter's three custom shots where the route carries a shot list, else its first
    /// shot as a single-shot board.
    fn board(&self, provider: Provider) -> (PathBuf, Board) {
        let mut board = Board::starter();
        board.title = "mocked".into();
        if provider != Provider::Gateway {
            board = single_shot(board);
        }
        let path = self.dir.path().join("mocked.json");
        board_file::save(&path, &board).unwrap();
        (path, board)
    }

    async fn submit(&self, engine: &EngineHandle, events: &mut Events, p: Provider) -> JobView {
        let (path, board) = self.board(p);
        let request = SubmitRequest::new(&path, board, p, SubmitOptions::default());
        let ticket = request.ticket;
        engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
        events.job_for(ticket).await
    }
}

fn single_shot(mut board: Board) -> Board {
    board.multi_shot = false;
    board.prompt = board.shots[0].prompt.clone();
    board.duration = 5.0;
    board
}

fn assert_downloaded(v: &JobView) {
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(v.files.len(), 1);
    assert_eq!(std::fs::read(&v.files[0].path).unwrap(), VIDEO);
}

#[tokio::test]
async fn each_profile_submits_polls_and_downloads() {
    for provider in ROUTES {
        let rig = Rig::for_route(provider).await;
        let mut engine = rig.engine().await;
        let mut events = Events::new(&mut engine);
        let job = rig.submit(&engine, &mut events, provider).await;
        let v = events.finished(job.id).await;
        assert_downloaded(&v);
        assert!(
            v.task_id.unwrap().starts_with("task_"),
            "the gateway's own id"
        );
        let creates = rig.mock.creates();
        assert_eq!(creates.len(), 1, "{provider}");
        assert!(
            !creates[0]["prompt"].as_str().unwrap().is_empty(),
            "{provider}"
        );
        assert!(
            rig.mock
                .authorizations()
                .iter()
                .all(|a| a == &format!("Bearer {GATEWAY_KEY}"))
        );
        assert_eq!(rig.mock.downloads(), 1);
        shutdown(engine).await;
    }
}

#[tokio::test]
async fn the_generic_form_is_the_documented_one() {
    let rig = Rig::for_route(Provider::Gateway).await;
    let mut engine = rig.engine().await;
    let mut events = Events::new(&mut engine);
    let job = rig.submit(&engine, &mut events, Provider::Gateway).await;
    assert_downloaded(&events.finished(job.id).await);
    let body = &rig.mock.creates()[0];
    // ModelStream: "duration?number"; "multi_shot?boolean"; "watermark_enabled?boolean".
    assert!(
        body["duration"].is_number() && body["multi_shot"] == true,
        "{body}"
    );
    assert!(body["watermark_enabled"].is_boolean());
    // The Kling v3 gateway docs: a top-level
    // `"multi_prompt": [{"index": 123, "prompt": "<string>", "duration": "<string>"}]`
    // (the mock refuses any other shape, and durations not adding up to `duration`).
    let shots = body["multi_prompt"].as_array().unwrap();
    assert_eq!(shots.len(), 3);
    assert_eq!(body["shot_type"], "customize");
    assert_eq!(body["external_task_id"], job.external_task_id.as_str());
    assert!(body.get("metadata").is_none(), "nothing duplicated: {body}");
    shutdown(engine).await;
}

#[tokio::test]
async fn every_documented_poll_shape_finishes() {
    let board = Board::starter();
    for shape in [
        PollShape::Envelope,
        PollShape::OpenAiVideo,
        PollShape::Simple,
    ] {
        let rig = Rig::for_route(Provider::Gateway).await;
        rig.mock.set_shape(shape);
        let client = rig.client(Provider::Gateway);
        let req = compose(&board, Provider::Gateway, &PlaceholderImages, "ext-1").unwrap();
        let created = client.submit(&req, "ext-1").await.unwrap();
        let mut states = Vec::new();
        for _ in 0..3 {
            let t = client.query(&req.path, &created.task_id).await.unwrap();
            states.push(t.state);
            if t.state == TaskState::Succeeded {
                assert!(t.videos[0].url.ends_with(".mp4"), "{shape:?}");
            }
        }
        assert_eq!(
            states,
            [
                TaskState::Submitted,
                TaskState::Processing,
                TaskState::Succeeded
            ],
            "{shape:?}"
        );
    }
}

#[tokio::test]
async fn a_failed_task_fails_the_job_with_the_gateways_reason() {
    for provider in ROUTES {
        let rig = Rig::for_route(provider).await;
        rig.mock
            .fail_next_task("content moderation rejected the prompt");
        let mut engine = rig.engine().await;
        let mut events = Events::new(&mut engine);
        let job = rig.submit(&engine, &mut events, provider).await;
        let v = events.finished(job.id).await;
        assert_eq!(v.phase, JobPhase::Failed, "{provider}");
        assert!(
            v.error.unwrap().message.contains("content moderation"),
            "{provider}"
        );
        shutdown(engine).await;
    }
}

#[tokio::test]
async fn a_429_is_waited_out_and_sent_again() {
    for provider in ROUTES {
        let rig = Rig::for_route(provider).await;
        rig.mock.script(CreateScript::RateLimited);
        let mut engine = rig.engine().await;
        let mut events = Events::new(&mut engine);
        let job = rig.submit(&engine, &mut events, provider).await;
        assert_downloaded(&events.finished(job.id).await);
        assert_eq!(
            rig.mock.creates().len(),
            2,
            "{provider}: refused once, then sent"
        );
        assert_eq!(rig.mock.tasks_made(), 1, "{provider}");
        shutdown(engine).await;
    }
}

#[tokio::test]
async fn a_used_up_balance_fails_after_exactly_one_create() {
    type UseUp = fn(&GatewayMock);
    // Kling's 1102 at HTTP 429, wrapped by new-api in `fail_to_fetch_task` (a deployment
    // that keeps the wrapped message).
    fn kling_balance_gone(mock: &GatewayMock) {
        mock.keep_upstream_message();
        mock.upstream_refuses(
            429,
            serde_json::json!({"code": 1102, "message": "resource pack depleted", "request_id": "r"}),
        );
    }
    let cases: [(Provider, UseUp, &str); 3] = [
        (
            Provider::Gateway,
            GatewayMock::use_up_quota,
            "quota_not_enough",
        ),
        (Provider::NewApi, kling_balance_gone, "1102"),
        (Provider::KlingRelay, kling_balance_gone, "1102"),
    ];
    for (provider, use_up, code) in cases {
        let rig = Rig::for_route(provider).await;
        use_up(&rig.mock);
        let mut engine = rig.engine().await;
        let mut events = Events::new(&mut engine);
        let job = rig.submit(&engine, &mut events, provider).await;
        let v = events.finished(job.id).await;
        assert_eq!(v.phase, JobPhase::Failed);
        let err = v.error.unwrap();
        assert_eq!(
            err.code.as_deref(),
            Some(code),
            "{provider}: {}",
            err.message
        );
        assert!(!err.retryable);
        assert_eq!(rig.mock.creates().len(), 1, "{provider}: never retried");
        shutdown(engine).await;
    }
}

#[tokio::test]
async fn a_lost_create_waits_for_the_user_and_attach_resumes_it() {
    for provider in ROUTES {
        let rig = Rig::for_route(provider).await;
        rig.mock.script(CreateScript::DropAfterCreate);
        let mut engine = rig.engine().await;
        let mut events = Events::new(&mut engine);
        let job = rig.submit(&engine, &mut events, provider).await;
        let v = events.reached(job.id, JobPhase::NeedsAttention).await;
        assert!(v.error.unwrap().message.contains("dashboard"), "{provider}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            rig.mock.creates().len(),
            1,
            "{provider}: exactly one create, no re-send"
        );

        let task = rig.mock.dashboard().pop().expect("the task was made");
        let mut store = Store::open(&rig.store()).unwrap();
        let attach = Resolution::Attach(task.clone());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while let Err(e) = store.resolve_attention(job.id, &attach, "user", now_ms()) {
            assert!(tokio::time::Instant::now() < deadline, "{e}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        engine.cmd_tx.try_send(JobCmd::Refresh).unwrap();
        let v = events.finished(job.id).await;
        assert_downloaded(&v);
        assert_eq!(v.task_id.as_deref(), Some(task.as_str()));
        assert_eq!(rig.mock.creates().len(), 1, "{provider}");
        shutdown(engine).await;
    }
}

#[tokio::test]
async fn gateway_answers_the_client_reads_directly() {
    let rig = Rig::start().await;
    let board = single_shot(Board::starter());
    // The relay's fork-style flat create answer.
    rig.mock.flat_relay_create();
    let relay = rig.client(Provider::KlingRelay);
    let req = compose(&board, Provider::KlingRelay, &PlaceholderImages, "ext-r").unwrap();
    let created = relay.submit(&req, "ext-r").await.unwrap();
    assert!(created.task_id.starts_with("task_"));
    // An empty prompt is what new-api refuses: shotdeck never sends one, the mock says so.
    let gateway = rig.client(Provider::Gateway);
    let mut req = compose(&board, Provider::Gateway, &PlaceholderImages, "ext-g").unwrap();
    req.body["prompt"] = Value::String(String::new());
    let err = gateway.create(&req).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::BadRequest { message, .. } if message == "prompt is required"),
        "{err:?}"
    );
}

/// The engine's clients for `base`: the gateway key from the environment and nothing else
/// (no credentials file, no official keys).
fn gateway_clients(base: &str, key: &'static str, dir: &TempDir) -> ClientFactory {
    let base = base.to_string();
    let no_file = dir.path().join("no-credentials.toml");
    Arc::new(move |p: Provider| {
        let settings = ProviderSettings {
            gateway_base: Some(base.clone()),
            request_timeout: Duration::from_secs(5),
            ..ProviderSettings::default()
        };
        let env = |name: &str| (name == "SHOTDECK_GATEWAY_KEY").then(|| key.into());
        Client::from_sources(p, &settings, &env, &no_file)
    })
}

#[path = "gateway_mocked/routes.rs"]
mod routes;
