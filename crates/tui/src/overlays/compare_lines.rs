//! The comparison's text: each entry either as two columns (take A | take B) or, when
//! narrow, stacked (A's lines, then B's). Change marks lead every entry (`~` changed, `+`
//! only in B, `-` only in A) so a difference reads without colour; changed words are
//! highlighted as well.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::compare::SIDE_BY_SIDE_MIN;
use crate::labels::{file_size, fit};
use crate::theme::Styles;
use shotdeck_core::compare::{Change, Comparison, PromptDiff, SettingRow, TakeFacts, Word};

/// Setting names' column.
const NAME_W: usize = 15;
const GUTTER: &str = " │ ";

pub(super) fn lines(
    takes: &[TakeFacts; 2],
    diff: &Comparison,
    width: usize,
    s: &Styles,
) -> Vec<Line<'static>> {
    let side_by_side = width >= SIDE_BY_SIDE_MIN;
    let column = width.saturating_sub(GUTTER.len()) / 2;
    let mut out = Vec::new();
    let heads = takes
        .clone()
        .map(|t| format!("Take {} · job #{}", t.take, t.id));
    if side_by_side {
        out.push(two_columns(
            vec![Span::styled(format!("A  {}", heads[0]), s.accent)],
            vec![Span::styled(format!("B  {}", heads[1]), s.accent)],
            column,
            s,
        ));
    } else {
        out.push(Line::styled(format!("A  {}", heads[0]), s.accent));
        out.push(Line::styled(format!("B  {}", heads[1]), s.accent));
    }
    let changed = diff
        .prompts
        .iter()
        .filter(|p| p.change != Change::Same)
        .count();
    section(&mut out, &format!("Prompts · {changed} changed"), s);
    for prompt in &diff.prompts {
        if side_by_side {
            prompt_side_by_side(&mut out, prompt, column, s);
        } else {
            prompt_stacked(&mut out, prompt, width, s);
        }
    }
    let changed = diff.settings.iter().filter(|r| r.differs()).count();
    section(&mut out, &format!("Settings · {changed} changed"), s);
    for row in &diff.settings {
        setting(&mut out, row, side_by_side, column, width, s);
    }
    section(&mut out, "Cost, duration and files", s);
    for row in outcome(takes) {
        setting(&mut out, &row, side_by_side, column, width, s);
    }
    out
}

fn section(out: &mut Vec<Line<'static>>, title: &str, s: &Styles) {
    out.push(Line::default());
    out.push(Line::styled(title.to_string(), s.accent));
}

fn mark(change: Change) -> &'static str {
    match change {
        Change::Same => "  ",
        Change::Changed => "~ ",
        Change::Added => "+ ",
        Change::Removed => "- ",
    }
}

fn prompt_side_by_side(out: &mut Vec<Line<'static>>, p: &PromptDiff, column: usize, s: &Styles) {
    let head = |h: &Option<String>| {
        let text = h.clone().unwrap_or_else(|| "—".into());
        vec![Span::styled(format!("{}{text}", mark(p.change)), s.text)]
    };
    out.push(two_columns(head(&p.a_head), head(&p.b_head), column, s));
    let left = wrap_words(&p.a, column.saturating_sub(2), changed_style(s, false), s);
    let right = wrap_words(&p.b, column.saturating_sub(2), changed_style(s, true), s);
    for i in 0..left.len().max(right.len()) {
        let indent = |mut spans: Vec<Span<'static>>| {
            spans.insert(0, Span::raw("  "));
            spans
        };
        out.push(two_columns(
            indent(left.get(i).cloned().unwrap_or_default()),
            indent(right.get(i).cloned().unwrap_or_default()),
            column,
            s,
        ));
    }
}

fn prompt_stacked(out: &mut Vec<Line<'static>>, p: &PromptDiff, width: usize, s: &Styles) {
    let heads: Vec<&str> = [&p.a_head, &p.b_head]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let head = match (p.change, heads.as_slice()) {
        (Change::Same, [a, ..]) => a.to_string(),
        (_, [a, b]) if a == b => a.to_string(),
        (_, [a, b]) => format!("{a} → {b}"),
        (Change::Added, [b]) => format!("{b} (only in B)"),
        (_, [a]) => format!("{a} (only in A)"),
        _ => String::new(),
    };
    out.push(Line::styled(format!("{}{head}", mark(p.change)), s.text));
    let room = width.saturating_sub(4);
    let sides: Vec<(&str, &[Word], Style)> = match p.change {
        Change::Same => vec![("  ", &p.a, s.text)],
        _ => vec![
            ("A ", &p.a, changed_style(s, false)),
            ("B ", &p.b, changed_style(s, true)),
        ],
    };
    for (label, words, changed) in sides {
        if words.is_empty() {
            continue;
        }
        for (i, spans) in wrap_words(words, room, changed, s).into_iter().enumerate() {
            let lead = if i == 0 { label } else { "  " };
            let mut line = vec![Span::styled(format!("  {lead}"), s.muted)];
            line.extend(spans);
            out.push(Line::from(line));
        }
    }
}

