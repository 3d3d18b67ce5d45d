//! `shotdeck [BOARD] [--demo] [--provider P]`: open the editor.
//!
//! The editor talks to the job engine (the same store `shotdeck submit` and `shotdeck jobs`
//! use). `--demo` starts the embedded simulated backend and an engine with a store of its
//! own (see `demo.rs`); if the demo cannot start, submits are refused rather than sent to a
//! real provider.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokio::sync::oneshot;

use super::provider_settings;
use super::runtime::{self, Flavor};
use super::session::engine_beside_first_frame;
use super::{EXIT_UNREADABLE, demo};
use crate::core::Provider;
use crate::core::printable_path;
use crate::files::board_lock::{self, BoardLock, LockAttempt};
use crate::files::config::Config;
use crate::files::{board_file, logging, paths, safe_read};
use crate::ui::{ExitReason, OpenedBoard, UiDeps};

pub struct LaunchArgs {
    pub board: Option<PathBuf>,
    pub demo: bool,
    pub provider: Option<Provider>,
    /// How long a simulated task takes (`--demo` only).
    pub sim_task_seconds: f64,
    /// Write the board even while another shotdeck holds its lock.
    pub force_write: bool,
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
    // The demo's pictures go with its store, in its own folder.
    let element_previews = demo_dir
        .as_deref()
        .map_or_else(paths::data_dir, Path::to_path_buf)
        .join("element-previews");
    runtime::block_on(Flavor::MultiThread, async {
        let ((cmd_tx, event_rx), (cmd_rx, event_tx)) = super::session::ui_channels();
        let (history_tx, history_rx) = oneshot::channel();
        let engine = tokio::spawn(engine_beside_first_frame(
            opened.path.clone(),
            config.clone(),
            demo_dir,
            args.sim_task_seconds,
            history_tx,
            (cmd_rx, event_tx),
        ));
        let check = paid_check(&config, args.demo);
        let mut deps = UiDeps::new(cmd_tx, event_rx, config).with_user_files(&paths::config_dir());
        // The engine is already starting: after the first frame the editor waits for
        // the history it reads.
        deps.late_start = Some(Box::new(move || history_rx));
        deps.warnings.extend(from_sidecar);
        // Edits an earlier exit could only rescue into the data dir: said once, here.
        deps.warnings
            .extend(crate::ui::take_rescue_notes(&paths::data_dir()));
        if let Some(p) = args.provider {
            deps.provider = p;
        }
        deps.simulated = args.demo;
        deps.host = Box::new(
            crate::ui::SystemHost::from_env()
                .with_utc_offset(crate::engine::store::local_utc_offset_ms()),
        );
        deps.paid_check = check;
        deps.read_only = read_only;
        deps.element_previews = Some(element_previews);
        let result = crate::ui::run_terminal(opened, deps).await;
        // `run` sent Shutdown: the engine records any create already sent (it waits for
        // the answer) and releases its leases before we exit. Said when it takes a while.
        let mut engine = engine;
        let quick = std::time::Duration::from_secs(1);
        if tokio::time::timeout(quick, &mut engine).await.is_err() {
            // Not `eprintln!`: after a hangup stderr is the dead terminal.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
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
                tracing::error!("the editor ended: {e:#}");
                // Not `eprintln!`: after a hangup stderr is the dead terminal, and a panic
                // here would skip removing the board's lock.
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "shotdeck: {e:#}");
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
    // Through the special-file and size check: a FIFO or `/dev/zero` is not read here
    // (and opening it as a board refuses it with the reason).
    let Some(found) = safe_read::read_string(&path, safe_read::MAX_SIDECAR_BYTES)
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
            printable_path(&path),
            printable_path(&board_path)
        );
        return Ok((board_path, Some(notice)));
    }
    let board = crate::engine::sidecar::board_for(&found, &board_path);
    // A board this shotdeck would refuse to open (a newer schema, too large) is refused
    // before it is written.
    let text = board_file::check_before_writing(&board_path, &board).map_err(|e| {
        eprintln!(
            "{} holds a board this shotdeck cannot open; nothing was written: {e}",
            printable_path(&path)
        );
        ExitCode::from(EXIT_UNREADABLE)
    })?;
    board_file::write_atomic(&board_path, text.as_bytes()).map_err(|e| {
        eprintln!("cannot save {}: {e}", printable_path(&board_path));
        ExitCode::from(1)
    })?;
    let notice = format!(
        "{} is the sidecar of {video}: its board was written to {} and opened",
        printable_path(&path),
        printable_path(&board_path)
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
