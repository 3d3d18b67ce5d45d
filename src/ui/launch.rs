//! `shotdeck [BOARD] [--demo] [--provider P]`: open the editor.
//!
//! Wiring for the job engine happens here: today no engine is linked, so submits are
//! logged and answered with `JobEvent::Rejected` (nothing pretends to run). Replace
//! [`no_engine`] with the engine task (and, for `--demo`, the embedded simulated backend).

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::{OpenedBoard, UiDeps};
use crate::core::Provider;
use crate::engine::events::{JobCmd, JobEvent};
use crate::files::paths;

pub struct LaunchArgs {
    pub board: Option<PathBuf>,
    pub demo: bool,
    pub provider: Option<Provider>,
}

/// Stands in for the job engine until one is linked: it says so instead of faking progress.
pub async fn no_engine(mut cmds: UnboundedReceiver<JobCmd>, events: UnboundedSender<JobEvent>) {
    while let Some(cmd) = cmds.recv().await {
        match cmd {
            JobCmd::Submit {
                external_task_id,
                provider,
                ..
            } => {
                tracing::warn!(%external_task_id, %provider, "submit received, but no job engine is linked");
                let _ = events.send(JobEvent::Rejected {
                    reason: "no job engine in this build; nothing was sent".into(),
                });
            }
            JobCmd::Shutdown => break,
            other => tracing::info!(?other, "no job engine: command ignored"),
        }
    }
}

pub fn launch(args: LaunchArgs) -> ExitCode {
    let config = crate::cli::load_config();
    let board_path = match (args.board, args.demo) {
        (Some(p), _) => p,
        (None, true) => {
            let dir = paths::data_dir();
            if let Err(e) = std::fs::create_dir_all(&dir) {
                eprintln!("cannot create {}: {e}", dir.display());
                return ExitCode::from(1);
            }
            dir.join("demo-board.json")
        }
        (None, false) => {
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
        let (cmd_tx, cmd_rx) = unbounded_channel();
        let (ev_tx, ev_rx) = unbounded_channel();
        let engine = tokio::spawn(no_engine(cmd_rx, ev_tx));
        let mut deps = UiDeps::new(cmd_tx, ev_rx, config).with_user_files(&paths::config_dir());
        if let Some(p) = args.provider {
            deps.provider = p;
        }
        deps.simulated = args.demo;
        let r = super::run_terminal(opened, deps).await;
        let _ = engine.await;
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
