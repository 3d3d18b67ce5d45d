//! The overlays (help, palette, confirmations, questions, records): each is a [`layer::Layer`]
//! with its own keys (its keymap context) and drawing; here is the geometry they share,
//! drawn last, over the panes. No overlay sees the app.

pub(crate) mod compare;
mod compare_lines;
pub(crate) mod confirm;
pub(crate) mod copy_menu;
pub(crate) mod details;
pub(crate) mod element_picker;
pub(crate) mod file_question;
pub(crate) mod help;
pub(crate) mod image_picker;
pub(crate) mod layer;
pub(crate) mod messages;
pub(crate) mod paid;
pub(crate) mod palette;
pub(crate) mod scroll;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::theme::Styles;

/// How a question is framed: its title, border colour, the keys along the bottom border,
/// the width it asks for and the rows it leaves free under the text.
pub(crate) struct DialogFrame<'a> {
    pub title: &'a str,
    pub border: Style,
    pub footer: String,
    pub min_width: u16,
    pub spare_rows: u16,
}

/// Draws a centred dialog: a blank line, then `lines` wrapped, over cleared cells.
pub(crate) fn dialog(f: &mut Frame, area: Rect, frame: DialogFrame, lines: Vec<Line>, s: &Styles) {
    let mut lines = lines;
    lines.insert(0, Line::default());
    let w = frame.min_width.max(area.width / 2).min(area.width);
    // Rows as the paragraph wraps them: a long reason must not be cut off.
    let inner_w = usize::from(w.saturating_sub(4)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            crate::labels::wrap(&text, inner_w, usize::MAX).len().max(1)
        })
        .sum();
    let h = (rows as u16 + frame.spare_rows).min(area.height);
    let r = centered(area, w, h);
    let inner = framed(f, r, frame.title, &frame.footer, frame.border, s);
    let inner = crate::widgets::pad_x(inner);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Clears `r` and draws an overlay's rounded box over it: `title` on the top border, the
/// keys (`footer`) at the right of the bottom one. Returns the cells inside the border.
pub(crate) fn framed(
    f: &mut Frame,
    r: Rect,
    title: &str,
    footer: &str,
    border: Style,
    s: &Styles,
) -> Rect {
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(border)
        .title(Span::styled(title, s.title_focused))
        .title_bottom(Line::styled(footer, s.muted).right_aligned())
        .style(s.base);
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

/// A centred rect of at most `w`×`h` cells inside `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The first row of a filtering overlay (`prefix` then the query, with the cursor after
/// it); returns the rows below it, for the list.
pub(crate) fn query_row(f: &mut Frame, inner: Rect, prefix: &str, query: &str, s: &Styles) -> Rect {
    let prompt = Line::from(vec![
        Span::styled(prefix.to_string(), s.key),
        Span::styled(query.to_string(), s.text),
    ]);
    f.render_widget(prompt, Rect { height: 1, ..inner });
    let typed = unicode_width::UnicodeWidthStr::width(format!("{prefix}{query}").as_str());
    f.set_cursor_position(ratatui::layout::Position::new(
        (inner.x + typed as u16).min(inner.right() - 1),
        inner.y,
    ));
    Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    }
}

/// The indexes of `texts` that match `query` (any case), best first; equal scores keep
/// their order. The pickers filter with it, ranked as the palette ranks.
pub(crate) fn ranked(texts: impl IntoIterator<Item = String>, query: &str) -> Vec<usize> {
    let q = query.to_lowercase();
    let mut scored: Vec<(i64, usize)> = texts
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| palette::score(&t.to_lowercase(), &q).map(|s| (s, i)))
        .collect();
    // Stable: equal scores stay in their order.
    scored.sort_by_key(|(s, _)| -s);
    scored.into_iter().map(|(_, i)| i).collect()
}
