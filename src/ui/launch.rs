//! `shotdeck [BOARD] [--demo] [--provider P]`: open the editor.
//!
//! The editor talks to the job engine (the same store `shotdeck submit` and `shotdeck jobs`
//! use). `--demo` starts the embedded simulated backend and an engine with a store of its
//! own (see `demo.rs`); if the demo cannot start, submits are refused rather than sent to a
//! real provider.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::{OpenedBoard, UiDeps};
use crate::core::Provider;
use crate::engine::events::{JobCmd, JobEvent};
use crate::engine::store::default_path;
use crate::engine::{Engine, EngineConfig, provider_settings};
use crate::files::paths;

pub struct LaunchArgs {
    pub board: Option<PathBuf>,
    pub demo: bool,
    pub provider: Option<Provider>,
    /// How long a simulated task takes (`--demo` only).
    pub sim_task_seconds: f64,
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
            JobCmd::Retry(_) | JobCmd::Redownload(_) => {
                let _ = events.send(JobEvent::Rejected {
                    reason: why.clone(),
                    ticket: None,
                });
            }
            JobCmd::Refresh => {}
            JobCmd::Shutdown => break,
        }
    }
}

pub fn launch(args: LaunchArgs) -> ExitCode {
    let config = crate::cli::load_config();
    let demo_dir = if args.demo {
        match super::demo::demo_dir() {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("cannot create the demo folder: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        None
    };
    let board_path = match (args.board, &demo_dir) {
        (Some(p), _) => p,
        (None, Some(dir)) => match super::demo::write_demo_board(dir) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("cannot write the demo board: {e}");
                return ExitCode::from(1);
            }
        },
        (None, None) => {
            eprintln!("usage: shotdeck BOARD (or shotdeck --demo); see shotdeck --help");
            return ExitCode::from(crate::cli::EXIT_UNREADABLE);
        }
    };
    // A board that does not parse is reported, never opened (or overwritten).
    let opened = match OpenedBoard::open(&board_path, &config.default_quality) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(crate::cli::EXIT_UNREADABLE);
        }
    };
    let _log = super::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        let mut warnings = Vec::new();
        // Kept alive for the session: dropping it stops the simulated backend.
        let mut demo = None;
        let engine = if let Some(dir) = demo_dir {
            match super::demo::start(&config, dir, args.sim_task_seconds).await {
                Ok((d, handle)) => {
                    tracing::info!(sim = %d.sim.base_url(), dir = %d.dir.display(), "demo started");
                    demo = Some(d);
                    Ok(handle)
                }
                Err(e) => Err(format!("the simulated backend did not start ({e:#})")),
            }
        } else {
            let cfg = EngineConfig::new(default_path(), config.clone(), provider_settings(&config));
            Engine::start(cfg)
                .await
                .map_err(|e| format!("the job store is unavailable ({e})"))
        };
        let (cmd_tx, ev_rx, initial_jobs, task) = match engine {
            Ok(h) => (h.cmd_tx, h.event_rx, h.initial_jobs, h.task),
            Err(why) => {
                warnings.push(format!("{why}: editing works, submits are refused"));
                let (cmd_tx, cmd_rx) = unbounded_channel();
                let (ev_tx, ev_rx) = unbounded_channel();
                let task = tokio::spawn(no_engine(cmd_rx, ev_tx, why));
                (cmd_tx, ev_rx, Vec::new(), task)
            }
        };
        let mut deps = UiDeps::new(cmd_tx, ev_rx, config).with_user_files(&paths::config_dir());
        deps.initial_jobs = initial_jobs;
        deps.warnings.extend(warnings);
        if let Some(p) = args.provider {
            deps.provider = p;
        }
        deps.simulated = args.demo;
        let r = super::run_terminal(opened, deps).await;
        // `run` sent Shutdown: the engine releases its leases before we exit.
        let _ = task.await;
        if let Some(d) = demo {
            d.sim.shutdown().await;
        }
        r
    });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shotdeck: {e:#}");
            ExitCode::from(1)
        }
    }
}
