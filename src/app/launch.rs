//! `shotdeck [BOARD] [--demo] [--provider P]`: open the editor.
//!
//! The editor talks to the job engine (the same store `shotdeck submit` and `shotdeck jobs`
//! use). `--demo` starts the embedded simulated backend and an engine with a store of its
//! own (see `demo.rs`); if the demo cannot start, submits are refused rather than sent to a
//! real provider.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::runtime::{self, Flavor};
use super::{EXIT_UNREADABLE, demo};
use crate::core::Provider;
use crate::engine::events::{JobCmd, JobCounts, JobEvent, JobView};
use crate::engine::store::default_path;
use crate::engine::{Engine, EngineConfig, provider_settings};
use crate::files::board_lock::{self, BoardLock, LockAttempt};
use crate::files::config::Config;
use crate::files::{logging, paths};
use crate::ui::{ExitReason, History, OpenedBoard, UiDeps};

pub struct LaunchArgs {
    pub board: Option<PathBuf>,
    pub demo: bool,
    pub provider: Option<Provider>,
    /// How long a simulated task takes (`--demo` only).
    pub sim_task_seconds: f64,
    /// Write the board even while another shotdeck holds its lock.
    pub force_write: bool,
}

/// Answers for a missing engine (no job store, or a demo without its backend): every
/// command that would act is refused with `why`, so the editor works and nothing pretends
/// to run.
pub async fn no_engine(
    mut cmds: UnboundedReceiver<JobCmd>,
    events: UnboundedSender<JobEvent>,
    why: String,
) {
    while let Some(cmd) = cmds.recv().await {
        match cmd {
            JobCmd::Submit(request) => {
                let provider = request.provider;
                tracing::warn!(%provider, "submit refused: {why}");
                let _ = events.send(JobEvent::Rejected {
                    reason: format!("{why}; nothing was sent"),
                    ticket: Some(request.ticket),
                });
            }
            JobCmd::Retry(_)
            | JobCmd::Repoll(_)
            | JobCmd::Redownload(_)
            | JobCmd::Details(_)
            | JobCmd::Send(_)
            | JobCmd::Cancel(_)
            | JobCmd::SetKeeper { .. }
            | JobCmd::Compare(..) => {
                let _ = events.send(JobEvent::Rejected {
                    reason: why.clone(),
                    ticket: None,
                });
            }
            JobCmd::Refresh | JobCmd::Page { .. } => {}
            JobCmd::Shutdown => break,
        }
    }
}

