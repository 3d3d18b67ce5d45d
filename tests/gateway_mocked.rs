//! Both gateway profiles against an independent mock written from the providers' public
//! docs (tests/gateway_mock), driven through the real clients and the job engine: submit,
//! poll, download, a failed task, a 429, a used-up balance, and a lost create answer that
//! waits for the user and is never sent again.

mod gateway_mock;

#[path = "engine_sim/support.rs"]
#[allow(dead_code)]
mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gateway_mock::{CreateScript, GatewayMock, PollShape, VIDEO};
use serde_json::Value;
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
        let base = self.mock.base.clone();
        let no_file = self.dir.path().join("no-credentials.toml");
        let factory: ClientFactory = Arc::new(move |p: Provider| {
            let settings = ProviderSettings {
                gateway_base: Some(base.clone()),
                request_timeout: Duration::from_secs(5),
                ..ProviderSettings::default()
            };
            let env = |name: &str| (name == "SHOTDECK_GATEWAY_KEY").then(|| GATEWAY_KEY.into());
            Client::from_sources(p, &settings, &env, &no_file)
        });
        let config = Config {
            render_dir: self.dir.path().join("renders").display().to_string(),
            ..Config::default()
        };
        let cfg = EngineConfig::new(self.store(), config, ProviderSettings::default())
            .with_clients(factory)
            .with_tuning(fast_tuning());
        Engine::start(cfg).await.unwrap()
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("jobs.sqlite3")
    }

    fn board(&self) -> (PathBuf, Board) {
        let mut board = Board::starter();
        board.title = "mocked".into();
        let path = self.dir.path().join("mocked.json");
        board_file::save(&path, &board).unwrap();
        (path, board)
    }

    async fn submit(&self, engine: &EngineHandle, events: &mut Events, p: Provider) -> JobView {
        let (path, board) = self.board();
        let request = SubmitRequest::new(&path, board, p, SubmitOptions::default());
        let ticket = request.ticket;
        engine.cmd_tx.send(JobCmd::Submit(request)).unwrap();
        events.job_for(ticket).await
    }
}

fn assert_downloaded(v: &JobView) {
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(v.files.len(), 1);
    assert_eq!(std::fs::read(&v.files[0].path).unwrap(), VIDEO);
}

#[tokio::test]
async fn each_profile_submits_polls_and_downloads() {
    for provider in [Provider::Gateway, Provider::KlingRelay] {
        let rig = Rig::start().await;
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
    let rig = Rig::start().await;
    let mut engine = rig.engine().await;
    let mut events = Events::new(&mut engine);
    let job = rig.submit(&engine, &mut events, Provider::Gateway).await;
    events.finished(job.id).await;
    let body = &rig.mock.creates()[0];
    // ModelStream: "duration?number"; "multi_shot?boolean"; "watermark_enabled?boolean".
    assert!(
        body["duration"].is_number() && body["multi_shot"].is_boolean(),
        "{body}"
    );
    assert!(body["watermark_enabled"].is_boolean());
    // new-api's adaptor test: "the upstream duration field is a string, so metadata must
    // carry a string too".
    let shots = body["metadata"]["multi_prompt"].as_array().unwrap();
    assert!(
        shots
            .iter()
            .all(|s| s["duration"].is_string() && s["index"].is_number())
    );
    assert_eq!(body["metadata"]["shot_type"], "customize");
    assert_eq!(
        body["metadata"]["external_task_id"],
        job.external_task_id.as_str()
    );
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
        let rig = Rig::start().await;
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
    for provider in [Provider::Gateway, Provider::KlingRelay] {
        let rig = Rig::start().await;
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
    for provider in [Provider::Gateway, Provider::KlingRelay] {
        let rig = Rig::start().await;
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
    let cases: [(Provider, UseUp, &str); 2] = [
        (
            Provider::Gateway,
            GatewayMock::use_up_quota,
            "quota_not_enough",
        ),
        (
            Provider::KlingRelay,
            GatewayMock::use_up_kling_balance,
            "1102",
        ),
    ];
    for (provider, use_up, code) in cases {
        let rig = Rig::start().await;
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
    for provider in [Provider::Gateway, Provider::KlingRelay] {
        let rig = Rig::start().await;
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
        engine.cmd_tx.send(JobCmd::Refresh).unwrap();
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
    let board = Board::starter();
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
