//! A TOML parse error said without the file's contents.
//!
//! toml's own `Display` quotes the offending source line, and serde's messages quote the
//! offending value (`invalid type: integer \`123\`, expected a string`). In credentials.toml
//! that value is a key, and people paste keys into config.toml too. So errors about these
//! files give the line and column and the message with any quoted value replaced by `…`.

/// `line L, column C: message` with quoted values hidden.
pub fn describe(text: &str, e: &toml::de::Error) -> String {
    let message = hide_values(e.message());
    match e.span() {
        Some(span) => format!("{}: {message}", locate(text, span.start)),
        None => message,
    }
}

/// `line L, column C` (1-based, columns in characters) of byte `offset` in `text`.
pub fn locate(text: &str, offset: usize) -> String {
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("line {line}, column {column}")
}

/// serde quotes values in `` `…` `` and field names the same way; only "invalid type" and
/// "invalid value" messages carry a value, and always as their first quoted part.
fn hide_values(message: &str) -> String {
    let message = message.trim_end();
    if !(message.starts_with("invalid type") || message.starts_with("invalid value")) {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    // The value is the part before ", expected"; the expectation may quote names.
    let (value_part, tail) = match rest.find(", expected") {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    rest = value_part;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest.as_bytes()[open] as char;
        out.push_str(&rest[..=open]);
        match rest[open + 1..].rfind(quote) {
            Some(close) => {
                out.push('…');
                out.push(quote);
                rest = &rest[open + 1 + close + 1..];
            }
            None => {
                out.push('…');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.push_str(tail);
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Keys {
        access_key: String,
        port: Option<u16>,
    }

    fn error_for(text: &str) -> String {
        let e = toml::from_str::<Keys>(text).unwrap_err();
        describe(text, &e)
    }

    #[test]
    fn a_value_of_the_wrong_type_is_not_echoed() {
        let said = error_for("access_key = 98127364512\n");
        assert!(!said.contains("98127364512"), "{said}");
        assert!(said.starts_with("line 1, column 14:"), "{said}");
    }

    #[test]
    fn a_broken_line_is_not_quoted() {
        let text = "port = 1\naccess_key = \"AKsecret-value\n";
        let said = error_for(text);
        assert!(!said.contains("AKsecret-value"), "{said}");
        assert!(said.starts_with("line 2,"), "{said}");
    }

    #[test]
    fn an_out_of_range_value_is_hidden_but_the_expectation_kept() {
        let said = error_for("access_key = \"k\"\nport = 99999999\n");
        assert!(!said.contains("99999999"), "{said}");
        assert!(said.contains("expected"), "{said}");
    }

    #[test]
    fn other_messages_keep_field_names() {
        let said = error_for("port = 1\n");
        assert!(said.contains("access_key"), "{said}");
    }
}
