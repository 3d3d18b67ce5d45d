//! Wording shared by several panes: findings as people read them, seconds, sizes.

use unicode_width::UnicodeWidthStr;

use shotdeck_core::jobs::JobView;
use shotdeck_core::{FieldPath, Finding, Severity};

/// `shots[0].prompt` → `Shot 1 prompt`, `references[1]` → `Reference 2`, `duration` → `Total`.
pub(crate) fn finding_place(path: FieldPath) -> String {
    match path {
        FieldPath::Shot { index, field } => format!("Shot {} {}", index + 1, field.name()),
        FieldPath::Reference(i) => format!("Reference {}", i + 1),
        FieldPath::Duration => "Total".into(),
        FieldPath::Shots => "Shots".into(),
        FieldPath::Prompt => "Prompt".into(),
        FieldPath::NegativePrompt => "Negative prompt".into(),
        FieldPath::FirstFrame => "First frame".into(),
        FieldPath::LastFrame => "Last frame".into(),
        FieldPath::References => "References".into(),
        FieldPath::AspectRatio => "Aspect ratio".into(),
        FieldPath::CfgScale => "CFG scale".into(),
        FieldPath::Version => "Version".into(),
        FieldPath::Title => "Title".into(),
        FieldPath::Mode => "Mode".into(),
        FieldPath::Model => "Model".into(),
        FieldPath::Quality => "Quality".into(),
        FieldPath::Sound => "Sound".into(),
        FieldPath::Watermark => "Watermark".into(),
        FieldPath::MultiShot => "Multi shot".into(),
        FieldPath::ShotType => "Shot type".into(),
        FieldPath::Elements => "Elements".into(),
        FieldPath::Element(i) => format!("Element {}", i + 1),
        FieldPath::Voices => "Voices".into(),
        FieldPath::Voice(i) => format!("Voice {}", i + 1),
    }
}

pub(crate) fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✗",
        Severity::Warning => "!",
    }
}

/// What sets a take apart, for the queue's selected row and the job's record: the keeper
/// mark and the take it retries (`["★ keeper", "retry of Take 2"]`), empty for a plain take.
pub(crate) fn take_notes(j: &JobView) -> Vec<String> {
    let mut notes = Vec::new();
    if j.keeper {
        notes.push("★ keeper".to_string());
    }
    if let Some(of) = j.retry_of_take {
        notes.push(format!("retry of Take {of}"));
    }
    notes
}

/// `Shot 1 prompt: prompt is empty (1–512 characters) [gateway only]`.
pub(crate) fn finding_text(f: &Finding) -> String {
    let mut s = format!("{}: {}", finding_place(f.path), f.message);
    if let Some(p) = f.provider {
        s.push_str(&format!(" [{p} only]"));
    }
    s
}

/// Whole seconds without `.0`.
pub(crate) fn secs(v: f64) -> String {
    shotdeck_core::rules::secs(v)
}

/// The longest duration the timeline and the shot bars lay out: anything longer is far past
/// every provider's limit already, and laying out 1e300 s (or NaN) one second at a time
/// would never finish drawing.
pub(crate) const LAYOUT_SECONDS_MAX: f64 = 24.0 * 3600.0;

/// `v` as layout may use it: finite, not negative, at most [`LAYOUT_SECONDS_MAX`].
pub(crate) fn layout_seconds(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(0.0, LAYOUT_SECONDS_MAX)
    }
}

/// `0:42`, `12:05`, `1:02:03`.
pub(crate) fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `HH:MM:SS` of Unix milliseconds: UTC as the store keeps times, or local time once the
/// caller adds the UTC offset.
pub(crate) fn time_of_day(ms: i64) -> String {
    let day = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", day / 3600, (day / 60) % 60, day % 60)
}

pub(crate) fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// A file's size as people read it: bytes, KB below a megabyte, MB above.
pub(crate) fn file_size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.0} KB", bytes as f64 / 1024.0),
        _ => megabytes(bytes),
    }
}

/// Cuts `s` to `width` terminal cells, ending with `…` when cut.
pub(crate) fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Word-wraps `s` into at most `lines` lines of `width` cells; the last one ends with `…`
/// when text is left over. Breaks follow [`crate::wrap`]: no line starts with a comma
/// or hyphen, and a word longer than a line is split, not cut.
pub(crate) fn wrap(s: &str, width: usize, lines: usize) -> Vec<String> {
    wrap_hanging(s, width, width, lines)
}

/// Like [`wrap`], with a different width for the first line (text after a label).
pub(crate) fn wrap_hanging(s: &str, first: usize, rest: usize, lines: usize) -> Vec<String> {
    let text = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() || lines == 0 {
        return Vec::new();
    }
    let rows = crate::wrap::break_line(&text, first, rest);
    let mut out: Vec<String> = rows
        .iter()
        .take(lines)
        .map(|r| text[r.clone()].trim_end().to_string())
        .collect();
    if rows.len() > lines
        && let Some(last) = out.last_mut()
    {
        let width = if lines == 1 { first } else { rest };
        *last = fit(&format!("{last}…"), width);
    }
    out
}

