//! The frame encoder against a terminal emulator: whatever order and shortcuts it picks,
//! the screen must end up as asked.

use ratatui::buffer::Cell;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier, Style};

use crate::terminal::encode::{CursorWish, TermState, Update, encode};

const W: u16 = 20;
const H: u16 = 4;

fn cell(symbol: &str, style: Style) -> Cell {
    let mut c = Cell::default();
    c.set_symbol(symbol).set_style(style);
    c
}

fn text(x: u16, y: u16, s: &str, style: Style) -> Vec<Update> {
    s.chars()
        .enumerate()
        .map(|(i, ch)| (x + i as u16, y, cell(&ch.to_string(), style)))
        .collect()
}

fn at(x: u16, y: u16) -> CursorWish {
    CursorWish {
        visible: Some(true),
        position: Some(Position::new(x, y)),
    }
}

struct Screen {
    vt: vt100::Parser,
    state: TermState,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            vt: vt100::Parser::new(H, W, 0),
            state: TermState::default(),
        }
    }

    fn frame(&mut self, cells: &[Update], wish: CursorWish) -> Vec<u8> {
        let bytes = encode(&mut self.state, cells, wish);
        self.vt.process(&bytes);
        bytes
    }

    fn row(&self, y: u16) -> String {
        self.vt.screen().contents_between(y, 0, y, W)
    }

    fn cell(&self, x: u16, y: u16) -> &vt100::Cell {
        self.vt.screen().cell(y, x).unwrap()
    }
}

const MUTED: Style = Style::new().fg(Color::Rgb(123, 131, 148));
const TEXT: Style = Style::new().fg(Color::Rgb(216, 222, 233));

#[test]
fn typing_beside_a_counter_detours_through_decsc() {
    let mut s = Screen::new();
    s.frame(&text(0, 0, "n 9", MUTED), CursorWish::default());
    s.frame(&text(0, 2, "ab", TEXT), at(2, 2));
    let mut cells = text(2, 0, "8", MUTED);
    cells.extend(text(2, 2, "c", TEXT));
    let bytes = s.frame(&cells, at(3, 2));
    assert_eq!(bytes, b"c\x1b7\x1b[1;3H\x1b[38;2;123;131;148m8\x1b8");
    assert_eq!(s.row(0), "n 8");
    assert_eq!(s.row(2), "abc");
    assert_eq!(s.vt.screen().cursor_position(), (2, 3));
    // The restore brought the text colour back, so the next character needs no pen.
    assert_eq!(s.frame(&text(3, 2, "d", TEXT), at(4, 2)), b"d");
    assert_eq!(s.cell(3, 2).fgcolor(), vt100::Color::Rgb(216, 222, 233));
}

/// The prompt editor's typical keystroke: the character and the counter's last digit, drawn
/// in the text's own style (only `/512` is muted), so no colour is sent at all: 13 bytes
/// here, where a muted digit costs 19 more (`typing_beside_a_counter_detours_through_decsc`).
#[test]
fn a_counter_digit_in_the_text_style_needs_no_colour() {
    let mut s = Screen::new();
    let mut counter = text(10, 0, "12", TEXT);
    counter.extend(text(12, 0, "/512", MUTED));
    s.frame(&counter, CursorWish::default());
    s.frame(&text(0, 3, "ab", TEXT), at(2, 3));
    let mut cells = text(11, 0, "3", TEXT);
    cells.extend(text(2, 3, "c", TEXT));
    let bytes = s.frame(&cells, at(3, 3));
    assert_eq!(bytes, b"c\x1b7\x1b[1;12H3\x1b8");
    assert_eq!(bytes.len(), 13);
    assert_eq!(s.row(0), "          13/512");
    assert_eq!(s.row(3), "abc");
    assert_eq!(s.vt.screen().cursor_position(), (3, 3));
    assert_eq!(s.cell(11, 0).fgcolor(), vt100::Color::Rgb(216, 222, 233));
    assert_eq!(s.cell(12, 0).fgcolor(), vt100::Color::Rgb(123, 131, 148));
}

#[test]
fn an_unchanged_frame_sends_nothing() {
    let mut s = Screen::new();
    s.frame(&text(0, 0, "hi", TEXT), at(2, 0));
    assert!(s.frame(&[], at(2, 0)).is_empty());
    let hidden = CursorWish {
        visible: Some(false),
        position: None,
    };
    assert_eq!(s.frame(&[], hidden), b"\x1b[?25l");
    assert!(s.frame(&[], hidden).is_empty());
}

