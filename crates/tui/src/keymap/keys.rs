//! Key chords as keymap files write them (`j`, `J`, `ctrl-s`, `alt-down`, `shift-tab`, `f5`)
//! and as crossterm reports them, normalised so the two compare equal.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key plus modifiers. For characters the case carries shift (`J`, not `shift-j`), because
/// terminals report shifted letters both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyChord {
    pub code: ChordCode,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

/// The key part of a chord (a comparable subset of crossterm's `KeyCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChordCode {
    Char(char),
    F(u8),
    Named(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Named {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Space,
}

const NAMES: &[(&str, Named)] = &[
    ("enter", Named::Enter),
    ("esc", Named::Esc),
    ("tab", Named::Tab),
    ("backtab", Named::BackTab),
    ("backspace", Named::Backspace),
    ("delete", Named::Delete),
    ("insert", Named::Insert),
    ("up", Named::Up),
    ("down", Named::Down),
    ("left", Named::Left),
    ("right", Named::Right),
    ("home", Named::Home),
    ("end", Named::End),
    ("pageup", Named::PageUp),
    ("pagedown", Named::PageDown),
    ("space", Named::Space),
];

impl KeyChord {
    pub const fn plain(c: char) -> Self {
        KeyChord {
            code: ChordCode::Char(c),
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    /// The chord a key event stands for, or `None` for keys no keymap can name.
    pub fn from_event(ev: &KeyEvent) -> Option<Self> {
        let m = ev.modifiers;
        let mut chord = KeyChord {
            code: ChordCode::Char(' '),
            ctrl: m.contains(KeyModifiers::CONTROL),
            alt: m.contains(KeyModifiers::ALT),
            shift: m.contains(KeyModifiers::SHIFT),
        };
        chord.code = match ev.code {
            KeyCode::Char(' ') => ChordCode::Named(Named::Space),
            KeyCode::Char(c) => {
                chord.shift = false;
                // Ctrl+letter arrives lower-case from most terminals; make `ctrl-S` and
                // `ctrl-s` the same chord.
                ChordCode::Char(if chord.ctrl {
                    c.to_ascii_lowercase()
                } else {
                    c
                })
            }
            KeyCode::F(n) => ChordCode::F(n),
            KeyCode::BackTab => {
                chord.shift = false;
                ChordCode::Named(Named::BackTab)
            }
            other => ChordCode::Named(named_of(other)?),
        };
        Some(chord)
    }

    /// A printable character with no ctrl/alt: text when a text field has the focus.
    pub fn is_text(&self) -> bool {
        !self.ctrl
            && !self.alt
            && matches!(
                self.code,
                ChordCode::Char(_) | ChordCode::Named(Named::Space)
            )
    }

    /// Keys that edit or move within a line of text: never global actions while typing.
    pub fn edits_text(&self) -> bool {
        self.is_text()
            || (!self.ctrl
                && !self.alt
                && matches!(
                    self.code,
                    ChordCode::Named(
                        Named::Backspace
                            | Named::Delete
                            | Named::Enter
                            | Named::Left
                            | Named::Right
                            | Named::Up
                            | Named::Down
                            | Named::Home
                            | Named::End
                    )
                ))
    }
}

fn named_of(code: KeyCode) -> Option<Named> {
    Some(match code {
        KeyCode::Enter => Named::Enter,
        KeyCode::Esc => Named::Esc,
        KeyCode::Tab => Named::Tab,
        KeyCode::Backspace => Named::Backspace,
        KeyCode::Delete => Named::Delete,
        KeyCode::Insert => Named::Insert,
        KeyCode::Up => Named::Up,
        KeyCode::Down => Named::Down,
        KeyCode::Left => Named::Left,
        KeyCode::Right => Named::Right,
        KeyCode::Home => Named::Home,
        KeyCode::End => Named::End,
        KeyCode::PageUp => Named::PageUp,
        KeyCode::PageDown => Named::PageDown,
        _ => return None,
    })
}

impl FromStr for KeyChord {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chord = KeyChord::plain(' ');
        let mut rest = s;
        // A single character is always the key itself, so `-` and `+` bind as written.
        while rest.chars().count() > 1 {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                chord.ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                chord.alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                chord.shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        chord.code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if chord.shift && c.is_ascii_alphabetic() {
                    chord.shift = false;
                    ChordCode::Char(c.to_ascii_uppercase())
                } else if chord.ctrl {
                    ChordCode::Char(c.to_ascii_lowercase())
                } else {
                    ChordCode::Char(c)
                }
            }
            (None, _) => return Err(format!("empty key in {s:?}")),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=24).contains(&n) {
                        return Err(format!("{s:?}: function keys are f1–f24"));
                    }
                    ChordCode::F(n)
                } else if let Some((_, named)) = NAMES.iter().find(|(n, _)| *n == lower) {
                    ChordCode::Named(*named)
                } else {
                    return Err(format!(
                        "unknown key {rest:?} in {s:?} (use a character, f1–f24, ctrl-/alt-/shift- \
                         prefixes, or one of: {})",
                        NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        };
        if chord.shift && chord.code == ChordCode::Named(Named::Tab) {
            chord.shift = false;
            chord.code = ChordCode::Named(Named::BackTab);
        }
        if let ChordCode::Char(c) = chord.code
            && chord.shift
        {
            return Err(format!(
                "{s:?}: write the shifted character itself (e.g. {:?}) instead of shift-",
                c.to_uppercase().to_string()
            ));
        }
        Ok(chord)
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            ChordCode::Char(c) => write!(f, "{c}"),
            ChordCode::F(n) => write!(f, "f{n}"),
            ChordCode::Named(Named::BackTab) => f.write_str("shift-tab"),
            ChordCode::Named(n) => {
                let name = NAMES.iter().find(|(_, x)| *x == n).map_or("?", |(s, _)| s);
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyChord {
        let mut e = KeyEvent::new(code, m);
        e.kind = KeyEventKind::Press;
        KeyChord::from_event(&e).unwrap()
    }

    fn parse(s: &str) -> KeyChord {
        s.parse().unwrap()
    }

    #[test]
    fn parsed_chords_match_terminal_events() {
        assert_eq!(parse("j"), ev(KeyCode::Char('j'), KeyModifiers::NONE));
        assert_eq!(parse("J"), ev(KeyCode::Char('J'), KeyModifiers::SHIFT));
        assert_eq!(parse("shift-j"), parse("J"));
        assert_eq!(
            parse("ctrl-s"),
            ev(KeyCode::Char('s'), KeyModifiers::CONTROL)
        );
        assert_eq!(parse("CTRL-S"), parse("ctrl-s"));
        assert_eq!(parse("alt-down"), ev(KeyCode::Down, KeyModifiers::ALT));
        assert_eq!(
            parse("shift-tab"),
            ev(KeyCode::BackTab, KeyModifiers::SHIFT)
        );
        assert_eq!(parse("space"), ev(KeyCode::Char(' '), KeyModifiers::NONE));
        assert_eq!(parse("f5"), ev(KeyCode::F(5), KeyModifiers::NONE));
        assert_eq!(parse("-"), ev(KeyCode::Char('-'), KeyModifiers::NONE));
        assert_eq!(parse("+"), ev(KeyCode::Char('+'), KeyModifiers::SHIFT));
        assert_eq!(
            parse("ctrl--"),
            ev(KeyCode::Char('-'), KeyModifiers::CONTROL)
        );
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "j",
            "J",
            "ctrl-s",
            "alt-down",
            "shift-tab",
            "f5",
            "space",
            "?",
            "ctrl--",
        ] {
            assert_eq!(parse(s).to_string(), s);
            assert_eq!(parse(&parse(s).to_string()), parse(s));
        }
    }

    #[test]
    fn bad_keys_are_explained() {
        assert!("ctrl-".parse::<KeyChord>().is_err());
        let e = "hyper-x".parse::<KeyChord>().unwrap_err();
        assert!(e.contains("unknown key"), "{e}");
        assert!("f99".parse::<KeyChord>().is_err());
        assert!("shift-1".parse::<KeyChord>().is_err());
    }
}
