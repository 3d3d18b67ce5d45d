//! The event loop end to end with a test backend: quitting and a closed input both save,
//! the engine is told to shut down, and an idle UI draws nothing and wakes for nothing.
//! Also measures what a keystroke costs on the wire.

mod ui_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Rect, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};
use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::files::board_file;
use shotdeck::ui::{ExitReason, OpenedBoard, run};
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

/// A writer the test can read while the terminal owns it.
#[derive(Clone, Default)]
struct Shared(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// Bytes a real terminal receives per typed character, and the first frame's cost.
#[test]
fn keystrokes_cost_few_bytes() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut hs = harness(&noir());
        let out = Shared::default();
        let backend = CrosstermBackend::new(out.clone());
        let opts = TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        };
        let mut term = Terminal::with_options(backend, opts).unwrap();
        let t0 = Instant::now();
        term.draw(|f| hs.app.render(f)).unwrap();
        let first_frame = t0.elapsed();
        let first_bytes = out.len();
        hs.key(KeyCode::Enter);
        term.draw(|f| hs.app.render(f)).unwrap();
        let mut sizes = vec![];
        for c in "slow push in".chars() {
            let before = out.len();
            hs.keys(&c.to_string());
            term.draw(|f| hs.app.render(f)).unwrap();
            sizes.push(out.len() - before);
            if std::env::var_os("SHOTDECK_DUMP").is_some() {
                let bytes = out.0.lock().unwrap()[before..].to_vec();
                println!("{:?}", String::from_utf8_lossy(&bytes));
            }
        }
        sizes.sort_unstable();
        let median = sizes[sizes.len() / 2];
        println!(
            "{w}×{h}: first frame {first_bytes} B in {first_frame:?}; per keystroke median {median} B, max {} B",
            sizes[sizes.len() - 1]
        );
        assert!(median < 400, "{w}×{h}: {median} bytes per keystroke");
    }
}
