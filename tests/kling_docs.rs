//! The official-API client and the job engine against `kling_docs_mock`, a stand-in written
//! from Kling's documentation: submit, poll, download, a failed task, 1302 with backoff,
//! 1102 never retried, a lost create answer (reconciled by the path lookup, then by the list
//! scan when the path lookup does not know our id), API-key auth, the watermarked copy,
//! odd poll answers that never end a task the provider accepted (`odd_answers`: nor one
//! that names another task), and many jobs polled with one list request (`list_polling`),
//! or, on the v2 design, with one batch lookup (`v2_batch`); a lost v2 create found by its
//! external id (`v2_lost`).

#[path = "kling_docs/elements.rs"]
mod elements;
mod kling_docs_mock;
#[path = "kling_docs/list_polling.rs"]
mod list_polling;
#[path = "kling_docs/model_name.rs"]
mod model_name;
#[path = "kling_docs/odd_answers.rs"]
mod odd_answers;
#[path = "kling_docs/v2.rs"]
mod v2;
#[path = "kling_docs/v2_batch.rs"]
mod v2_batch;
#[path = "kling_docs/v2_lost.rs"]
mod v2_lost;
#[path = "kling_docs/v2_omni.rs"]
mod v2_omni;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kling_docs_mock::{Account, CLEAN_BYTES, DocsMock, Fault, Op, WATERMARKED_BYTES};
use shotdeck::core::{Board, Provider};
use shotdeck::engine::events::{JobCmd, JobEvent, JobPhase, JobView, SubmitOptions, SubmitRequest};
use shotdeck::engine::schedule::PollSchedule;
use shotdeck::engine::{ClientFactory, Engine, EngineConfig, EngineSettings, Tuning};
use shotdeck::files::board_file;
use shotdeck::providers::{Client, ProviderSettings};
use tempfile::TempDir;

const AK: &str = "docs-ak";
const SK: &str = "docs-sk-secret";
const API_KEY: &str = "docs-plain-api-key";
const PATIENCE: Duration = Duration::from_secs(15);

fn account() -> Account {
    Account::new(AK, SK, API_KEY)
}

/// A client built the way the app builds one, from an environment of `vars`.
fn client(mock: &DocsMock, vars: &[(&'static str, &'static str)]) -> Client {
    let vars = vars.to_vec();
    let env = move |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let settings = ProviderSettings {
        kling_base: Some(mock.base.clone()),
        gateway_base: None,
        request_timeout: Duration::from_secs(5),
        ..ProviderSettings::default()
    };
    Client::from_sources(
        Provider::Kling,
        &settings,
        &env,
        &PathBuf::from("/nowhere/c.toml"),
    )
    .unwrap()
}

const AKSK: &[(&str, &str)] = &[("KLING_ACCESS_KEY", AK), ("KLING_SECRET_KEY", SK)];

/// One job from submit to its end through a real engine; returns its last view.
async fn run_job(
    mock: &DocsMock,
    board: Board,
    vars: &'static [(&'static str, &'static str)],
) -> (JobView, TempDir) {
    let (mut jobs, dir) = run_jobs(mock, board, 1, vars, fast_polls(50)).await;
    (jobs.remove(0), dir)
}

/// Polls every `interval_ms` (±20 %), errors backed off for 200–400 ms.
fn fast_polls(interval_ms: u64) -> Tuning {
    Tuning {
        poll: PollSchedule {
            first: Duration::from_millis(interval_ms),
            max: Duration::from_millis(interval_ms),
            growth: 1.0,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_millis(400),
        },
        lease_ttl: Duration::from_millis(900),
        watch_interval: Duration::from_millis(100),
        progress_interval: Duration::from_millis(20),
        ..Tuning::default()
    }
}

/// `count` jobs of `board` submitted at once to one engine, each run to its end; returns
/// their last views in the order they were submitted.
async fn run_jobs(
    mock: &DocsMock,
    board: Board,
    count: usize,
    vars: &'static [(&'static str, &'static str)],
    tuning: Tuning,
) -> (Vec<JobView>, TempDir) {
    run_jobs_at(mock.base.clone(), board, count, vars, tuning).await
}

