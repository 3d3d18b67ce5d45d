//! The one loop: stop signals, engine events and terminal input in a biased select, a
//! debounced autosave, and a tick only while a job is in flight. Idle means no timers at all: the process sleeps
//! until a key or an engine event arrives. Frames are drawn only when something changed, after
//! every queued event has been handled.

use std::io;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossterm::event::Event;
use std::task::Poll;

use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use tokio::sync::mpsc;
use tokio::sync::oneshot::Receiver;
use tokio::time::{Interval, MissedTickBehavior};

use crate::app::App;
use crate::app::deps::{History, UiDeps};
use crate::model::doc::OpenedBoard;
use crate::panes::job_queue::TICK_MS;
use shotdeck_core::jobs::JobCmd;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    /// The user quit (after the board was saved, or after agreeing to lose unsaved edits).
    Quit,
    /// The input stream ended (the terminal went away); the board was saved.
    InputClosed,
    /// SIGHUP or SIGTERM: the pending edits were saved and the terminal is restored.
    Signal(StopSignal),
}

/// The signals that end the editor the way closing its terminal does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// The terminal (an SSH session, a window) closed.
    Hangup,
    /// `kill`, a service manager, a shutdown.
    Terminate,
}

impl StopSignal {
    /// The shell's convention for a process ended by a signal: 128 + its number.
    pub fn exit_code(self) -> u8 {
        match self {
            StopSignal::Hangup => 128 + 1,
            StopSignal::Terminate => 128 + 15,
        }
    }
}

/// What a real terminal adds to the loop; tests leave it empty.
#[derive(Default)]
pub struct Outside {
    /// SIGHUP / SIGTERM, as they arrive.
    pub stop: Option<mpsc::Receiver<StopSignal>>,
    /// Gives the terminal back to the shell, stops the process (Ctrl-Z) and takes the
    /// terminal again once it continues. The loop redraws everything afterwards.
    pub suspend: Option<Box<dyn FnMut() -> io::Result<()> + Send>>,
    /// Gives the terminal to a program (the user's editor, `E`) until it exits, then takes
    /// it again; the keys typed meanwhile are the program's. The loop redraws afterwards.
    pub external: Option<Box<crate::app::external::RunOutside>>,
}

