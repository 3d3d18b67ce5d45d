//! A JSON body sent in pieces: a reference board's request carries ~90 MB of Base64, and
//! serialising it whole would hold a second copy of every image beside the request the
//! engine keeps for a re-send. The pieces are produced as the connection takes them, so
//! at most a few of them exist at once.

use std::io::{self, Write};

use serde_json::Value;

/// A piece's size, and the size below which a body is serialised whole (one allocation,
/// as before: most bodies are a few kilobytes).
pub(crate) const PIECE_BYTES: usize = 64 * 1024;

/// The bytes `serde_json::to_vec(value)` would give, without allocating them.
pub(crate) fn json_len(value: &Value) -> u64 {
    struct Count(u64);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).expect("a JSON value always serializes");
    count.0
}

/// What is left to write of one array or object.
enum Open<'a> {
    Array(std::slice::Iter<'a, Value>),
    Object(serde_json::map::Iter<'a>),
}

/// `value` serialised exactly as `serde_json::to_vec` does, in pieces of about
/// [`PIECE_BYTES`]: a long string is written a part at a time.
pub(crate) struct JsonPieces<'a> {
    /// The containers being written, innermost last, each with whether an item was written.
    open: Vec<(Open<'a>, bool)>,
    /// The next value to write whole (a scalar, or the start of a container).
    next: Option<&'a Value>,
    /// The rest of a long string being written, past its opening quote.
    string_rest: Option<&'a str>,
    buf: Vec<u8>,
}

impl<'a> JsonPieces<'a> {
    pub(crate) fn new(value: &'a Value) -> JsonPieces<'a> {
        JsonPieces {
            open: Vec::new(),
            next: Some(value),
            string_rest: None,
            buf: Vec::with_capacity(PIECE_BYTES + 1024),
        }
    }

    /// Writes `s` escaped, without quotes.
    fn escaped(&mut self, s: &str) {
        let start = self.buf.len();
        serde_json::to_writer(&mut self.buf, s).expect("a string always serializes");
        // `to_writer` quoted it: drop the quotes.
        self.buf.pop();
        self.buf.remove(start);
    }

    /// Writes `value`, or opens it when it is a container or a long string.
    fn start(&mut self, value: &'a Value) {
        match value {
            Value::Array(items) => {
                self.buf.push(b'[');
                self.open.push((Open::Array(items.iter()), false));
            }
            Value::Object(fields) => {
                self.buf.push(b'{');
                self.open.push((Open::Object(fields.iter()), false));
            }
            Value::String(s) if s.len() > PIECE_BYTES => {
                self.buf.push(b'"');
                self.string_rest = Some(s);
            }
            scalar => serde_json::to_writer(&mut self.buf, scalar).expect("a value serializes"),
        }
    }

    /// One step: part of a long string, the next item of the innermost container (or its
    /// end), or the next value. `false` when everything is written.
    fn step(&mut self) -> bool {
        if let Some(rest) = self.string_rest.take() {
            let room = PIECE_BYTES.saturating_sub(self.buf.len()).max(1);
            let mut cut = room.min(rest.len());
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            let (part, rest) = rest.split_at(cut);
            self.escaped(part);
            if rest.is_empty() {
                self.buf.push(b'"');
            } else {
                self.string_rest = Some(rest);
            }
            return true;
        }
        if let Some(v) = self.next.take() {
            self.start(v);
            return true;
        }
        let Some((open, written)) = self.open.last_mut() else {
            return false;
        };
        let comma = std::mem::replace(written, true);
        let item = match open {
            Open::Array(items) => items.next().map(|v| (None, v)),
            Open::Object(fields) => fields.next().map(|(k, v)| (Some(k), v)),
        };
        match item {
            Some((key, v)) => {
                if comma {
                    self.buf.push(b',');
                }
                if let Some(key) = key {
                    serde_json::to_writer(&mut self.buf, key).expect("a key serializes");
                    self.buf.push(b':');
                }
                self.next = Some(v);
            }
            None => {
                let close = match open {
                    Open::Array(_) => b']',
                    Open::Object(_) => b'}',
                };
                self.buf.push(close);
                self.open.pop();
            }
        }
        true
    }
}

impl Iterator for JsonPieces<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        while self.buf.len() < PIECE_BYTES && self.step() {}
        if self.buf.is_empty() {
            return None;
        }
        let cap = PIECE_BYTES + 1024;
        Some(std::mem::replace(&mut self.buf, Vec::with_capacity(cap)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn joined(v: &Value) -> Vec<u8> {
        JsonPieces::new(v).flatten().collect()
    }

    #[test]
    fn pieces_join_to_what_to_vec_writes() {
        let long_ascii = "QUJD".repeat(100_000);
        // Multi-byte characters and escapes across piece boundaries.
        let long_mixed = "é\"\\\n✓𝄞 ".repeat(30_000);
        let cases = [
            json!(null),
            json!("short"),
            json!([]),
            json!({}),
            json!({"a": [1, 2.5, true, null, {"b": []}], "c": {}}),
            json!({"model": "kling-v3", "image_list": [
                {"image_url": long_ascii, "type": "first_frame"},
                {"image_url": long_mixed.clone()},
            ], "prompt": "x", "n": [[], [[]], {"k": long_mixed}]}),
        ];
        for v in &cases {
            let want = serde_json::to_vec(v).unwrap();
            assert_eq!(
                joined(v),
                want,
                "{}",
                &String::from_utf8_lossy(&want)[..80.min(want.len())]
            );
            assert_eq!(json_len(v), want.len() as u64);
        }
    }

    #[test]
    fn a_long_body_comes_in_pieces_of_bounded_size() {
        let v = json!({"image": "A".repeat(1_000_000), "prompt": "p"});
        let pieces: Vec<Vec<u8>> = JsonPieces::new(&v).collect();
        assert!(pieces.len() >= 1_000_000 / PIECE_BYTES, "{}", pieces.len());
        assert!(pieces.iter().all(|p| p.len() <= PIECE_BYTES + 64));
    }
}