/// [`run_jobs`] against any mock at `base` (the v2 design's is another server).
async fn run_jobs_at(
    base: String,
    board: Board,
    count: usize,
    vars: &'static [(&'static str, &'static str)],
    tuning: Tuning,
) -> (Vec<JobView>, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let board_path = dir.path().join("boards/docs.json");
    std::fs::create_dir_all(board_path.parent().unwrap()).unwrap();
    board_file::save(&board_path, &board).unwrap();
    let factory: ClientFactory = Arc::new(move |p: Provider| {
        let env = move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let settings = ProviderSettings {
            kling_base: Some(base.clone()),
            gateway_base: None,
            request_timeout: Duration::from_secs(2),
            ..ProviderSettings::default()
        };
        Client::from_sources(p, &settings, &env, &PathBuf::from("/nowhere/c.toml"))
    });
    let cfg = EngineConfig::new(
        shotdeck::engine::store::open(&dir.path().join("data/jobs.sqlite3")).unwrap(),
        EngineSettings::default(),
        ProviderSettings::default(),
    )
    .with_clients(factory)
    .with_tuning(tuning);
    let mut engine = Engine::start(cfg).await.unwrap();
    for _ in 0..count {
        let request = SubmitRequest::new(
            &board_path,
            board.clone(),
            Provider::Kling,
            SubmitOptions::default(),
        );
        engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    }
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut ended: BTreeMap<i64, JobView> = BTreeMap::new();
    while ended.len() < count {
        let event = tokio::time::timeout_at(deadline, engine.event_rx.recv())
            .await
            .expect("the jobs end in time")
            .expect("the engine runs");
        match event {
            JobEvent::Updated(v) if !v.phase.is_active() => {
                ended.insert(v.id, v);
            }
            JobEvent::Rejected { reason, .. } => panic!("submit refused: {reason}"),
            _ => {}
        }
    }
    let _ = engine.cmd_tx.try_send(JobCmd::Shutdown);
    let _ = tokio::time::timeout(PATIENCE, engine.task).await;
    (ended.into_values().collect(), dir)
}

#[tokio::test]
async fn a_job_is_submitted_polled_and_downloaded() {
    let mock = DocsMock::start(account()).await;
    let (job, _dir) = run_job(&mock, Board::starter(), AKSK).await;
    assert_eq!(job.phase, JobPhase::Done, "{job:#?}");
    assert_eq!(job.files.len(), 1, "no watermark asked for: one file");
    assert_eq!(std::fs::read(&job.files[0].path).unwrap(), CLEAN_BYTES);
    assert_eq!(mock.count(Op::Create), 1);
    assert!(mock.count(Op::Query) >= 2, "polled until succeed");
    let create = mock
        .hits()
        .into_iter()
        .find(|h| h.op == Op::Create)
        .unwrap();
    let token = create.authorization.unwrap();
    assert_eq!(token.matches('.').count(), 2, "a signed JWT: {token}");
}

#[tokio::test]
async fn a_plain_api_key_is_sent_as_bearer() {
    let mock = DocsMock::start(account()).await;
    let c = client(&mock, &[("KLING_API_KEY", API_KEY)]);
    assert!(!format!("{c:?}").contains(API_KEY), "Debug hides the key");
    let req = shotdeck::core::compose(
        &Board::starter(),
        Provider::Kling,
        &shotdeck::core::PlaceholderImages,
        "job-key",
    )
    .unwrap();
    let task = c.submit(&req, "job-key").await.unwrap();
    assert_eq!(task.external_task_id.as_deref(), Some("job-key"));
    let hit = &mock.hits()[0];
    assert_eq!(
        hit.authorization.as_deref(),
        Some(&*format!("Bearer {API_KEY}"))
    );

    // With both kinds set, the access/secret pair wins (the lead's decision).
    let both = client(&mock, &[("KLING_API_KEY", API_KEY), AKSK[0], AKSK[1]]);
    both.query("/v1/videos/text2video", &task.task_id)
        .await
        .unwrap();
    let last = mock.hits().pop().unwrap().authorization.unwrap();
    assert_ne!(last, format!("Bearer {API_KEY}"));
}

#[tokio::test]
async fn a_failed_task_fails_the_job_with_the_providers_reason() {
    let mock = DocsMock::start(account()).await;
    mock.fail_next_task("Failure to pass the risk control system");
    let (job, _dir) = run_job(&mock, Board::starter(), AKSK).await;
    assert_eq!(job.phase, JobPhase::Failed);
    let error = job.error.expect("the reason is shown");
    assert!(error.message.contains("risk control"), "{error:?}");
    assert!(job.files.is_empty());
}

#[tokio::test]
async fn rate_limit_1302_is_retried_after_a_backoff() {
    let mock = DocsMock::start(account()).await;
    mock.fault(
        Op::Create,
        Fault::Refuse {
            status: 429,
            code: 1302,
        },
    );
    let (job, _dir) = run_job(&mock, Board::starter(), AKSK).await;
    assert_eq!(job.phase, JobPhase::Done, "{job:#?}");
    let creates: Vec<_> = mock
        .hits()
        .into_iter()
        .filter(|h| h.op == Op::Create)
        .collect();
    assert_eq!(creates.len(), 2);
    let waited = creates[1].at - creates[0].at;
    assert!(
        waited >= Duration::from_millis(100),
        "backed off only {waited:?}"
    );
    assert_eq!(mock.tasks_created(), 1);
}

