//! Colour parameters for SGR sequences.

use crossterm::style::Colored;
use ratatui::backend::IntoCrossterm;
use ratatui::style::Color;

use crate::theme::NAMED_COLOURS;

/// A named colour as its classic SGR code (`base` 30 for foreground, 40 for background).
/// crossterm writes these as 256-colour indices (`38;5;6`), which a 16-colour terminal may
/// not understand and which `ansi16` promises not to send.
fn named_sgr(c: Color, base: u8) -> Option<String> {
    let i = NAMED_COLOURS.iter().position(|n| *n == c)? as u8;
    let code = if i < 8 { base + i } else { base + 60 + i - 8 };
    Some(code.to_string())
}

/// Colours through crossterm (named ones by their classic codes), so `NO_COLOR` is honoured.
pub(super) fn fg(c: Color) -> String {
    if Colored::ansi_color_disabled_memoized() {
        return String::new();
    }
    named_sgr(c, 30).unwrap_or_else(|| Colored::ForegroundColor(c.into_crossterm()).to_string())
}
pub(super) fn bg(c: Color) -> String {
    if Colored::ansi_color_disabled_memoized() {
        return String::new();
    }
    named_sgr(c, 40).unwrap_or_else(|| Colored::BackgroundColor(c.into_crossterm()).to_string())
}
pub(super) fn underline(c: Color) -> String {
    Colored::UnderlineColor(c.into_crossterm()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_colours_use_the_classic_codes() {
        assert_eq!(named_sgr(Color::Black, 30).as_deref(), Some("30"));
        assert_eq!(named_sgr(Color::Gray, 30).as_deref(), Some("37"));
        assert_eq!(named_sgr(Color::DarkGray, 30).as_deref(), Some("90"));
        assert_eq!(named_sgr(Color::White, 40).as_deref(), Some("107"));
        assert_eq!(named_sgr(Color::Blue, 40).as_deref(), Some("44"));
        assert_eq!(named_sgr(Color::Rgb(1, 2, 3), 30), None);
        assert_eq!(named_sgr(Color::Indexed(6), 30), None);
    }
}
