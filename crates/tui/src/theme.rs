//! Themes: a small set of semantic colours read from TOML, and the widget styles derived
//! from them.
//!
//! Built-in themes are embedded; a user theme (`themes/NAME.toml` in the config dir) may set
//! only some colours and `inherits` the rest from a built-in one (dark by default). Unknown
//! keys are rejected so a typo is reported instead of silently ignored. With `NO_COLOR` set
//! the styles use modifiers only.

use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The 16 named colours in SGR and palette order: black, red, …, gray (30–37), then the
/// bright eight (90–97). The wire encoder and the contrast test both index by it.
pub(crate) const NAMED_COLOURS: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../../themes/dark.toml")),
    ("light", include_str!("../../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../../themes/high-contrast.toml"),
    ),
    ("ansi16", include_str!("../../../themes/ansi16.toml")),
];

/// The colours a theme names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThemeColors {
    pub background: Color,
    pub text: Color,
    pub muted: Color,
    pub accent: Color,
    pub ok: Color,
    pub warn: Color,
    pub error: Color,
    pub selection: Color,
    pub selection_text: Color,
    pub border: Color,
    pub border_focused: Color,
    /// `<<<image_N>>>` tokens in prompts that name a reference image.
    pub image_token: Color,
}

/// A theme file: every colour optional so user files may be partial.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    inherits: Option<String>,
    background: Option<String>,
    text: Option<String>,
    muted: Option<String>,
    accent: Option<String>,
    ok: Option<String>,
    warn: Option<String>,
    error: Option<String>,
    selection: Option<String>,
    selection_text: Option<String>,
    border: Option<String>,
    border_focused: Option<String>,
    image_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThemeError {
    #[error("theme {name}: {message}")]
    Invalid { name: String, message: String },
    #[error(
        "unknown theme {0:?} (built-in: dark, light, high-contrast, ansi16; or a file themes/NAME.toml in the config dir)"
    )]
    Unknown(String),
}

fn color(name: &str, key: &str, v: &str) -> Result<Color, ThemeError> {
    Color::from_str(v).map_err(|_| ThemeError::Invalid {
        name: name.to_string(),
        message: format!(
            "{key} = {v:?} is not a colour (use #rrggbb, a name like light-red, or 0–255)"
        ),
    })
}

fn parse_file(name: &str, text: &str) -> Result<ThemeFile, ThemeError> {
    toml::from_str(text).map_err(|e| ThemeError::Invalid {
        name: name.to_string(),
        message: e.message().to_string(),
    })
}

impl ThemeColors {
    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Result<ThemeColors, ThemeError> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ThemeError::Unknown(name.to_string()))?;
        let file = parse_file(name, text)?;
        let missing = ThemeError::Invalid {
            name: name.to_string(),
            message: "a built-in theme must set every colour".into(),
        };
        let base = ThemeColors {
            background: Color::Reset,
            text: Color::Reset,
            muted: Color::Reset,
            accent: Color::Reset,
            ok: Color::Reset,
            warn: Color::Reset,
            error: Color::Reset,
            selection: Color::Reset,
            selection_text: Color::Reset,
            border: Color::Reset,
            border_focused: Color::Reset,
            image_token: Color::Reset,
        };
        if file.inherits.is_some() || file.fields().iter().any(|(_, v)| v.is_none()) {
            return Err(missing);
        }
        base.overlay(name, &file)
    }

    /// A built-in theme, or `themes/NAME.toml` under `config_dir` laid over the theme it
    /// inherits from.
    pub fn load(name: &str, config_dir: &Path) -> Result<ThemeColors, ThemeError> {
        let path = config_dir.join("themes").join(format!("{name}.toml"));
        match shotdeck_files::safe_read::read_string(
            &path,
            shotdeck_files::safe_read::MAX_SETTINGS_BYTES,
        ) {
            Ok(text) => ThemeColors::from_user_file(name, &text),
            Err(_) => ThemeColors::builtin(name),
        }
    }

    /// A user theme's text: partial, inheriting from a built-in theme (dark by default).
    pub fn from_user_file(name: &str, text: &str) -> Result<ThemeColors, ThemeError> {
        let file = parse_file(name, text)?;
        let base = ThemeColors::builtin(file.inherits.as_deref().unwrap_or("dark"))?;
        base.overlay(name, &file)
    }

    fn overlay(mut self, name: &str, file: &ThemeFile) -> Result<ThemeColors, ThemeError> {
        for (key, value) in file.fields() {
            let Some(v) = value else { continue };
            let c = color(name, key, v)?;
            *self.slot(key) = c;
        }
        Ok(self)
    }

    fn slot(&mut self, key: &str) -> &mut Color {
        match key {
            "background" => &mut self.background,
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "accent" => &mut self.accent,
            "ok" => &mut self.ok,
            "warn" => &mut self.warn,
            "error" => &mut self.error,
            "selection" => &mut self.selection,
            "selection_text" => &mut self.selection_text,
            "border" => &mut self.border,
            "image_token" => &mut self.image_token,
            _ => &mut self.border_focused,
        }
    }

    /// Every colour, for checks such as "ansi16 uses named colours only".
    pub fn colors(&self) -> [Color; 12] {
        [
            self.background,
            self.text,
            self.muted,
            self.accent,
            self.ok,
            self.warn,
            self.error,
            self.selection,
            self.selection_text,
            self.border,
            self.border_focused,
            self.image_token,
        ]
    }
}

