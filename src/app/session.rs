//! The editor's engine session: started beside the first frame, in the background; a job
//! store another process has locked is tried again (and said so) rather than given up on,
//! and a missing engine answers every command with why it cannot act.

use std::path::PathBuf;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::demo;
use crate::engine::events::{JobCmd, JobCounts, JobEvent, JobView};
use crate::engine::store::default_path;
use crate::engine::{Engine, EngineConfig, provider_settings};
use crate::files::config::Config;
use crate::ui::History;

/// Answers for a missing engine (no job store, or a demo without its backend): every
/// command that would act is refused with `why`, so the editor works and nothing pretends
/// to run.
pub(super) async fn no_engine(
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

/// The editor's side of the engine channels.
pub(super) type UiEnds = (UnboundedReceiver<JobCmd>, UnboundedSender<JobEvent>);

/// Starts the engine (or the demo's simulator and engine) at once, while the editor draws
/// its first frame: the store opens on its own thread and the history is read in the
/// meantime, so the complete screen (jobs, spend) follows the first frame instead of
/// starting after it. The first frame does not wait for any of it; the editor takes the
/// history once that frame is out. Then relays commands and events until the engine stops.
/// An editor that ends early closes its commands, which stops the engine.
pub(super) async fn engine_beside_first_frame(
    config: Config,
    demo_dir: Option<PathBuf>,
    sim_task_seconds: f64,
    history: oneshot::Sender<History>,
    (mut ui_cmds, ui_events): UiEnds,
) {
    let mut session = start_engine(&config, demo_dir.clone(), sim_task_seconds).await;
    if let Some(why) = session.busy.take() {
        let retry = || start_engine(&config, demo_dir.clone(), sim_task_seconds);
        match wait_for_store(why, retry, &mut ui_cmds, &ui_events).await {
            Some(s) => session = s,
            // The editor ended while the store was busy.
            None => return,
        }
    }
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

/// How often a busy job store is tried again.
const STORE_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// The job store is locked by another process: says so ("job store busy, retrying…"),
/// tries again every [`STORE_RETRY`] in the background, and refuses what would act
/// meanwhile (nothing is sent). Listing requests wait for the engine. `None` when the
/// editor ended first.
async fn wait_for_store<F, Fut>(
    why: String,
    retry: F,
    ui_cmds: &mut UnboundedReceiver<JobCmd>,
    ui_events: &UnboundedSender<JobEvent>,
) -> Option<Session>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Session>,
{
    let busy = format!("job store busy, retrying… ({why})");
    tracing::warn!("{busy}");
    let _ = ui_events.send(JobEvent::Rejected {
        reason: format!("{busy}; the job list follows once it opens"),
        ticket: None,
    });
    let mut deferred = Vec::new();
    loop {
        tokio::select! {
            cmd = ui_cmds.recv() => match cmd {
                None | Some(JobCmd::Shutdown) => return None,
                Some(cmd @ (JobCmd::Refresh | JobCmd::Page { .. })) => deferred.push(cmd),
                Some(JobCmd::Submit(request)) => {
                    let _ = ui_events.send(JobEvent::Rejected {
                        reason: format!("{busy}; nothing was sent"),
                        ticket: Some(request.ticket),
                    });
                }
                Some(_) => {
                    let _ = ui_events.send(JobEvent::Rejected {
                        reason: busy.clone(),
                        ticket: None,
                    });
                }
            },
            () = tokio::time::sleep(STORE_RETRY) => {
                let mut session = retry().await;
                if session.busy.take().is_none() {
                    tracing::info!("the job store opened");
                    for cmd in deferred {
                        let _ = session.cmd_tx.send(cmd);
                    }
                    return Some(session);
                }
            }
        }
    }
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
    /// The store is locked by another process (why): worth trying again.
    busy: Option<String>,
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
        match Engine::start(cfg).await {
            Ok(h) => Ok(h),
            Err(e) if e.is_busy() => {
                return Session {
                    busy: Some(e.to_string()),
                    ..refusing(String::new(), None)
                };
            }
            Err(e) => Err(format!("the job store is unavailable ({e})")),
        }
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
            busy: None,
        },
        Err(why) => {
            let warning = format!("{why}: editing works, submits are refused");
            Session {
                warning: Some(warning),
                ..refusing(why, demo)
            }
        }
    }
}

/// A session whose commands [`no_engine`] refuses with `why`.
fn refusing(why: String, demo: Option<demo::Demo>) -> Session {
    let (cmd_tx, cmd_rx) = unbounded_channel();
    let (ev_tx, event_rx) = unbounded_channel();
    Session {
        cmd_tx,
        event_rx,
        initial_jobs: Vec::new(),
        counts: None,
        task: tokio::spawn(no_engine(cmd_rx, ev_tx, why)),
        demo,
        warning: None,
        busy: None,
    }
}
