//! The editor's engine session: started beside the first frame, in the background; a job
//! store another process has locked is tried again (and said so) rather than given up on,
//! and a missing engine answers every command with why it cannot act.

use std::path::PathBuf;

use tokio::sync::mpsc::{Receiver, Sender, channel};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use std::sync::Arc;

use super::demo;
use crate::core::elements::PreviewFetch;
use crate::engine::events::{Asked, JobCmd, JobCounts, JobEvent, JobView, Refusal};
use crate::engine::store::JobStore;
use crate::engine::{COMMAND_CAPACITY, EVENT_CAPACITY, Engine, EngineConfig};
use crate::files::config::Config;
use crate::ui::History;

/// Answers for a missing engine (no job store, or a demo without its backend): every
/// command that would act is refused with `why`, so the editor works and nothing pretends
/// to run.
pub(super) async fn no_engine(mut cmds: Receiver<JobCmd>, events: Sender<JobEvent>, why: String) {
    while let Some(cmd) = cmds.recv().await {
        match cmd {
            JobCmd::Submit(request) => {
                let provider = request.provider;
                tracing::warn!(%provider, "submit refused: {why}");
                let _ = events
                    .send(JobEvent::Rejected {
                        reason: Refusal::NoEngine {
                            why: why.clone(),
                            submit: true,
                        },
                        ticket: Some(request.ticket),
                    })
                    .await;
            }
            JobCmd::Retry(_)
            | JobCmd::Repoll(_)
            | JobCmd::Redownload(_)
            | JobCmd::Details(_)
            | JobCmd::Send(_)
            | JobCmd::Cancel(_)
            | JobCmd::SetKeeper { .. }
            | JobCmd::Compare(..) => {
                let _ = events
                    .send(JobEvent::Rejected {
                        reason: Refusal::NoEngine {
                            why: why.clone(),
                            submit: false,
                        },
                        ticket: None,
                    })
                    .await;
            }
            JobCmd::Elements { .. } => {
                let answer = Err(format!("cannot read the element library: {why}"));
                let _ = events.send(JobEvent::Elements(answer)).await;
            }
            JobCmd::ElementPreview { id, .. } => {
                let outcome = PreviewFetch::Failed(format!("no engine: {why}"));
                let _ = events.send(JobEvent::ElementPreview { id, outcome }).await;
            }
            JobCmd::Refresh | JobCmd::Page { .. } => {}
            JobCmd::Shutdown => break,
        }
    }
}

/// The editor's side of the engine channels. Both bounded: the editor `try_send`s commands
/// (a full channel is said as busy) and reads every event as it comes, so this side may wait
/// to send it events; it never waits on the engine's command channel instead of reading the
/// engine's events (see [`relay`]).
pub(super) type UiEnds = (Receiver<JobCmd>, Sender<JobEvent>);

/// The channels between the editor and this session.
pub(super) fn ui_channels() -> ((Sender<JobCmd>, Receiver<JobEvent>), UiEnds) {
    let (cmd_tx, cmd_rx) = channel(COMMAND_CAPACITY);
    let (event_tx, event_rx) = channel(EVENT_CAPACITY);
    ((cmd_tx, event_rx), (cmd_rx, event_tx))
}

/// Starts the engine (or the demo's simulator and engine) at once, while the editor draws
/// its first frame: the store opens on its own thread and the history is read in the
/// meantime, so the complete screen (jobs, spend) follows the first frame instead of
/// starting after it. The first frame does not wait for any of it; the editor takes the
/// history once that frame is out. Then relays commands and events until the engine stops.
/// An editor that ends early closes its commands, which stops the engine.
pub(super) async fn engine_beside_first_frame(
    board: PathBuf,
    config: Config,
    demo_dir: Option<PathBuf>,
    sim_task_seconds: f64,
    history: oneshot::Sender<History>,
    (mut ui_cmds, ui_events): UiEnds,
) {
    let mut session = start_engine(&config, &board, demo_dir.clone(), sim_task_seconds).await;
    if let Some(why) = session.busy.take() {
        let retry = || start_engine(&config, &board, demo_dir.clone(), sim_task_seconds);
        match wait_for_store(why, retry, &mut ui_cmds, &ui_events).await {
            Some(s) => session = s,
            // The editor ended while the store was busy.
            None => return,
        }
    }
    // The board's sequence, its keepers read from the store (any age, not only the
    // newest jobs the editor starts with).
    let sequence = match (super::sequence::sequence_of_board(&board), &session.store) {
        (Some(dir), Some(store)) => super::sequence::status(&dir, &**store)
            .await
            .map_err(|e| tracing::warn!("the sequence is not shown: {e}"))
            .ok(),
        _ => None,
    };
    let _ = history.send(History {
        jobs: session.initial_jobs,
        counts: session.counts,
        warning: session.warning,
        sequence,
    });
    relay(
        &mut ui_cmds,
        &ui_events,
        session.cmd_tx,
        &mut session.event_rx,
    )
    .await;
    let _ = session.task.await;
    if let Some(d) = session.demo {
        d.sim.shutdown().await;
    }
}