pub fn launch(args: LaunchArgs) -> ExitCode {
    let config = super::load_config();
    let demo_dir = if args.demo {
        match demo::demo_dir() {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("cannot create the demo folder: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        None
    };
    let (board, from_sidecar) = match args.board.map(board_of_sidecar).transpose() {
        Ok(Some((path, notice))) => (Some(path), notice),
        Ok(None) => (None, None),
        Err(code) => return code,
    };
    let opened = match open_board(board, demo_dir.as_deref(), &config) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let _log = logging::init_logging();
    // Held until the editor exits; dropping it removes the lock file.
    let (_lock, read_only) = lock_board(&opened.path, args.force_write);
    runtime::block_on(Flavor::MultiThread, async {
        let (cmd_tx, cmd_rx) = unbounded_channel();
        let (event_tx, event_rx) = unbounded_channel();
        let (drawn_tx, drawn_rx) = oneshot::channel();
        let (history_tx, history_rx) = oneshot::channel();
        let engine = tokio::spawn(engine_after_first_frame(
            config.clone(),
            demo_dir,
            args.sim_task_seconds,
            drawn_rx,
            history_tx,
            (cmd_rx, event_tx),
        ));
        let check = paid_check(&config, args.demo);
        let mut deps = UiDeps::new(cmd_tx, event_rx, config).with_user_files(&paths::config_dir());
        deps.late_start = Some(Box::new(move || {
            let _ = drawn_tx.send(());
            history_rx
        }));
        deps.warnings.extend(from_sidecar);
        if let Some(p) = args.provider {
            deps.provider = p;
        }
        deps.simulated = args.demo;
        deps.paid_check = check;
        deps.read_only = read_only;
        let result = crate::ui::run_terminal(opened, deps).await;
        // `run` sent Shutdown: the engine records any create already sent (it waits for
        // the answer) and releases its leases before we exit. Said when it takes a while.
        let mut engine = engine;
        let quick = std::time::Duration::from_secs(1);
        if tokio::time::timeout(quick, &mut engine).await.is_err() {
            eprintln!(
                "shotdeck: waiting for a create already sent to be answered, so its task is \
                 recorded (at most {} s)",
                crate::providers::DEFAULT_REQUEST_TIMEOUT.as_secs()
            );
            let _ = engine.await;
        }
        match result {
            Ok(ExitReason::Signal(s)) => ExitCode::from(s.exit_code()),
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("shotdeck: {e:#}");
                ExitCode::from(1)
            }
        }
    })
}

/// What the editor asks before a paid confirmation: config.toml's money keys, then the
/// provider's credentials, as `submit` does before recording a job. The demo's simulated
/// backend has its own keys and charges nothing.
fn paid_check(config: &Config, demo: bool) -> crate::ui::PaidCheck {
    if demo {
        return std::sync::Arc::new(|_| Ok(()));
    }
    let money = config.money_refusal();
    let settings = provider_settings(config);
    std::sync::Arc::new(move |provider: Provider| {
        if let Some(why) = &money {
            return Err(why.clone());
        }
        crate::providers::Client::from_env(provider, &settings)
            .map(|_| ())
            .map_err(|e| format!("cannot submit to {provider}: {e}"))
    })
}

/// The editor's side of the engine channels.
type UiEnds = (UnboundedReceiver<JobCmd>, UnboundedSender<JobEvent>);

/// Waits for the editor's first frame, then starts the engine (or the demo's simulator and
/// engine), hands the editor its history and relays commands and events until the engine
/// stops. An editor that ends before drawing anything starts nothing.
async fn engine_after_first_frame(
    config: Config,
    demo_dir: Option<PathBuf>,
    sim_task_seconds: f64,
    drawn: oneshot::Receiver<()>,
    history: oneshot::Sender<History>,
    (mut ui_cmds, ui_events): UiEnds,
) {
    if drawn.await.is_err() {
        return;
    }
    let session = start_engine(&config, demo_dir, sim_task_seconds).await;
    let _ = history.send(History {
        jobs: session.initial_jobs,
        counts: session.counts,
        warning: session.warning,
    });
    let (mut engine_cmds, mut engine_events) = (Some(session.cmd_tx), session.event_rx);
    loop {
        tokio::select! {
            cmd = ui_cmds.recv(), if engine_cmds.is_some() => match cmd {
                Some(cmd) => {
                    if let Some(tx) = &engine_cmds {
                        let _ = tx.send(cmd);
                    }
                }
                // The editor is gone without a Shutdown: the engine sees its commands end,
                // as it would have without this relay.
                None => engine_cmds = None,
            },
            ev = engine_events.recv() => match ev {
                Some(ev) => {
                    let _ = ui_events.send(ev);
                }
                None => break,
            },
        }
    }
    let _ = session.task.await;
    if let Some(d) = session.demo {
        d.sim.shutdown().await;
    }
}

/// The named board, or (with `--demo` and none named) the demo board written into the
/// demo folder. A board that does not parse is reported, never opened (or overwritten);
/// the error is the exit code, after the message is printed.
fn open_board(
    board: Option<PathBuf>,
    demo_dir: Option<&std::path::Path>,
    config: &Config,
) -> Result<OpenedBoard, ExitCode> {
    let board_path = match (board, demo_dir) {
        (Some(p), _) => p,
        (None, Some(dir)) => demo::write_demo_board(dir).map_err(|e| {
            eprintln!("cannot write the demo board: {e}");
            ExitCode::from(1)
        })?,
        (None, None) => {
            eprintln!("usage: shotdeck BOARD (or shotdeck --demo); see shotdeck --help");
            return Err(ExitCode::from(EXIT_UNREADABLE));
        }
    };
    OpenedBoard::open(&board_path, &config.default_quality).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(EXIT_UNREADABLE)
    })
}

