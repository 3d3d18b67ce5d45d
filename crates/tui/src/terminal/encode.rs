//! Turning a frame's changed cells into the fewest bytes. The terminal keeps its pen (colours
//! and attributes), cursor position and cursor visibility between frames, so remembering them
//! lets a frame send only what differs: no reset after every frame, no show-cursor when it is
//! already shown, no cursor move when the last written character left it in place. A few
//! orderings of the frame are encoded and the shortest is sent; one of them writes the run
//! under the cursor first and brackets the rest with DECSC/DECRC (`ESC 7` / `ESC 8`), which
//! restore the cursor *and* the pen: typing a character then costs the character plus the
//! counter's detour instead of two colour switches and two cursor moves.

use std::ops::Range;

use ratatui::buffer::Cell;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

mod colour;
use colour::{bg, fg, underline};

/// Colours and attributes the terminal writes characters with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pen {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

impl Pen {
    const DEFAULT: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        underline: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            underline: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// What the terminal is known to be in; `None` where it is not known (start-up, or after
/// bytes this module did not write).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct TermState {
    /// Where the next character lands. After writing the last column the terminal is in
    /// "pending wrap", still reporting that column; this holds one past it, so only moves
    /// that are right whatever the terminal thinks are taken from it (see `move_to`).
    pub cursor: Option<Position>,
    pub pen: Option<Pen>,
    pub cursor_visible: Option<bool>,
}

impl TermState {
    pub(super) fn forget(&mut self) {
        *self = TermState::default();
    }

    /// True when the pen is known to be the terminal's default (what clearing paints with).
    pub(super) fn pen_is_default(&self) -> bool {
        self.pen == Some(Pen::DEFAULT)
    }

    pub(super) fn set_default_pen(&mut self) {
        self.pen = Some(Pen::DEFAULT);
    }
}

/// Where the cursor should be after the frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct CursorWish {
    pub visible: Option<bool>,
    pub position: Option<Position>,
}

/// One changed cell, owned so the frame can be reordered.
pub(super) type Update = (u16, u16, Cell);

/// Columns the terminal advances for `symbol`, when that is certain: ASCII and the
/// single-width symbols ratatui lays out as one column.
fn advance(symbol: &str) -> Option<u16> {
    match symbol.len() {
        0 => Some(0),
        1 => Some(1),
        // An image protocol's escape sequence: where it leaves the cursor is the terminal's
        // business, so the next cell is positioned explicitly.
        _ if symbol.contains('\x1b') => None,
        _ => (symbol.width() == 1).then_some(1),
    }
}

struct Out {
    bytes: Vec<u8>,
    state: TermState,
}

impl Out {
    fn move_to(&mut self, to: Position) {
        let cup = match (to.x, to.y) {
            (0, 0) => "\x1b[H".to_string(),
            (0, y) => format!("\x1b[{}H", y + 1),
            (x, y) => format!("\x1b[{};{}H", y + 1, x + 1),
        };
        let mut best = cup;
        if let Some(at) = self.state.cursor {
            if at == to {
                return;
            }
            // Relative moves only where a pending wrap cannot make them wrong: `at` is past
            // the last column only if it is beyond every real target, so forward moves, moves
            // to an absolute column and vertical moves in the same (real) column are safe.
            let mut consider = |s: String| {
                if s.len() < best.len() {
                    best = s;
                }
            };
            if at.y == to.y {
                consider(if to.x == 0 {
                    "\r".into()
                } else {
                    format!("\x1b[{}G", to.x + 1)
                });
                if to.x > at.x {
                    consider(match to.x - at.x {
                        1 => "\x1b[C".into(),
                        n => format!("\x1b[{n}C"),
                    });
                }
            } else if at.x == to.x {
                consider(match (to.y > at.y, to.y.abs_diff(at.y)) {
                    (true, 1) => "\x1b[B".into(),
                    (true, n) => format!("\x1b[{n}B"),
                    (false, 1) => "\x1b[A".into(),
                    (false, n) => format!("\x1b[{n}A"),
                });
            }
        }
        self.bytes.extend_from_slice(best.as_bytes());
        self.state.cursor = Some(to);
    }

    fn set_pen(&mut self, to: Pen) {
        if self.state.pen == Some(to) {
            return;
        }
        let mut from_reset = vec!["0".to_string()];
        push_all(&mut from_reset, to);
        let params = match self.state.pen {
            Some(from) => {
                let diff = diff_params(from, to);
                if diff.join(";").len() <= from_reset.join(";").len() {
                    diff
                } else {
                    from_reset
                }
            }
            None => from_reset,
        };
        let params: Vec<String> = params.into_iter().filter(|p| !p.is_empty()).collect();
        if !params.is_empty() {
            self.bytes.extend_from_slice(b"\x1b[");
            self.bytes.extend_from_slice(params.join(";").as_bytes());
            self.bytes.push(b'm');
        }
        self.state.pen = Some(to);
    }

    fn put(&mut self, (x, y, cell): &Update) {
        self.move_to(Position::new(*x, *y));
        self.set_pen(Pen::of(cell));
        let symbol = cell.symbol();
        self.bytes.extend_from_slice(symbol.as_bytes());
        self.state.cursor = advance(symbol).map(|w| Position::new(x.saturating_add(w), *y));
    }

    fn visibility(&mut self, visible: bool) {
        if self.state.cursor_visible != Some(visible) {
            self.bytes
                .extend_from_slice(if visible { b"\x1b[?25h" } else { b"\x1b[?25l" });
            self.state.cursor_visible = Some(visible);
        }
    }
}