async fn stop_signal(stop: &mut Option<mpsc::Receiver<StopSignal>>) -> StopSignal {
    match stop {
        Some(rx) => match rx.recv().await {
            Some(s) => s,
            None => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
}

async fn history_arrives(
    history: &mut Option<Receiver<History>>,
) -> Result<History, tokio::sync::oneshot::error::RecvError> {
    match history {
        Some(rx) => rx.await,
        None => std::future::pending().await,
    }
}

pub(crate) fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

async fn tick(t: &mut Option<Interval>) {
    match t {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// The next decoded preview; never, once the service is gone (or in a loop without one).
async fn next_preview(
    rx: &mut Option<mpsc::Receiver<shotdeck_files::preview::PreviewReady>>,
) -> Option<shotdeck_files::preview::PreviewReady> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &mut App) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    app.set_clock(Instant::now(), unix_ms());
    terminal.draw(|f| app.render(f))?;
    Ok(())
}

/// Runs the UI until the user quits or the input ends. The board is saved on the way out;
/// the engine is told to shut down.
pub async fn run<B, S>(
    terminal: &mut Terminal<B>,
    mut input: S,
    opened: OpenedBoard,
    mut deps: UiDeps,
) -> anyhow::Result<ExitReason>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let jobs_tx = deps.jobs_tx.clone();
    let mut outside = std::mem::take(&mut deps.outside);
    let late_start = deps.late_start.take();
    let (mut app, mut jobs_rx) = App::new(opened, deps);
    if late_start.is_some() {
        app.expect_history();
    }
    let size = terminal.size()?;
    app.set_size(Rect::new(0, 0, size.width, size.height));
    draw(terminal, &mut app)?;
    app.take_dirty();
    let mut previews = app.take_preview_events();
    let mut history = late_start.map(|start| start());
    let mut engine_open = true;
    let mut ticker: Option<Interval> = None;
    let result = loop {
        if app.wants_tick() {
            ticker.get_or_insert_with(|| {
                let mut t = tokio::time::interval(Duration::from_millis(TICK_MS as u64));
                t.set_missed_tick_behavior(MissedTickBehavior::Skip);
                t
            });
        } else {
            ticker = None;
        }
        let autosave = app.autosave_due();
        tokio::select! {
            biased;
            sig = stop_signal(&mut outside.stop) => {
                // Keys already typed count: they are applied before the save below.
                let _ = drain_input(&mut input, &mut app).await;
                break Ok(ExitReason::Signal(sig));
            }
            // Before job events: the engine sends none until the history is out.
            h = history_arrives(&mut history), if history.is_some() => {
                history = None;
                // A start that gave up (the process is ending) leaves the book loading.
                if let Ok(h) = h {
                    app.on_history(h);
                }
            }
            ev = jobs_rx.recv(), if engine_open => match ev {
                Some(ev) => app.on_job_event(ev),
                None => {
                    engine_open = false;
                    app.on_engine_stopped();
                }
            },
            ev = input.next() => match ev {
                Some(Ok(ev)) => {
                    app.set_clock(Instant::now(), unix_ms());
                    app.handle_event(ev);
                }
                Some(Err(e)) => break Err(e.into()),
                None => break Ok(ExitReason::InputClosed),
            },
            Some(ready) = next_preview(&mut previews) => app.on_preview_ready(ready),
            () = sleep_until(autosave), if autosave.is_some() => app.save_now(false),
            () = tick(&mut ticker), if ticker.is_some() => app.on_tick(),
        }
        // Handle everything already queued before drawing, so a paste or a burst of
        // engine updates costs one frame.
        while let Ok(ev) = jobs_rx.try_recv() {
            app.on_job_event(ev);
        }
        if let Some(r) = drain_input(&mut input, &mut app).await {
            break r;
        }
        if let Some(reason) = app.exit_reason() {
            break Ok(reason);
        }
        if app.take_suspend()
            && let Err(e) = suspend(terminal, &mut app, &mut outside)
        {
            break Err(e);
        }
        if let Some(edit) = app.take_external()
            && let Err(e) = run_external(terminal, &mut app, &mut outside, edit)
        {
            break Err(e);
        }
        // A terminal that cannot be drawn on ends the loop (and is saved below), never the
        // function before the save.
        if app.take_dirty()
            && let Err(e) = draw(terminal, &mut app)
        {
            break Err(e);
        }
    };
    // Quit already saved (or the user agreed not to); any other exit saves what it can,
    // beside the board when it may not be written over.
    if !matches!(result, Ok(ExitReason::Quit)) {
        app.save_on_exit();
    }
    // Full: the engine still sees its commands end once the editor's senders are dropped.
    let _ = jobs_tx.try_send(JobCmd::Shutdown);
    result
}

/// Handles every input event already queued, without waiting: a burst of typing costs one
/// frame. `Some` when the input ended or the app wants to exit.
async fn drain_input<S>(input: &mut S, app: &mut App) -> Option<anyhow::Result<ExitReason>>
where
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    while app.exit_reason().is_none() {
        // `poll!` uses this task's waker, so a stream that keeps the first waker it is given
        // still wakes this loop later (a throwaway waker would lose that wake-up).
        match futures::poll!(input.next()) {
            Poll::Ready(Some(Ok(ev))) => {
                app.set_clock(Instant::now(), unix_ms());
                app.handle_event(ev);
            }
            Poll::Ready(Some(Err(e))) => return Some(Err(e.into())),
            Poll::Ready(None) => return Some(Ok(ExitReason::InputClosed)),
            Poll::Pending => return None,
        }
    }
    None
}

/// Ctrl-Z: saves first (the shell may never bring the editor back), hands the terminal
/// over, and once continued redraws every cell (the shell wrote over them).
fn suspend<B>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    outside: &mut Outside,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let Some(hook) = outside.suspend.as_mut() else {
        app.toast_info("suspending needs a real terminal");
        return Ok(());
    };
    app.save_now(false);
    hook()?;
    redraw_whole(terminal, app)
}

/// `E`: the editor runs on the terminal (saved first, as for Ctrl-Z: it may never come
/// back), then the frame is drawn whole and its text taken back.
fn run_external<B>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    outside: &mut Outside,
    edit: crate::app::external::ExternalEdit,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let Some(hook) = outside.external.as_mut() else {
        app.toast_error("writing in an editor needs a real terminal");
        return Ok(());
    };
    app.save_now(false);
    let outcome = crate::app::external::run_editor(&edit, hook.as_mut());
    redraw_whole(terminal, app)?;
    app.set_clock(Instant::now(), unix_ms());
    app.external_done(edit, outcome);
    Ok(())
}

/// The terminal was someone else's: clear it and draw every cell again.
fn redraw_whole<B>(terminal: &mut Terminal<B>, app: &mut App) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    // `resize` clears the screen and forgets the last frame, so the next one is drawn
    // whole. Not `Terminal::clear`: it asks the terminal where the cursor is, and a
    // terminal (or tmux) slow to answer right after `fg` made the editor exit with "the
    // cursor position could not be read".
    let size = terminal.size()?;
    let area = Rect::new(0, 0, size.width, size.height);
    terminal.resize(area)?;
    app.set_size(area);
    app.mark_dirty();
    Ok(())
}