/// A video's sidecar (`job-7.json`) opens the board that made the video: written beside
/// it as `job-7.board.json` (kept if it already exists, never overwritten) and opened
/// instead, with a notice saying so. Any other path is opened as it is.
fn board_of_sidecar(path: PathBuf) -> Result<(PathBuf, Option<String>), ExitCode> {
    let Some(found) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| crate::engine::sidecar::read(&text))
    else {
        return Ok((path, None));
    };
    let board_path = path.with_extension("board.json");
    let video = &found.video.file;
    if board_path.exists() {
        let notice = format!(
            "{} is a video's sidecar: opened {}, the board already written from it",
            path.display(),
            board_path.display()
        );
        return Ok((board_path, Some(notice)));
    }
    let board = crate::engine::sidecar::board_for(&found, &board_path);
    crate::files::board_file::save(&board_path, &board).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(1)
    })?;
    let notice = format!(
        "{} is the sidecar of {video}: its board was written to {} and opened",
        path.display(),
        board_path.display()
    );
    Ok((
        board_path,
        Some(crate::core::printable(&notice).into_owned()),
    ))
}

/// Takes the board's lock. The board opens read-only (and the reason is shown) when this
/// process may not write it, or another shotdeck has it open and `force` is not given.
fn lock_board(board: &std::path::Path, force: bool) -> (Option<BoardLock>, Option<String>) {
    let mut read_only = board_lock::not_writable(board);
    let lock = match board_lock::acquire(board, force) {
        LockAttempt::Taken(lock) => Some(lock),
        LockAttempt::HeldBy(holder) => {
            read_only.get_or_insert(format!(
                "another shotdeck has it open ({holder}); --force-write to write anyway"
            ));
            None
        }
        LockAttempt::BeingTaken => {
            read_only.get_or_insert(
                "another shotdeck is opening it right now; --force-write to write anyway".into(),
            );
            None
        }
        LockAttempt::Unavailable(e) => {
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                read_only.get_or_insert("its folder is not writable".into());
            } else {
                tracing::warn!("no lock for {}: {e}", board.display());
            }
            None
        }
    };
    (lock, read_only)
}

/// What the editor session runs against: the engine's channels (or [`no_engine`]'s).
struct Session {
    cmd_tx: UnboundedSender<JobCmd>,
    event_rx: UnboundedReceiver<JobEvent>,
    initial_jobs: Vec<JobView>,
    counts: Option<JobCounts>,
    task: JoinHandle<()>,
    /// Kept alive for the session: dropping it stops the simulated backend.
    demo: Option<demo::Demo>,
    /// Why submits are refused, shown once the engine's start is known.
    warning: Option<String>,
}

/// The real engine, or with `demo_dir` the simulator and an engine pointed at it. When
/// either cannot start, the editor still opens with [`no_engine`] answering.
async fn start_engine(
    config: &Config,
    demo_dir: Option<PathBuf>,
    sim_task_seconds: f64,
) -> Session {
    let mut demo = None;
    let engine = if let Some(dir) = demo_dir {
        match demo::start(config, dir, sim_task_seconds).await {
            Ok((d, handle)) => {
                tracing::info!(sim = %d.sim.base_url(), dir = %d.dir.display(), "demo started");
                demo = Some(d);
                Ok(handle)
            }
            Err(e) => Err(format!("the simulated backend did not start ({e:#})")),
        }
    } else {
        let cfg = EngineConfig::new(default_path(), config.clone(), provider_settings(config));
        Engine::start(cfg)
            .await
            .map_err(|e| format!("the job store is unavailable ({e})"))
    };
    match engine {
        Ok(h) => Session {
            cmd_tx: h.cmd_tx,
            event_rx: h.event_rx,
            initial_jobs: h.initial_jobs,
            counts: Some(h.counts),
            task: h.task,
            demo,
            warning: None,
        },
        Err(why) => {
            let warning = format!("{why}: editing works, submits are refused");
            let (cmd_tx, cmd_rx) = unbounded_channel();
            let (ev_tx, event_rx) = unbounded_channel();
            Session {
                cmd_tx,
                event_rx,
                initial_jobs: Vec::new(),
                counts: None,
                task: tokio::spawn(no_engine(cmd_rx, ev_tx, why)),
                demo,
                warning: Some(warning),
            }
        }
    }
}
