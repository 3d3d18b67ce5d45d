//! Pretty JSON for a terminal. serde_json escapes only the C0 controls; a provider's text
//! may also carry C1 controls (U+0080–U+009F: U+009B is an 8-bit CSI that some terminals
//! obey) or bidi overrides, so those are written as `\uXXXX` too. The JSON means the same.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// `value` as pretty JSON followed by a newline.
pub(super) fn write_pretty(w: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *w, TerminalSafe::default());
    value.serialize(&mut ser).map_err(io::Error::from)?;
    w.write_all(b"\n")
}

#[derive(Default)]
struct TerminalSafe(PrettyFormatter<'static>);

fn escaped(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in s.char_indices() {
            if escaped(c) {
                w.write_all(&s.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&s.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(v: &serde_json::Value) -> String {
        let mut out = Vec::new();
        write_pretty(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn same_as_serde_json_pretty_for_plain_values() {
        let v = serde_json::json!({"a": [1, {"b": "ü日本"}], "c": null, "d": []});
        assert_eq!(render(&v), serde_json::to_string_pretty(&v).unwrap() + "\n");
    }

    #[test]
    fn c1_and_bidi_controls_are_escaped_and_round_trip() {
        let v = serde_json::json!({"m": "a\u{9b}31m\x1b[2J\u{202e}z"});
        let text = render(&v);
        assert!(text.contains(r"a\u009b31m\u001b[2J\u202ez"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
