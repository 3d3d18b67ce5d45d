//! Text from outside (a provider's task ids, status and error messages, URLs) made safe to
//! print on a terminal. A server that answers `"\x1b]52;c;…\x07"` in a status message would
//! otherwise set the user's clipboard, retitle the window or clear the screen the moment
//! `shotdeck jobs show` prints it. Control characters become visible escapes (`\x1b`), so
//! nothing is hidden and nothing is executed; bidirectional overrides are escaped too,
//! since they can make a printed line read differently from what it contains.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` with every control character (C0, DEL, C1) and bidi control written as an escape.
/// Returns `s` itself when nothing needed escaping (the common case costs no allocation).
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let code = u32::from(c);
            if code <= 0xff {
                let _ = write!(out, "\\x{code:02x}");
            } else {
                let _ = write!(out, "\\u{{{code:x}}}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as [`printable`] text: file names are foreign too (a board or image named with
/// an escape sequence would otherwise act on the terminal when `new` or `validate` prints
/// it).
pub fn printable_path(path: &std::path::Path) -> String {
    printable(&path.to_string_lossy()).into_owned()
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "task 8675309 — succeed (ü, 日本)";
        assert!(matches!(printable(s), Cow::Borrowed(x) if x == s));
    }

    #[test]
    fn terminal_escapes_become_visible() {
        assert_eq!(
            printable("\x1b]52;c;aGk=\x07ok\x1b[2J"),
            "\\x1b]52;c;aGk=\\x07ok\\x1b[2J"
        );
        assert_eq!(printable("a\nb\r\t"), "a\\x0ab\\x0d\\x09");
        assert_eq!(printable("\u{9b}31m"), "\\x9b31m");
        assert_eq!(printable("\u{7f}"), "\\x7f");
    }

    #[test]
    fn paths_are_escaped_like_text() {
        let p = std::path::Path::new("/tmp/a\x1b]0;pwned\x07.json");
        assert_eq!(printable_path(p), "/tmp/a\\x1b]0;pwned\\x07.json");
    }

    #[test]
    fn bidi_overrides_are_escaped() {
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }
}
