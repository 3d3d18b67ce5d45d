//! The event loop end to end with a test backend: quitting and a closed input both save,
//! the engine is told to shut down, and an idle UI draws nothing and wakes for nothing.
//! Also measures what a keystroke costs on the wire (`wire`).

mod ui_support;
#[path = "ui_loop/wire.rs"]
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::files::board_file;
use shotdeck::ui::{ExitReason, History, OpenedBoard, run};
use ui_support::*;

fn key(c: char) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

/// A test backend that counts frames (one flush per draw) and cells written.
struct Counting {
    inner: TestBackend,
    frames: Arc<AtomicUsize>,
    cells: Arc<AtomicUsize>,
}

impl Backend for Counting {
    type Error = <TestBackend as Backend>::Error;
    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let v: Vec<_> = content.collect();
        self.cells.fetch_add(v.len(), Ordering::Relaxed);
        self.inner.draw(v.into_iter())
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(p)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, t: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(t)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.frames.fetch_add(1, Ordering::Relaxed);
        self.inner.flush()
    }
}

fn counting(w: u16, h: u16) -> (Terminal<Counting>, Arc<AtomicUsize>) {
    let frames = Arc::new(AtomicUsize::new(0));
    let backend = Counting {
        inner: TestBackend::new(w, h),
        frames: frames.clone(),
        cells: Arc::new(AtomicUsize::new(0)),
    };
    (Terminal::new(backend).unwrap(), frames)
}

fn board_in(dir: &std::path::Path) -> OpenedBoard {
    let path = dir.join("board.json");
    board_file::save(&path, &noir()).unwrap();
    OpenedBoard::open(&path, "std").unwrap()
}

#[tokio::test]
async fn quitting_saves_and_shuts_the_engine_down() {
    let dir = tempfile::tempdir().unwrap();
    let opened = board_in(dir.path());
    let path = opened.path.clone();
    let (deps, mut cmds, _events, _rec) = deps(vec![]);
    let (mut term, _) = counting(80, 24);
    let input = futures::stream::iter(vec![key('+'), key('q')]).chain(futures::stream::pending());
    let reason = run(&mut term, Box::pin(input), opened, deps).await.unwrap();
    assert_eq!(reason, ExitReason::Quit);
    assert_eq!(board_file::load(&path).unwrap().shots[0].duration, 5.0);
    assert!(matches!(cmds.try_recv(), Ok(JobCmd::Shutdown)));
}

use futures::StreamExt;

#[tokio::test]
async fn a_typing_burst_is_handled_whole_before_one_frame() {
    let dir = tempfile::tempdir().unwrap();
    let opened = board_in(dir.path());
    let path = opened.path.clone();
    let (deps, _cmds, _events, _rec) = deps(vec![]);
    let (mut term, frames) = counting(80, 24);
    let (tx, rx) = mpsc::unbounded();
    let mut keys = vec![Ok(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )))];
    keys.extend(std::iter::repeat_with(|| key('z')).take(3000));
    for k in keys {
        tx.unbounded_send(k).unwrap();
    }
    let ui = tokio::spawn(async move { run(&mut term, rx, opened, deps).await });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while frames.load(Ordering::Relaxed) < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the burst was never drawn"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(tx);
    assert_eq!(ui.await.unwrap().unwrap(), ExitReason::InputClosed);
    // The first frame, then one for the whole burst.
    assert_eq!(frames.load(Ordering::Relaxed), 2);
    let prompt = board_file::load(&path).unwrap().shots[0].prompt.clone();
    assert!(prompt.ends_with(&"z".repeat(3000)), "{}", prompt.len());
}

#[tokio::test]
async fn a_stop_signal_saves_the_edit_typed_just_before() {
    let dir = tempfile::tempdir().unwrap();
    let opened = board_in(dir.path());
    let path = opened.path.clone();
    let (mut deps, _cmds, _events, _rec) = deps(vec![]);
    let (stop_tx, stop_rx) = tokio::sync::mpsc::channel(4);
    deps.outside.stop = Some(stop_rx);
    let (mut term, _) = counting(80, 24);
    let (tx, rx) = mpsc::unbounded();
    tx.unbounded_send(key('+')).unwrap();
    // Queued together: the key is applied before the signal ends the loop.
    stop_tx.try_send(shotdeck::ui::StopSignal::Hangup).unwrap();
    let reason = run(&mut term, rx, opened, deps).await.unwrap();
    assert_eq!(reason, ExitReason::Signal(shotdeck::ui::StopSignal::Hangup));
    assert_eq!(board_file::load(&path).unwrap().shots[0].duration, 5.0);
}