#[test]
fn dropping_one_attribute_keeps_the_others() {
    let mut s = Screen::new();
    let bold_rev = TEXT.add_modifier(Modifier::BOLD | Modifier::REVERSED);
    let rev = TEXT.add_modifier(Modifier::REVERSED);
    let mut cells = text(0, 1, "AB", bold_rev);
    cells.extend(text(2, 1, "cd", rev));
    cells.extend(text(4, 1, "ef", Style::new()));
    s.frame(&cells, CursorWish::default());
    let (b, c, e) = (s.cell(1, 1), s.cell(2, 1), s.cell(4, 1));
    assert!(b.bold() && b.inverse());
    assert!(!c.bold() && c.inverse());
    assert_eq!(c.fgcolor(), vt100::Color::Rgb(216, 222, 233));
    assert!(!e.bold() && !e.inverse());
    assert_eq!(e.fgcolor(), vt100::Color::Default);
}

#[test]
fn the_last_column_and_wide_characters_are_not_trusted_for_relative_moves() {
    let mut s = Screen::new();
    // The last column leaves the terminal in pending wrap; a wide glyph may be drawn wider
    // or narrower than ratatui thinks. Either way the next write must land where it should.
    s.frame(&text(W - 1, 0, "z", TEXT), CursorWish::default());
    s.frame(&text(W - 3, 0, "x", TEXT), CursorWish::default());
    assert_eq!(s.row(0).trim(), "x z");
    let mut wide = vec![(3, 1, cell("界", TEXT))];
    wide.extend(text(5, 1, "q", TEXT));
    let bytes = s.frame(&wide, at(6, 1));
    let after_glyph = &bytes[bytes.len() - b"\x1b[2;6Hq\x1b[?25h".len()..];
    assert_eq!(after_glyph, b"\x1b[2;6Hq\x1b[?25h");
    assert_eq!(s.row(1).trim(), "界q");
    assert_eq!(s.vt.screen().cursor_position(), (1, 6));
}

#[test]
fn short_moves_are_relative_when_safe() {
    let mut s = Screen::new();
    s.frame(&text(0, 0, "abc", TEXT), CursorWish::default());
    // Nine columns ahead on the same row: `ESC [9C` beats the absolute column `ESC [13G`.
    assert_eq!(
        s.frame(&text(12, 0, "f", TEXT), CursorWish::default()),
        b"\x1b[9Cf"
    );
    // Back to the start of the row.
    assert_eq!(
        s.frame(&text(0, 0, "A", TEXT), CursorWish::default()),
        b"\rA"
    );
    // Straight down in the same column.
    assert_eq!(
        s.frame(&text(1, 2, "Z", TEXT), CursorWish::default()),
        b"\x1b[2BZ"
    );
    assert_eq!(s.row(0), "Abc         f");
    assert_eq!(s.row(2), " Z");
}

#[test]
fn dropping_the_backend_writes_the_last_cursor_wish() {
    use ratatui::backend::Backend;
    let mut out = vec![];
    {
        let mut backend = super::DiffBackend::new(&mut out);
        backend.hide_cursor().unwrap();
        Backend::flush(&mut backend).unwrap();
        // What `Terminal`'s drop does: show, without a flush.
        backend.show_cursor().unwrap();
    }
    assert_eq!(out, b"\x1b[?25l\x1b[?25h");
}

/// An image protocol puts its escape sequence in a cell's symbol; where the terminal leaves
/// the cursor after it is unknown, so the next cell is placed with an explicit move.
#[test]
fn a_cell_holding_an_escape_sequence_is_followed_by_an_explicit_move() {
    let mut s = Screen::new();
    let mut cells = vec![(0, 1, cell("\x1b_Ga=T;AAAA\x1b\\", Style::new()))];
    cells.extend(text(1, 1, "ok", Style::new()));
    let bytes = String::from_utf8(s.frame(&cells, CursorWish::default())).unwrap();
    let after = &bytes[bytes.find("\x1b\\").unwrap() + 2..];
    assert!(after.starts_with("\x1b[2;2H"), "{after:?}");
    assert_eq!(s.row(1).trim(), "ok");
}
