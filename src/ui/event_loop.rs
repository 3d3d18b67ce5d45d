//! The one loop: engine events and terminal input in a biased select, a debounced autosave,
//! and a tick only while a job is in flight. Idle means no timers at all: the process sleeps
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
use tokio::time::{Interval, MissedTickBehavior};

use crate::engine::events::JobCmd;
use crate::ui::UiDeps;
use crate::ui::panes::job_queue::TICK_MS;
use crate::ui::state::app::App;
use crate::ui::state::doc::OpenedBoard;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    /// The user quit (after the board was saved, or after agreeing to lose unsaved edits).
    Quit,
    /// The input stream ended (the terminal went away); the board was saved.
    InputClosed,
}

pub fn unix_ms() -> i64 {
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
    deps: UiDeps,
) -> anyhow::Result<ExitReason>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let jobs_tx = deps.jobs_tx.clone();
    let (mut app, mut jobs_rx) = App::new(opened, deps);
    let size = terminal.size()?;
    app.set_size(Rect::new(0, 0, size.width, size.height));
    draw(terminal, &mut app)?;
    app.take_dirty();
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
            () = sleep_until(autosave), if autosave.is_some() => app.save_now(false),
            () = tick(&mut ticker), if ticker.is_some() => app.on_tick(),
        }
        // Handle everything already queued before drawing, so a paste or a burst of
        // engine updates costs one frame.
        while let Ok(ev) = jobs_rx.try_recv() {
            app.on_job_event(ev);
        }
        let mut closed = None;
        while app.exit_reason().is_none() {
            // `poll!` uses this task's waker: crossterm's EventStream keeps the first waker
            // it is given, so polling it with a throwaway one (`now_or_never`) would lose
            // every later wake-up.
            match futures::poll!(input.next()) {
                Poll::Ready(Some(Ok(ev))) => app.handle_event(ev),
                Poll::Ready(Some(Err(e))) => {
                    closed = Some(Err(e.into()));
                    break;
                }
                Poll::Ready(None) => {
                    closed = Some(Ok(ExitReason::InputClosed));
                    break;
                }
                Poll::Pending => break,
            }
        }
        if let Some(r) = closed {
            break r;
        }
        if let Some(reason) = app.exit_reason() {
            break Ok(reason);
        }
        if app.take_dirty() {
            draw(terminal, &mut app)?;
        }
    };
    // Quit already saved (or the user agreed not to); any other exit saves what it can.
    if !matches!(result, Ok(ExitReason::Quit)) {
        app.save_now(false);
    }
    let _ = jobs_tx.send(JobCmd::Shutdown);
    result
}