#[tokio::test]
async fn a_closed_input_saves_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let opened = board_in(dir.path());
    let path = opened.path.clone();
    let (deps, _cmds, _events, _rec) = deps(vec![]);
    let (mut term, _) = counting(80, 24);
    let (tx, rx) = mpsc::unbounded();
    tx.unbounded_send(key('=')).unwrap();
    tx.unbounded_send(key('x')).unwrap();
    drop(tx);
    let reason = run(&mut term, rx, opened, deps).await.unwrap();
    assert_eq!(reason, ExitReason::InputClosed);
    assert_eq!(board_file::load(&path).unwrap().shots.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_idle_ui_draws_once_and_then_sleeps() {
    let dir = tempfile::tempdir().unwrap();
    let (deps, _cmds, _events, _rec) = deps(vec![]);
    let (mut term, frames) = counting(80, 24);
    let input = futures::stream::pending::<std::io::Result<Event>>();
    let r = tokio::time::timeout(
        Duration::from_secs(60),
        run(&mut term, input, board_in(dir.path()), deps),
    )
    .await;
    assert!(r.is_err(), "still running");
    assert_eq!(
        frames.load(Ordering::Relaxed),
        1,
        "one frame in a minute of idling"
    );
}

#[tokio::test(start_paused = true)]
async fn an_active_job_ticks_the_spinner() {
    let dir = tempfile::tempdir().unwrap();
    let opened = board_in(dir.path());
    let jobs = vec![job(1, &opened.path, JobPhase::Processing)];
    let (deps, _cmds, _events, _rec) = deps(jobs);
    let (mut term, frames) = counting(80, 24);
    let input = futures::stream::pending::<std::io::Result<Event>>();
    let _ = tokio::time::timeout(Duration::from_secs(2), run(&mut term, input, opened, deps)).await;
    let n = frames.load(Ordering::Relaxed);
    assert!(
        (8..=12).contains(&n),
        "about 5 frames a second, got {n} in 2 s"
    );
}

/// The engine (its store, the demo's simulator, HTTP clients) is started only once the first
/// frame is out, and the history it answers with is shown.
#[tokio::test]
async fn the_engine_starts_after_the_first_frame() {
    let dir = tempfile::tempdir().unwrap();
    let opened = board_in(dir.path());
    let board = opened.path.clone();
    let (mut deps, _cmds, _events, _rec) = deps(vec![]);
    let (mut term, frames) = counting(80, 24);
    let (history_tx, history_rx) = tokio::sync::oneshot::channel();
    let frames_at_start = Arc::new(AtomicUsize::new(usize::MAX));
    let (seen, drawn) = (frames_at_start.clone(), frames.clone());
    deps.late_start = Some(Box::new(move || {
        seen.store(drawn.load(Ordering::Relaxed), Ordering::Relaxed);
        history_rx
    }));
    let (keys, input) = mpsc::unbounded();
    let drive = async {
        while frames_at_start.load(Ordering::Relaxed) == usize::MAX {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let history = History {
            jobs: vec![job(7, &board, JobPhase::Done)],
            ..History::default()
        };
        history_tx.send(history).unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        keys.unbounded_send(key('q')).unwrap();
    };
    let (reason, ()) = tokio::join!(run(&mut term, input, opened, deps), drive);
    assert_eq!(reason.unwrap(), ExitReason::Quit);
    assert_eq!(
        frames_at_start.load(Ordering::Relaxed),
        1,
        "started after one frame"
    );
    let buf = term.backend().inner.buffer();
    let screen: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(screen.contains("Jobs · this board · 1"), "{screen}");
    assert!(!screen.contains("loading…"), "{screen}");
}
