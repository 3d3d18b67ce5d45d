//! A board the route cannot carry whole is never sent, and what a route can carry arrives
//! whole: the real binary and the real engine against the gateway mock rebuilt from
//! new-api's source (tests/gateway_mock) on 127.0.0.1.

use super::{gateway_mock, support};
use shotdeck::engine::events::Refusal;

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use gateway_mock::{Deployment, GatewayMock};
use serde_json::json;
use shotdeck::core::provider::Provider;
use shotdeck::core::{Board, Mode};
use shotdeck::engine::events::{JobCmd, JobPhase, JobView, SubmitOptions, SubmitRequest};
use shotdeck::engine::{Engine, EngineConfig, EngineHandle};
use shotdeck::files::board_file;
use shotdeck::files::config::Config;
use shotdeck::providers::ProviderSettings;
use support::{Events, fast_tuning, shutdown};
use tempfile::TempDir;

const KEY: &str = "sk-routes-key";

struct Rig {
    mock: GatewayMock,
    dir: TempDir,
}

impl Rig {
    async fn start(deployment: Deployment) -> Rig {
        let mock = GatewayMock::start(KEY).await;
        mock.deploy(deployment);
        Rig {
            mock,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn save(&self, name: &str, board: &Board) -> PathBuf {
        let path = self.dir.path().join(name);
        board_file::save(&path, board).unwrap();
        path
    }

    /// The real binary, its config and state in the temp folder, the gateway at the mock.
    async fn run(&self, args: &[&str], config_toml: &str) -> Output {
        let config_dir = self.dir.path().join("config");
        std::fs::create_dir_all(&config_dir).unwrap();
        std::fs::write(config_dir.join("config.toml"), config_toml).unwrap();
        let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"))
            .args(args)
            .env("SHOTDECK_CONFIG_DIR", &config_dir)
            .env("SHOTDECK_DATA_DIR", self.dir.path().join("data"))
            .env("SHOTDECK_STATE_DIR", self.dir.path().join("state"))
            .env("SHOTDECK_GATEWAY_URL", &self.mock.base)
            .env("SHOTDECK_GATEWAY_KEY", KEY)
            .kill_on_drop(true)
            .output();
        tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("the command finishes")
            .expect("the binary runs")
    }

    async fn engine(&self, config: Config) -> EngineHandle {
        let factory = super::gateway_clients(&self.mock.base, KEY, &self.dir);
        let config = Config {
            render_dir: self.dir.path().join("renders").display().to_string(),
            ..config
        };
        let cfg = EngineConfig::new(
            shotdeck::engine::store::open(&self.dir.path().join("jobs.db")).unwrap(),
            shotdeck::app::engine_settings(&config),
            ProviderSettings::default(),
        )
        .with_clients(factory)
        .with_tuning(fast_tuning());
        Engine::start(cfg).await.unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn single_shot() -> Board {
    let mut board = Board::starter();
    board.multi_shot = false;
    board.prompt = board.shots[0].prompt.clone();
    board.duration = 5.0;
    board
}

#[tokio::test]
async fn a_multi_shot_board_through_stock_new_api_is_refused_and_nothing_is_sent() {
    let rig = Rig::start(Deployment::Stock).await;
    let board = rig.save("noir.json", &Board::starter());
    for command in ["submit", "compose"] {
        let mut args = vec![command, board.to_str().unwrap(), "--provider", "newapi"];
        if command == "submit" {
            args.push("--yes");
        }
        let out = rig.run(&args, "").await;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        assert!(
            err.contains("error shots: newapi cannot carry a shot list"),
            "{err}"
        );
        assert!(
            err.contains("--provider gateway"),
            "names what to use: {err}"
        );
    }
    assert!(rig.mock.creates().is_empty(), "zero creates");
    let jobs = rig.run(&["jobs", "--json"], "").await;
    assert_eq!(text(&jobs.stdout).trim(), "[]", "nothing recorded");
    // Auto and references are refused the same way.
    let mut auto = Board::starter();
    auto.shot_type = shotdeck::core::ShotType::Auto;
    auto.prompt = "a storm rolls in".into();
    let auto = rig.save("auto.json", &auto);
    let out = rig
        .run(
            &[
                "submit",
                auto.to_str().unwrap(),
                "--provider",
                "newapi",
                "--yes",
            ],
            "",
        )
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error shot_type: newapi cannot carry Auto"));
    assert!(rig.mock.creates().is_empty());
}

#[tokio::test]
async fn a_fork_described_in_config_carries_the_list_in_metadata() {
    let rig = Rig::start(Deployment::Fork).await;
    let board = rig.save("noir.json", &Board::starter());
    // README's example: BIE5462/new-api's adaptor declares `multi_prompt` (any shape).
    let config = "[profiles.newapi]\nshot_list = \"metadata\"\nauto = true\n";
    let out = rig
        .run(
            &["compose", board.to_str().unwrap(), "--provider", "newapi"],
            config,
        )
        .await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("newapi carries: 3 shots as multi_prompt in metadata"),
        "{err}"
    );
    let out = rig
        .run(
            &[
                "submit",
                board.to_str().unwrap(),
                "--provider",
                "newapi",
                "--yes",
                "--wait",
            ],
            config,
        )
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let forwarded = rig.mock.forwarded();
    let (path, kling) = &forwarded[0];
    assert_eq!(path, "text2video");
    assert_eq!(kling["multi_shot"], true);
    assert_eq!(kling["shot_type"], "customize");
    assert_eq!(kling["multi_prompt"].as_array().unwrap().len(), 3);
    assert_eq!(rig.mock.dropped(), [Vec::<String>::new()]);
}

/// A single-shot board through `provider` on a fresh engine, followed to its end: the job's
/// view and the external id its create carried.
async fn single_shot_job(rig: &Rig, provider: Provider) -> (JobView, String) {
    let mut engine = rig.engine(Config::default()).await;
    let mut events = Events::new(&mut engine);
    let path = rig.save("single.json", &single_shot());
    let request = SubmitRequest::new(&path, single_shot(), provider, SubmitOptions::default());
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let job = events.job_for(ticket).await;
    let v = events.finished(job.id).await;
    shutdown(engine).await;
    (v, job.external_task_id)
}

#[tokio::test]
async fn stock_new_api_forwards_every_key_of_a_single_shot_board() {
    let rig = Rig::start(Deployment::Stock).await;
    let (v, ext) = single_shot_job(&rig, Provider::NewApi).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    let nothing: Vec<String> = Vec::new();
    assert_eq!(rig.mock.dropped(), [nothing], "nothing dropped");
    let (_, kling) = &rig.mock.forwarded()[0];
    assert_eq!(kling["external_task_id"], ext.as_str());
    assert_eq!(kling["aspect_ratio"], "16:9", "not new-api's 1:1 default");
}

#[tokio::test]
async fn either_create_id_new_api_has_answered_is_polled_and_downloaded() {
    // new-api @ 070818b8 answers a create with Kling's own task id; later versions with
    // their public `task_…` id. shotdeck keeps whichever it is given and polls by it.
    for kling_ids in [false, true] {
        for provider in [Provider::NewApi, Provider::KlingRelay] {
            let rig = Rig::start(Deployment::Stock).await;
            if kling_ids {
                rig.mock.answer_kling_task_ids();
            }
            let (v, _) = single_shot_job(&rig, provider).await;
            assert_eq!(v.phase, JobPhase::Done, "{provider}: {:?}", v.error);
            let id = v.task_id.unwrap_or_default();
            assert_eq!(id.starts_with("task_"), !kling_ids, "{provider}: {id}");
            assert_eq!(rig.mock.creates().len(), 1, "{provider}: sent once");
        }
    }
}

#[tokio::test]
async fn a_relay_that_passes_no_body_whole_refuses_references_in_the_engine() {
    let rig = Rig::start(Deployment::Stock).await;
    let mut engine = rig.engine(Config::default()).await;
    let mut events = Events::new(&mut engine);
    let mut board = single_shot();
    board.mode = Mode::Reference;
    board.references = vec!["https://img.test/a.png".into()];
    board.prompt = "<<<image_1>>> walks".into();
    let path = rig.save("ref.json", &board);
    let request = SubmitRequest::new(&path, board, Provider::KlingRelay, SubmitOptions::default());
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let refusal = events.rejection().await;
    assert!(matches!(refusal, Refusal::Findings(_)), "{refusal:?}");
    let why = refusal.to_string();
    assert!(
        why.contains("kling-relay cannot carry reference images"),
        "{why}"
    );
    assert!(rig.mock.creates().is_empty());
    shutdown(engine).await;
}

#[tokio::test]
async fn wrapped_kling_codes_decide_balance_against_wait() {
    // 1303 (parallel tasks over the pack's limit) wrapped in fail_to_fetch_task: wait, send again.
    for provider in [Provider::NewApi, Provider::KlingRelay] {
        let rig = Rig::start(Deployment::Stock).await;
        rig.mock.keep_upstream_message();
        let busy = json!({"code": 1303, "message": "parallel task over resource pack limit"});
        rig.mock.upstream_refuses(429, busy);
        let (v, _) = single_shot_job(&rig, provider).await;
        assert_eq!(v.phase, JobPhase::Done, "{provider}: {:?}", v.error);
        assert_eq!(
            rig.mock.creates().len(),
            2,
            "{provider}: refused once, then sent"
        );
    }
    // Stock new-api's controller rewrites a 429's message: the code is gone, so it is waited out.
    let rig = Rig::start(Deployment::Stock).await;
    let gone = json!({"code": 1102, "message": "resource pack depleted"});
    rig.mock.upstream_refuses(429, gone);
    let (v, _) = single_shot_job(&rig, Provider::NewApi).await;
    assert_eq!(v.phase, JobPhase::Done, "{:?}", v.error);
    assert_eq!(rig.mock.creates().len(), 2);
}