impl ThemeFile {
    fn fields(&self) -> [(&'static str, &Option<String>); 12] {
        [
            ("background", &self.background),
            ("text", &self.text),
            ("muted", &self.muted),
            ("accent", &self.accent),
            ("ok", &self.ok),
            ("warn", &self.warn),
            ("error", &self.error),
            ("selection", &self.selection),
            ("selection_text", &self.selection_text),
            ("border", &self.border),
            ("border_focused", &self.border_focused),
            ("image_token", &self.image_token),
        ]
    }
}

/// Per-role styles, derived once from a theme's colours (or from nothing under `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Styles {
    pub base: Style,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub selection: Style,
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub title_focused: Style,
    pub key: Style,
    pub badge: Style,
    /// A `<<<image_N>>>` token that names a reference (one that names none is `error`).
    pub image_token: Style,
}

impl Styles {
    pub fn from_colors(p: &ThemeColors) -> Styles {
        let fg = |c| Style::new().fg(c);
        Styles {
            base: Style::new().fg(p.text).bg(p.background),
            text: fg(p.text),
            muted: fg(p.muted),
            accent: fg(p.accent),
            ok: fg(p.ok),
            warn: fg(p.warn),
            error: fg(p.error),
            selection: Style::new().fg(p.selection_text).bg(p.selection),
            border: fg(p.border),
            border_focused: fg(p.border_focused),
            title: fg(p.text),
            title_focused: fg(p.accent).add_modifier(Modifier::BOLD),
            key: fg(p.accent).add_modifier(Modifier::BOLD),
            badge: Style::new()
                .fg(p.background)
                .bg(p.warn)
                .add_modifier(Modifier::BOLD),
            image_token: fg(p.image_token).add_modifier(Modifier::BOLD),
        }
    }

    /// `NO_COLOR`: no colours at all, only bold/dim/reversed/underline.
    pub fn monochrome() -> Styles {
        let m = |m| Style::new().add_modifier(m);
        Styles {
            base: Style::new(),
            text: Style::new(),
            muted: m(Modifier::DIM),
            accent: m(Modifier::BOLD),
            ok: Style::new(),
            warn: m(Modifier::BOLD),
            error: m(Modifier::BOLD | Modifier::UNDERLINED),
            selection: m(Modifier::REVERSED),
            border: m(Modifier::DIM),
            border_focused: m(Modifier::BOLD),
            title: Style::new(),
            title_focused: m(Modifier::BOLD | Modifier::UNDERLINED),
            key: m(Modifier::BOLD),
            badge: m(Modifier::REVERSED | Modifier::BOLD),
            image_token: m(Modifier::UNDERLINED),
        }
    }

    /// True when the environment asks for no colour (`NO_COLOR` set and non-empty).
    pub fn no_color_requested() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

impl Default for Styles {
    fn default() -> Self {
        Styles::from_colors(&ThemeColors::builtin("dark").expect("built-in dark theme"))
    }
}

#[cfg(test)]
#[path = "theme_contrast.rs"]
mod contrast;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_is_complete() {
        for (name, _) in BUILTIN {
            ThemeColors::builtin(name).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn ansi16_uses_only_the_sixteen_named_colours() {
        let p = ThemeColors::builtin("ansi16").unwrap();
        for c in p.colors() {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "ansi16 uses {c:?}"
            );
        }
    }

    #[test]
    fn user_themes_may_be_partial_and_inherit() {
        let p = ThemeColors::from_user_file("mine", "inherits = \"light\"\naccent = \"#ff0000\"\n")
            .unwrap();
        let light = ThemeColors::builtin("light").unwrap();
        assert_eq!(p.accent, Color::Rgb(255, 0, 0));
        assert_eq!(p.text, light.text);
        let q = ThemeColors::from_user_file("mine", "error = \"red\"").unwrap();
        assert_eq!(q.text, ThemeColors::builtin("dark").unwrap().text);
    }

    #[test]
    fn unknown_keys_and_bad_colours_are_rejected_clearly() {
        let e = ThemeColors::from_user_file("mine", "acent = \"red\"").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("theme mine") && msg.contains("acent"), "{msg}");
        let e = ThemeColors::from_user_file("mine", "accent = \"reddish\"").unwrap_err();
        assert!(e.to_string().contains("accent = \"reddish\""), "{e}");
        assert!(matches!(
            ThemeColors::builtin("solarized"),
            Err(ThemeError::Unknown(_))
        ));
    }

    #[test]
    fn monochrome_styles_carry_no_colour() {
        let s = Styles::monochrome();
        for st in [s.base, s.text, s.error, s.selection, s.badge, s.key] {
            assert_eq!(st.fg, None);
            assert_eq!(st.bg, None);
        }
    }
}