/// Forwards the editor's commands to the engine and the engine's events to the editor until
/// the engine stops. A command waits here for room in the engine's channel while events
/// keep flowing (the engine may be waiting for its events to be read before it takes more
/// commands), and no further command is read meanwhile, so the editor's own channel fills
/// and its sends say "busy".
async fn relay(
    ui_cmds: &mut Receiver<JobCmd>,
    ui_events: &Sender<JobEvent>,
    engine_cmds: Sender<JobCmd>,
    engine_events: &mut Receiver<JobEvent>,
) {
    let mut engine_cmds = Some(engine_cmds);
    let mut pending: Option<JobCmd> = None;
    loop {
        let to_engine = engine_cmds.clone();
        tokio::select! {
            room = async { to_engine.as_ref()?.reserve().await.ok() }, if pending.is_some() => {
                match (room, pending.take()) {
                    (Some(permit), Some(cmd)) => permit.send(cmd),
                    // The engine stopped taking commands: its events end too.
                    _ => engine_cmds = None,
                }
            }
            cmd = ui_cmds.recv(), if engine_cmds.is_some() && pending.is_none() => match cmd {
                Some(cmd) => pending = Some(cmd),
                // The editor is gone without a Shutdown: the engine sees its commands end,
                // as it would have without this relay.
                None => engine_cmds = None,
            },
            ev = engine_events.recv() => match ev {
                // The editor reads every event as it comes; one that is gone drops them.
                Some(ev) => {
                    let _ = ui_events.send(ev).await;
                }
                None => break,
            },
        }
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
    ui_cmds: &mut Receiver<JobCmd>,
    ui_events: &Sender<JobEvent>,
) -> Option<Session>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Session>,
{
    let busy = |asked| Refusal::StoreBusy {
        why: why.clone(),
        asked,
    };
    tracing::warn!("{}", busy(None));
    let _ = ui_events
        .send(JobEvent::Rejected {
            reason: busy(None),
            ticket: None,
        })
        .await;
    let mut deferred = Vec::new();
    loop {
        tokio::select! {
            cmd = ui_cmds.recv() => match cmd {
                None | Some(JobCmd::Shutdown) => return None,
                // Only the latest of each kind is worth sending once the store opens.
                Some(cmd @ (JobCmd::Refresh | JobCmd::Page { .. })) => {
                    deferred.retain(|d| std::mem::discriminant(d) != std::mem::discriminant(&cmd));
                    deferred.push(cmd);
                }
                Some(JobCmd::Submit(request)) => {
                    let _ = ui_events
                        .send(JobEvent::Rejected {
                            reason: busy(Some(Asked::Submit)),
                            ticket: Some(request.ticket),
                        })
                        .await;
                }
                Some(_) => {
                    let _ = ui_events
                        .send(JobEvent::Rejected {
                            reason: busy(Some(Asked::Other)),
                            ticket: None,
                        })
                        .await;
                }
            },
            () = tokio::time::sleep(STORE_RETRY) => {
                let mut session = retry().await;
                if session.busy.take().is_none() {
                    tracing::info!("the job store opened");
                    // At most two (a refresh and a page: see above), into an empty channel.
                    for cmd in deferred {
                        let _ = session.cmd_tx.try_send(cmd);
                    }
                    return Some(session);
                }
            }
        }
    }
}

/// What the editor session runs against: the engine's channels (or [`no_engine`]'s).
struct Session {
    cmd_tx: Sender<JobCmd>,
    event_rx: Receiver<JobEvent>,
    initial_jobs: Vec<JobView>,
    counts: Option<JobCounts>,
    task: JoinHandle<()>,
    /// Kept alive for the session: dropping it stops the simulated backend.
    demo: Option<demo::Demo>,
    /// Why submits are refused, shown once the engine's start is known.
    warning: Option<String>,
    /// The store is locked by another process (why): worth trying again.
    busy: Option<String>,
    /// The engine's store, for reads the editor needs at start (a sequence's keepers).
    store: Option<Arc<dyn JobStore>>,
}

/// The real engine, or with `demo_dir` the simulator and an engine pointed at it. When
/// either cannot start, the editor still opens with [`no_engine`] answering.
async fn start_engine(
    config: &Config,
    board: &std::path::Path,
    demo_dir: Option<PathBuf>,
    sim_task_seconds: f64,
) -> Session {
    let mut demo = None;
    let mut opened_store = None;
    let engine = if let Some(dir) = demo_dir {
        match demo::start(config, dir, sim_task_seconds).await {
            Ok((d, handle)) => {
                opened_store = Some(Arc::clone(&d.store));
                tracing::info!(sim = %d.sim.base_url(), dir = %d.dir.display(), "demo started");
                demo = Some(d);
                Ok(handle)
            }
            Err(e) => Err(format!("the simulated backend did not start ({e:#})")),
        }
    } else {
        let started = match super::store::open_configured(config).await {
            Ok(store) => {
                opened_store = Some(Arc::clone(&store));
                let settings = super::provider_settings(config);
                let mut engine_settings = super::engine_settings(config);
                // Another machine's job fetched here (`d`) lands in this machine's copy of
                // its project, found around the open board, as `jobs fetch` places it.
                let dir = board.parent().filter(|d| !d.as_os_str().is_empty());
                engine_settings.place_from(dir.unwrap_or(std::path::Path::new(".")));
                let cfg = EngineConfig::new(store, engine_settings, settings);
                Engine::start(cfg)
                    .await
                    .map_err(super::store::OpenError::from)
            }
            Err(e) => Err(e),
        };
        match started {
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
            store: opened_store,
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
    let (cmd_tx, cmd_rx) = channel(COMMAND_CAPACITY);
    let (ev_tx, event_rx) = channel(EVENT_CAPACITY);
    Session {
        cmd_tx,
        event_rx,
        initial_jobs: Vec::new(),
        counts: None,
        task: tokio::spawn(no_engine(cmd_rx, ev_tx, why)),
        demo,
        warning: None,
        busy: None,
        store: None,
    }
}