/// Only the provider's word ends an accepted task: an unknown status, an HTML page, a
/// not-found, an expired token or a balance refusal on a poll are shown and polled again.
#[tokio::test]
async fn odd_poll_answers_are_retried_until_the_task_ends() {
    let cases: [OddPolls; 5] = [
        ("unknown task_status", || Fault::Status("queueing"), 5),
        ("HTML with HTTP 200", || Fault::Html, 4),
        ("token expired (1004)", || refuse(401, 1004), 4),
        ("task not found (1203)", || refuse(404, 1203), 4),
        ("balance (1102)", || refuse(429, 1102), 2),
    ];
    let runs = cases.map(|(what, fault, times)| async move {
        let mock = DocsMock::start(account()).await;
        for _ in 0..times {
            mock.fault(Op::Query, fault());
        }
        let (job, _dir) = run_job(&mock, Board::starter(), AKSK).await;
        assert_eq!(job.phase, JobPhase::Done, "{what}: {job:#?}");
        assert_eq!(mock.count(Op::Create), 1, "{what}");
        assert_eq!(mock.tasks_created(), 1, "{what}");
        assert!(mock.count(Op::Query) > times, "{what}: polled on");
    });
    futures::future::join_all(runs).await;
}

/// What a case calls itself, the answer it scripts, and how many polls get it.
type OddPolls = (&'static str, fn() -> Fault, usize);

fn refuse(status: u16, code: i64) -> Fault {
    Fault::Refuse { status, code }
}

#[tokio::test]
async fn balance_1102_is_never_retried() {
    let mock = DocsMock::start(account()).await;
    mock.fault(
        Op::Create,
        Fault::Refuse {
            status: 429,
            code: 1102,
        },
    );
    let (job, _dir) = run_job(&mock, Board::starter(), AKSK).await;
    assert_eq!(job.phase, JobPhase::Failed);
    assert_eq!(job.error.unwrap().code.as_deref(), Some("1102"));
    assert_eq!(mock.count(Op::Create), 1, "exactly one create");
    assert_eq!(
        mock.count(Op::Query) + mock.count(Op::List),
        0,
        "nothing to reconcile"
    );
}

#[tokio::test]
async fn a_lost_create_answer_is_found_by_the_path_lookup() {
    let mock = DocsMock::start(account()).await;
    mock.fault(Op::Create, Fault::CreateThenDrop);
    let (job, _dir) = run_job(&mock, Board::starter(), AKSK).await;
    assert_eq!(job.phase, JobPhase::Done, "{job:#?}");
    assert_eq!(mock.count(Op::Create), 1, "never sent twice");
    assert_eq!(mock.tasks_created(), 1);
    let first_query = mock.hits().into_iter().find(|h| h.op == Op::Query).unwrap();
    assert!(
        first_query.path.ends_with(&job.external_task_id),
        "{}",
        first_query.path
    );
    assert_eq!(mock.count(Op::List), 0);
}

#[tokio::test]
async fn when_the_path_lookup_does_not_know_our_id_the_list_is_scanned() {
    let mock = DocsMock::start(Account {
        path_lookup_by_external_id: false,
        ..account()
    })
    .await;
    mock.fault(Op::Create, Fault::CreateThenDrop);
    let (job, _dir) = run_job(&mock, Board::starter(), AKSK).await;
    assert_eq!(job.phase, JobPhase::Done, "{job:#?}");
    assert_eq!(mock.count(Op::Create), 1, "never sent twice");
    assert_eq!(mock.tasks_created(), 1);
    let list = mock
        .hits()
        .into_iter()
        .find(|h| h.op == Op::List)
        .expect("the list was read");
    assert_eq!(list.query.as_deref(), Some("pageNum=1&pageSize=500"));
}

#[tokio::test]
async fn with_the_watermark_on_both_copies_are_downloaded_under_telling_names() {
    let mock = DocsMock::start(account()).await;
    let mut board = Board::starter();
    board.watermark = true;
    let (job, _dir) = run_job(&mock, board, AKSK).await;
    assert_eq!(job.phase, JobPhase::Done, "{job:#?}");
    let names: Vec<String> = job
        .files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let unique: String = job
        .external_task_id
        .trim_start_matches("shotdeck-")
        .chars()
        .take(8)
        .collect();
    assert_eq!(
        names,
        [
            format!("docs-{}-{unique}.mp4", job.id),
            format!("docs-{}-{unique}-watermarked.mp4", job.id)
        ]
    );
    assert_eq!(std::fs::read(&job.files[0].path).unwrap(), CLEAN_BYTES);
    assert_eq!(
        std::fs::read(&job.files[1].path).unwrap(),
        WATERMARKED_BYTES
    );
    let create = mock
        .hits()
        .into_iter()
        .find(|h| h.op == Op::Create)
        .unwrap();
    assert_eq!(create.body.unwrap()["watermark_info"]["enabled"], true);
}
