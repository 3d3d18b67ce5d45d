//! The backend the real terminal is drawn through: crossterm underneath (size, clearing,
//! cursor queries), with frames encoded by `encode`, which remembers the terminal's
//! state between frames. Over a slow SSH link every byte of a keystroke's echo counts.
//!
//! ratatui's `Terminal::draw` calls `draw` with the changed cells, then shows or hides the
//! cursor and moves it, then `flush`. All of that is collected and encoded at `flush`, so the
//! encoder knows where the cursor must end up while choosing how to write the cells.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

use crate::terminal::encode::{CursorWish, TermState, Update, encode};

pub struct DiffBackend<W: Write> {
    inner: CrosstermBackend<W>,
    state: TermState,
    pending: Vec<Update>,
    wish: CursorWish,
}

impl<W: Write> DiffBackend<W> {
    pub fn new(writer: W) -> DiffBackend<W> {
        DiffBackend {
            inner: CrosstermBackend::new(writer),
            state: TermState::default(),
            pending: vec![],
            wish: CursorWish::default(),
        }
    }

    /// Writes what was collected since the last flush.
    fn emit(&mut self) -> io::Result<()> {
        if self.pending.is_empty() && self.wish == CursorWish::default() {
            return Ok(());
        }
        let bytes = encode(&mut self.state, &self.pending, self.wish);
        self.pending.clear();
        self.wish = CursorWish::default();
        self.inner.write_all(&bytes)
    }

    /// Clearing paints with the current background, so the pen goes back to the default
    /// first, as it was when every frame ended with a reset. ratatui clears after a resize,
    /// which may have moved the cursor, so its position is forgotten too.
    fn before_clearing(&mut self) -> io::Result<()> {
        self.emit()?;
        self.state.cursor = None;
        if !self.state.pen_is_default() {
            self.inner.write_all(b"\x1b[0m")?;
            self.state.set_default_pen();
        }
        Ok(())
    }
}

/// ratatui's `Terminal` shows a hidden cursor when it is dropped and never flushes after;
/// the wish is written here so the shell gets its cursor back.
impl<W: Write> Drop for DiffBackend<W> {
    fn drop(&mut self) {
        let _ = Write::flush(self);
    }
}

/// Bytes written around the encoder (mode switches at start-up and exit) may change what the
/// terminal is in, so its state is forgotten and the next frame states everything it needs.
impl<W: Write> Write for DiffBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.emit()?;
        self.state.forget();
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit()?;
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> Backend for DiffBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.pending
            .extend(content.map(|(x, y, c)| (x, y, c.clone())));
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.before_clearing()?;
        self.inner.append_lines(n)?;
        self.state.cursor = None;
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.wish.visible = Some(false);
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.wish.visible = Some(true);
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Write::flush(self)?;
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.wish.position = Some(position.into());
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.before_clearing()?;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.before_clearing()?;
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(self)
    }
}
