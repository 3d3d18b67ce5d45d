//! Contrast checks for the built-in themes (WCAG 2 contrast ratio): body text and selected
//! text at least 4.5, everything else drawn on the background (muted text, borders, status
//! colours) at least 3.
//!
//! A theme colour of `reset` means the terminal's own default, and named colours are the
//! terminal's palette, so those are resolved against typical terminals: xterm's palette on
//! black for dark themes, Tango's on white for light ones. `ansi16` must pass on both.

use ratatui::style::Color;

use super::{NAMED_COLOURS, ThemeColors};

/// What a terminal shows for the colours a theme cannot fix itself.
struct Terminal {
    name: &'static str,
    foreground: u32,
    background: u32,
    /// black, red, green, yellow, blue, magenta, cyan, gray, then the bright eight.
    named: [u32; 16],
}

const XTERM_ON_BLACK: Terminal = Terminal {
    name: "xterm on black",
    foreground: 0xe5e5e5,
    background: 0x000000,
    named: [
        0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5, 0x7f7f7f,
        0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
    ],
};

/// A dark editor-style background, darker themes' usual habitat.
const DARK_GREY: Terminal = Terminal {
    name: "dark grey",
    background: 0x1e1e1e,
    ..XTERM_ON_BLACK
};

const TANGO_ON_WHITE: Terminal = Terminal {
    name: "Tango on white",
    foreground: 0x000000,
    background: 0xffffff,
    named: [
        0x000000, 0xcc0000, 0x4e9a06, 0xc4a000, 0x3465a4, 0x75507b, 0x06989a, 0xd3d7cf, 0x555753,
        0xef2929, 0x8ae234, 0xfce94f, 0x729fcf, 0xad7fa8, 0x34e2e2, 0xeeeeec,
    ],
};

fn rgb(c: Color, default: u32, term: &Terminal) -> u32 {
    match c {
        Color::Reset => default,
        Color::Rgb(r, g, b) => u32::from_be_bytes([0, r, g, b]),
        other => match NAMED_COLOURS.iter().position(|n| *n == other) {
            Some(i) => term.named[i],
            None => panic!("{other:?} has no colour in a 16-colour palette"),
        },
    }
}

fn luminance(rgb: u32) -> f64 {
    let [_, r, g, b] = rgb.to_be_bytes();
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

fn contrast(a: u32, b: u32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Every role that falls short on `term`, as "role ratio" lines.
fn shortfalls(theme: &ThemeColors, term: &Terminal) -> Vec<String> {
    let fg = |c| rgb(c, term.foreground, term);
    let bg = rgb(theme.background, term.background, term);
    let selection = rgb(theme.selection, term.background, term);
    let checks = [
        ("text", fg(theme.text), bg, 4.5),
        ("selection_text", fg(theme.selection_text), selection, 4.5),
        ("muted", fg(theme.muted), bg, 3.0),
        ("accent", fg(theme.accent), bg, 3.0),
        ("ok", fg(theme.ok), bg, 3.0),
        ("warn", fg(theme.warn), bg, 3.0),
        ("error", fg(theme.error), bg, 3.0),
        ("border", fg(theme.border), bg, 3.0),
        ("border_focused", fg(theme.border_focused), bg, 3.0),
        ("image_token", fg(theme.image_token), bg, 3.0),
    ];
    checks
        .into_iter()
        .map(|(role, a, b, min)| (role, contrast(a, b), min))
        .filter(|(_, ratio, min)| ratio < min)
        .map(|(role, ratio, min)| format!("{role} {ratio:.2} < {min} on {}", term.name))
        .collect()
}

#[test]
fn the_contrast_formula_matches_wcag() {
    assert!((contrast(0x000000, 0xffffff) - 21.0).abs() < 1e-9);
    assert!((contrast(0x777777, 0xffffff) - 4.48).abs() < 0.01);
}

#[test]
fn every_builtin_theme_is_readable_where_it_is_meant_to_be_used() {
    let cases: [(&str, &[&Terminal]); 4] = [
        ("dark", &[&XTERM_ON_BLACK, &DARK_GREY]),
        ("light", &[&TANGO_ON_WHITE]),
        ("high-contrast", &[&XTERM_ON_BLACK, &TANGO_ON_WHITE]),
        ("ansi16", &[&XTERM_ON_BLACK, &DARK_GREY, &TANGO_ON_WHITE]),
    ];
    assert_eq!(
        cases.len(),
        super::BUILTIN.len(),
        "a built-in theme is unchecked"
    );
    for (name, terminals) in cases {
        let theme = ThemeColors::builtin(name).unwrap();
        for term in terminals {
            let short = shortfalls(&theme, term);
            assert!(short.is_empty(), "{name}: {short:#?}");
        }
    }
}

#[test]
fn a_low_contrast_theme_is_caught() {
    let theme = ThemeColors::from_user_file("faint", "muted = \"#333333\"").unwrap();
    let short = shortfalls(&theme, &XTERM_ON_BLACK);
    assert_eq!(short.len(), 1, "{short:?}");
    assert!(short[0].starts_with("muted 1."), "{short:?}");
}