/// SGR codes that switch an attribute on, in ratatui's bit order.
const ON: [(Modifier, &str); 9] = [
    (Modifier::BOLD, "1"),
    (Modifier::DIM, "2"),
    (Modifier::ITALIC, "3"),
    (Modifier::UNDERLINED, "4"),
    (Modifier::SLOW_BLINK, "5"),
    (Modifier::RAPID_BLINK, "6"),
    (Modifier::REVERSED, "7"),
    (Modifier::HIDDEN, "8"),
    (Modifier::CROSSED_OUT, "9"),
];

/// Everything `to` has that a reset terminal lacks.
fn push_all(p: &mut Vec<String>, to: Pen) {
    p.extend(
        ON.iter()
            .filter(|(m, _)| to.modifier.contains(*m))
            .map(|(_, c)| c.to_string()),
    );
    if to.fg != Color::Reset {
        p.push(fg(to.fg));
    }
    if to.bg != Color::Reset {
        p.push(bg(to.bg));
    }
    if to.underline != Color::Reset {
        p.push(underline(to.underline));
    }
}

/// The codes that turn `from` into `to` without a reset.
fn diff_params(from: Pen, to: Pen) -> Vec<String> {
    let removed = from.modifier - to.modifier;
    let mut p = vec![];
    let mut added = to.modifier - from.modifier;
    if removed.intersects(Modifier::BOLD | Modifier::DIM) {
        // 22 ends both bold and dim; whichever stays is set again.
        p.push("22".to_string());
        added |= to.modifier & (Modifier::BOLD | Modifier::DIM);
    }
    for (m, off) in [
        (Modifier::ITALIC, "23"),
        (Modifier::UNDERLINED, "24"),
        (Modifier::REVERSED, "27"),
        (Modifier::HIDDEN, "28"),
        (Modifier::CROSSED_OUT, "29"),
    ] {
        if removed.contains(m) {
            p.push(off.to_string());
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        p.push("25".to_string());
        added |= to.modifier & (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK);
    }
    p.extend(
        ON.iter()
            .filter(|(m, _)| added.contains(*m))
            .map(|(_, c)| c.to_string()),
    );
    if from.fg != to.fg {
        p.push(fg(to.fg));
    }
    if from.bg != to.bg {
        p.push(bg(to.bg));
    }
    if from.underline != to.underline {
        p.push(underline(to.underline));
    }
    p
}

/// Splits the frame into runs the terminal writes without a cursor move.
fn runs(cells: &[Update]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = vec![];
    for (i, (x, y, _)) in cells.iter().enumerate() {
        let joins = i > 0 && {
            let (px, py, pc) = &cells[i - 1];
            py == y && advance(pc.symbol()).is_some_and(|w| px + w == *x)
        };
        match out.last_mut() {
            Some(r) if joins => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

fn end_of(cells: &[Update], r: &Range<usize>) -> Option<Position> {
    let (x, y, c) = &cells[r.end - 1];
    advance(c.symbol()).map(|w| Position::new(x + w, *y))
}

/// Writes the runs in `order`; with `saved_after = Some(k)` the terminal saves its cursor
/// and pen after the first `k` runs and restores them after the rest.
fn play(
    state: TermState,
    cells: &[Update],
    order: &[Range<usize>],
    saved_after: Option<usize>,
    wish: CursorWish,
) -> Out {
    let mut out = Out {
        bytes: vec![],
        state,
    };
    if wish.visible == Some(false) {
        out.visibility(false);
    }
    let mut saved = None;
    for (k, r) in order.iter().enumerate() {
        if saved_after == Some(k) {
            out.bytes.extend_from_slice(b"\x1b7");
            saved = Some(out.state);
        }
        for u in &cells[r.clone()] {
            out.put(u);
        }
    }
    if let Some(s) = saved {
        out.bytes.extend_from_slice(b"\x1b8");
        out.state.cursor = s.cursor;
        out.state.pen = s.pen;
    }
    if let Some(p) = wish.position {
        out.move_to(p);
    }
    if wish.visible == Some(true) {
        out.visibility(true);
    }
    out
}

/// The shortest encoding found for the frame; `state` is updated to what the terminal will
/// be in once it has read the bytes.
pub(super) fn encode(state: &mut TermState, cells: &[Update], wish: CursorWish) -> Vec<u8> {
    let natural = runs(cells);
    let mut best = play(*state, cells, &natural, None, wish);
    let mut try_order = |order: Vec<Range<usize>>, saved_after| {
        let out = play(*state, cells, &order, saved_after, wish);
        if out.bytes.len() < best.bytes.len() {
            best = out;
        }
    };
    // The run that ends where the cursor must rest goes last: no move back afterwards.
    if let Some(i) = natural
        .iter()
        .position(|r| wish.position.is_some() && end_of(cells, r) == wish.position)
    {
        let mut order = natural.clone();
        let r = order.remove(i);
        order.push(r);
        try_order(order, None);
    }
    // The run under the cursor goes first (no move, usually no pen change), the rest is a
    // detour the terminal returns from by itself.
    if natural.len() > 1
        && let Some(i) = natural
            .iter()
            .position(|r| state.cursor == Some(Position::new(cells[r.start].0, cells[r.start].1)))
    {
        let mut order = natural.clone();
        let r = order.remove(i);
        order.insert(0, r);
        try_order(order, Some(1));
    }
    *state = best.state;
    best.bytes
}
