//! What typing costs on the wire through the backend the TUI draws with, checked cell by
//! cell through a terminal emulator.

use crossterm::event::KeyCode;
use ratatui::backend::{Backend, CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use shotdeck::ui::DiffBackend;
use std::sync::Arc;

use crate::ui_support::{self, harness, noir};

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

/// What typing costs on the wire: the first frame's bytes and each keystroke's.
struct Typing {
    first_frame: usize,
    per_key: Vec<usize>,
}

impl Typing {
    fn median(&self) -> usize {
        let mut v = self.per_key.clone();
        v.sort_unstable();
        v[v.len() / 2]
    }
    fn max(&self) -> usize {
        self.per_key.iter().copied().max().unwrap_or(0)
    }
    fn mean(&self) -> f64 {
        self.per_key.iter().sum::<usize>() as f64 / self.per_key.len() as f64
    }
}

/// A hundred characters appended to the first shot's prompt, as a user writing it would:
/// the text `benches/terminal.rs` types, word wraps and the prompt's scrolling included.
fn typed() -> String {
    "a slow push in through neon rain "
        .repeat(4)
        .chars()
        .take(100)
        .collect()
}

/// Looks at one frame's bytes next to the buffer ratatui rendered for it.
type FrameCheck<'a> = dyn FnMut(&[u8], &Terminal<TestBackend>) + 'a;

/// Types `typed()` into the prompt editor and records the bytes `backend` sends per key.
/// `check`, when given, sees each frame's bytes and the buffer and cursor ratatui rendered.
fn type_through<B: Backend>(
    backend: B,
    out: &Shared,
    (w, h): (u16, u16),
    mut check: Option<&mut FrameCheck>,
) -> Typing
where
    B::Error: std::fmt::Debug,
{
    let mut hs = harness(&noir());
    let opts = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
    };
    let mut term = Terminal::with_options(backend, opts).unwrap();
    let mut expected = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut frame = |hs: &mut ui_support::Harness| {
        let before = out.len();
        term.draw(|f| hs.app.render(f)).unwrap();
        if let Some(check) = check.as_mut() {
            expected.draw(|f| hs.app.render(f)).unwrap();
            check(&out.0.lock().unwrap()[before..], &expected);
        }
    };
    frame(&mut hs);
    let first_frame = out.len();
    hs.key(KeyCode::Enter);
    frame(&mut hs);
    let mut per_key = vec![];
    for c in typed().chars() {
        let before = out.len();
        hs.keys(&c.to_string());
        frame(&mut hs);
        per_key.push(out.len() - before);
        if std::env::var_os("SHOTDECK_DUMP").is_some() {
            let bytes = out.0.lock().unwrap()[before..].to_vec();
            println!("{:?}", String::from_utf8_lossy(&bytes));
        }
    }
    Typing {
        first_frame,
        per_key,
    }
}

fn vt_color(c: ratatui::style::Color) -> vt100::Color {
    use ratatui::style::Color as C;
    match c {
        C::Reset => vt100::Color::Default,
        C::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
        C::Indexed(i) => vt100::Color::Idx(i),
        C::Black => vt100::Color::Idx(0),
        C::Red => vt100::Color::Idx(1),
        C::Green => vt100::Color::Idx(2),
        C::Yellow => vt100::Color::Idx(3),
        C::Blue => vt100::Color::Idx(4),
        C::Magenta => vt100::Color::Idx(5),
        C::Cyan => vt100::Color::Idx(6),
        C::Gray => vt100::Color::Idx(7),
        C::DarkGray => vt100::Color::Idx(8),
        C::LightRed => vt100::Color::Idx(9),
        C::LightGreen => vt100::Color::Idx(10),
        C::LightYellow => vt100::Color::Idx(11),
        C::LightBlue => vt100::Color::Idx(12),
        C::LightMagenta => vt100::Color::Idx(13),
        C::LightCyan => vt100::Color::Idx(14),
        C::White => vt100::Color::Idx(15),
    }
}

/// The screen a terminal emulator shows after reading `frame` is the frame ratatui
/// rendered: every character, colour and attribute, and the cursor.
fn assert_screen_matches(vt: &mut vt100::Parser, frame: &[u8], expected: &Terminal<TestBackend>) {
    use ratatui::style::Modifier;
    let buf = expected.backend().buffer();
    vt.process(frame);
    let screen = vt.screen();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let want = &buf[(x, y)];
            let Some(got) = screen.cell(y, x) else {
                panic!("no cell at {x},{y}")
            };
            if got.is_wide_continuation() {
                continue;
            }
            let got_symbol = if got.contents().is_empty() {
                " "
            } else {
                got.contents()
            };
            assert_eq!(got_symbol, want.symbol(), "cell {x},{y}");
            assert_eq!(got.fgcolor(), vt_color(want.fg), "fg {x},{y}");
            assert_eq!(got.bgcolor(), vt_color(want.bg), "bg {x},{y}");
            let m = want.modifier;
            assert_eq!(got.bold(), m.contains(Modifier::BOLD), "bold {x},{y}");
            assert_eq!(got.italic(), m.contains(Modifier::ITALIC), "italic {x},{y}");
            assert_eq!(got.inverse(), m.contains(Modifier::REVERSED), "rev {x},{y}");
        }
    }
    // The shot list hides the cursor; the editor shows it where the next character goes.
    if !screen.hide_cursor() {
        let mut test_backend = expected.backend().clone();
        let cursor = test_backend.get_cursor_position().unwrap();
        assert_eq!(screen.cursor_position(), (cursor.y, cursor.x), "cursor");
    }
}

/// Bytes a real terminal receives per typed character, and the first frame's cost, through
/// the backend the TUI draws with; a terminal emulator fed those bytes shows every frame.
#[test]
fn keystrokes_cost_few_bytes() {
    let mut first_80x24 = 0;
    for size in [(80u16, 24u16), (160, 48)] {
        let out = Shared::default();
        let mut vt = vt100::Parser::new(size.1, size.0, 0);
        let mut check = |b: &[u8], e: &Terminal<TestBackend>| assert_screen_matches(&mut vt, b, e);
        let wire = type_through(DiffBackend::new(out.clone()), &out, size, Some(&mut check));
        assert!(!vt.screen().hide_cursor(), "the editor shows the cursor");
        let (w, h) = size;
        if size == (80, 24) {
            first_80x24 = wire.first_frame;
        }
        println!(
            "{w}×{h}: first frame {} B; per keystroke mean {:.1} B, median {} B, max {} B",
            wire.first_frame,
            wire.mean(),
            wire.median(),
            wire.max(),
        );
        assert!(
            wire.mean() <= 30.0,
            "{w}×{h}: {:.1} bytes per keystroke on average",
            wire.mean()
        );
    }
    // ratatui's stock crossterm backend on the same typing, for comparison (92 B median
    // per keystroke at 80×24 when this was written, on fifty characters).
    let out = Shared::default();
    let stock = type_through(CrosstermBackend::new(out.clone()), &out, (80, 24), None);
    println!(
        "80×24 stock: first frame {} B; per keystroke mean {:.1} B, median {} B, max {} B",
        stock.first_frame,
        stock.mean(),
        stock.median(),
        stock.max()
    );
    assert!(first_80x24 <= stock.first_frame, "first frame");
}