fn changed_style(s: &Styles, newer: bool) -> Style {
    let base = if newer { s.ok } else { s.warn };
    base.add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// Fills lines of `width` cells with words (a word wider than a line is cut to fit),
/// changed words in `changed`.
fn wrap_words(words: &[Word], width: usize, changed: Style, s: &Styles) -> Vec<Vec<Span<'static>>> {
    let width = width.max(8);
    let mut out: Vec<Vec<Span<'static>>> = Vec::new();
    let mut used = width;
    for w in words {
        let text = fit(&w.text, width);
        let need = text.width() + usize::from(used > 0);
        if used + need > width {
            out.push(Vec::new());
            used = 0;
        }
        let line = out.last_mut().expect("a line was started");
        if used > 0 {
            line.push(Span::raw(" "));
            used += 1;
        }
        used += text.width();
        line.push(Span::styled(text, if w.changed { changed } else { s.text }));
    }
    out
}

/// One setting: `~ Name  a │ b` side by side, `~ Name  a → b` stacked (once when equal).
fn setting(
    out: &mut Vec<Line<'static>>,
    row: &SettingRow,
    side_by_side: bool,
    column: usize,
    width: usize,
    s: &Styles,
) {
    let (m, style) = if row.differs() {
        ("~ ", s.warn)
    } else {
        ("  ", s.muted)
    };
    let name = format!("{m}{:<NAME_W$}", fit(&row.name, NAME_W - 1));
    let room = column.saturating_sub(name.width());
    if side_by_side {
        out.push(two_columns(
            vec![
                Span::styled(name.clone(), style),
                Span::styled(fit(&row.a, room), s.text),
            ],
            vec![
                Span::styled(name, style),
                Span::styled(fit(&row.b, room), s.text),
            ],
            column,
            s,
        ));
        return;
    }
    let room = width.saturating_sub(name.width());
    let both = format!("{} → {}", row.a, row.b);
    let values = match row.differs() {
        false => vec![row.a.clone()],
        true if both.width() <= room => vec![both],
        // Too long for one line (image names and hashes): A's value, then B's under it.
        true => vec![format!("A {}", row.a), format!("B {}", row.b)],
    };
    for (i, value) in values.into_iter().enumerate() {
        let lead = if i == 0 {
            name.clone()
        } else {
            " ".repeat(name.width())
        };
        out.push(Line::from(vec![
            Span::styled(lead, style),
            Span::styled(fit(&value, room), s.text),
        ]));
    }
}

/// `left` padded to `column` cells, the gutter, then `right`.
fn two_columns(
    mut left: Vec<Span<'static>>,
    right: Vec<Span<'static>>,
    column: usize,
    s: &Styles,
) -> Line<'static> {
    let used: usize = left.iter().map(|x| x.width()).sum();
    left.push(Span::raw(" ".repeat(column.saturating_sub(used))));
    left.push(Span::styled(GUTTER, s.muted));
    left.extend(right);
    Line::from(left)
}

/// Cost, measured duration and files as rows like the settings'.
fn outcome(takes: &[TakeFacts; 2]) -> Vec<SettingRow> {
    let row = |name: &str, f: &dyn Fn(&TakeFacts) -> String| SettingRow {
        name: name.to_string(),
        a: f(&takes[0]),
        b: f(&takes[1]),
    };
    let usd = |v: Option<f64>| v.map_or("unknown".to_string(), |u| format!("${u:.2}"));
    let mut rows = vec![
        row("Estimated", &|t| usd(t.estimated_usd)),
        row("Charged", &|t| match (&t.units_charged, t.charged_usd) {
            (Some(units), Some(u)) => format!("{units} units (${u:.2})"),
            (Some(units), None) => format!("{units} units"),
            (None, _) => "nothing reported".into(),
        }),
        row("Measured", &|t| {
            let lengths: Vec<String> = t
                .files
                .iter()
                .filter_map(|f| f.media_seconds)
                .map(|secs| format!("{secs:.1} s"))
                .collect();
            match lengths.is_empty() {
                true => format!("not downloaded (asked {} s)", t.board.total_duration()),
                false => format!(
                    "{} (asked {} s)",
                    lengths.join(", "),
                    t.board.total_duration()
                ),
            }
        }),
    ];
    let files = takes[0].files.len().max(takes[1].files.len());
    for i in 0..files {
        rows.push(row(&format!("File {}", i + 1), &|t| match t.files.get(i) {
            None => "—".into(),
            Some(f) => {
                let name = f.path.file_name().unwrap_or_default().to_string_lossy();
                let size = f.bytes.map_or("missing".to_string(), file_size);
                format!("{name} · {size}")
            }
        }));
    }
    rows
}