/// What a scrolled pane hides, for its border: `↑ 2 above · ↓ 3 more lines`; `None` when
/// everything is shown.
pub(crate) fn more_marker(above: usize, below: usize) -> Option<String> {
    let lines = |n: usize| if n == 1 { "line" } else { "lines" };
    match (above, below) {
        (0, 0) => None,
        (0, b) => Some(format!("↓ {b} more {}", lines(b))),
        (a, 0) => Some(format!("↑ {a} {} above", lines(a))),
        (a, b) => Some(format!("↑ {a} above · ↓ {b} more {}", lines(b))),
    }
}

/// [`more_marker`] for a narrow place: `↑2 ↓3`.
pub(crate) fn more_marker_compact(above: usize, below: usize) -> Option<String> {
    match (above, below) {
        (0, 0) => None,
        (0, b) => Some(format!("↓{b}")),
        (a, 0) => Some(format!("↑{a}")),
        (a, b) => Some(format!("↑{a} ↓{b}")),
    }
}

/// [`more_marker`] when it fits `room` cells with `pad` around it, else the compact form,
/// else nothing (a marker cut short would itself hide what it counts).
pub(crate) fn more_marker_in(above: usize, below: usize, room: usize, pad: &str) -> Option<String> {
    [more_marker(above, below), more_marker_compact(above, below)]
        .into_iter()
        .flatten()
        .map(|m| format!("{pad}{m}{pad}"))
        .find(|m| m.width() <= room)
}

/// A bar of `seconds` on a scale where `width` cells is `scale` seconds, in eighth blocks.
pub(crate) fn bar(seconds: f64, scale: f64, width: usize) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if scale <= 0.0 || width == 0 {
        return String::new();
    }
    let eighths = ((seconds.max(0.0) / scale) * width as f64 * 8.0).round() as usize;
    let eighths = eighths.min(width * 8);
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8]);
    }
    s
}

pub(crate) fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use shotdeck_core::ShotField;

    #[test]
    fn times_of_day_wrap_at_midnight_either_side_of_1970() {
        assert_eq!(time_of_day(1_767_225_600_000 + 3_723_000), "01:02:03");
        assert_eq!(time_of_day(-1_000), "23:59:59");
    }

    #[test]
    fn places_read_like_the_ui() {
        assert_eq!(
            finding_place(FieldPath::shot(0, ShotField::Prompt)),
            "Shot 1 prompt"
        );
        assert_eq!(
            finding_place(FieldPath::shot(5, ShotField::Duration)),
            "Shot 6 duration"
        );
        assert_eq!(finding_place(FieldPath::Reference(1)), "Reference 2");
        assert_eq!(finding_place(FieldPath::Duration), "Total");
        assert_eq!(finding_place(FieldPath::Model), "Model");
        assert_eq!(finding_place(FieldPath::MultiShot), "Multi shot");
        let f = Finding::warning(FieldPath::Duration, "7 s is odd")
            .for_provider(shotdeck_core::Provider::Gateway);
        assert_eq!(finding_text(&f), "Total: 7 s is odd [gateway only]");
    }

    #[test]
    fn formatting_helpers() {
        assert_eq!(clock(42_500), "0:42");
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(bar(15.0, 15.0, 5), "█████");
        assert_eq!(bar(4.0, 15.0, 5), "█▍");
        assert_eq!(bar(0.0, 15.0, 5), "");
        assert_eq!(bar(99.0, 15.0, 3), "███");
        assert_eq!(wrap("a bb ccc dddd", 6, 3), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("a bb ccc dddd", 6, 2), ["a bb", "ccc…"]);
        assert_eq!(wrap("abcdefghij k", 4, 2), ["abcd", "efg…"]);
        assert_eq!(
            wrap("wet, neon-lit street", 5, 3),
            ["wet,", "neon-", "lit…"]
        );
        assert_eq!(wrap("", 6, 2), Vec::<String>::new());
        assert_eq!(more_marker(0, 0), None);
        assert_eq!(more_marker(0, 1).unwrap(), "↓ 1 more line");
        assert_eq!(more_marker(2, 0).unwrap(), "↑ 2 lines above");
        assert_eq!(more_marker(2, 3).unwrap(), "↑ 2 above · ↓ 3 more lines");
        assert_eq!(more_marker_compact(0, 0), None);
        assert_eq!(more_marker_compact(0, 3).unwrap(), "↓3");
        assert_eq!(more_marker_compact(2, 3).unwrap(), "↑2 ↓3");
        assert_eq!(more_marker_in(0, 19, 18, " ").unwrap(), " ↓ 19 more lines ");
        assert_eq!(more_marker_in(0, 19, 12, " ").unwrap(), " ↓19 ");
        assert_eq!(more_marker_in(0, 19, 3, " "), None);
        assert_eq!(wrap_hanging("aa bb cc dd", 2, 5, 2), ["aa", "bb c…"]);
    }
}
