//! The selected image row's preview under the settings list: the picture on the left and
//! what the file is on the right (format, pixels, size), or one line on why there is none.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::labels::{fit, megabytes};
use crate::panes::previews::{PreviewState, Previews};
use crate::theme::Styles;
use shotdeck_files::preview::Preview;

/// Rows a preview takes in an unzoomed pane; a zoomed one gives it whatever is free.
pub const PREVIEW_ROWS: u16 = 8;
/// Below this many rows the picture is left out and only the facts are shown.
const MIN_PICTURE_ROWS: u16 = 3;

/// The rows the preview wants out of `free` (0 when there is nothing to show).
pub fn rows_wanted(previews: &Previews, free: u16, zoomed: bool) -> u16 {
    match previews.state() {
        None => 0,
        Some(PreviewState::Ready(_)) if previews.draws_pictures() => {
            let cap = if zoomed { free } else { PREVIEW_ROWS };
            free.min(cap)
        }
        Some(_) => free.min(1),
    }
}

/// How the settings pane shares its rows between the list, the preview (after a blank
/// row) and the selected row's explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub list: usize,
    pub picture: u16,
    pub explain: usize,
}

/// The list takes what it needs and the rest goes to the preview and the explanation;
/// when that leaves too little for a picture, the list scrolls to make room for one.
pub fn split(previews: &Previews, height: usize, fields: usize, zoomed: bool) -> Split {
    let want = rows_wanted(previews, height as u16, zoomed);
    let detail = height.saturating_sub(fields + 1);
    if detail >= 3 {
        let picture = rows_wanted(previews, detail as u16 - 1, zoomed);
        if want <= 1 || picture >= MIN_PICTURE_ROWS {
            return Split {
                list: fields,
                picture,
                explain: detail - picture as usize,
            };
        }
    }
    let picture = rows_wanted(previews, (height / 2).saturating_sub(1) as u16, zoomed);
    Split {
        list: height.saturating_sub(picture as usize + usize::from(picture > 0)),
        picture,
        explain: 0,
    }
}

/// Draws the preview (or its one-line reason) into `area`.
pub fn render(f: &mut Frame, area: Rect, previews: &Previews, s: &Styles) {
    let Some(state) = previews.state() else {
        return;
    };
    let w = area.width as usize;
    match state {
        PreviewState::Loading => f.render_widget(
            Paragraph::new(Line::styled(fit("loading preview…", w), s.muted)),
            area,
        ),
        PreviewState::Note(text) => {
            f.render_widget(Paragraph::new(Line::styled(fit(text, w), s.muted)), area)
        }
        PreviewState::Failed(why) => f.render_widget(
            Paragraph::new(Line::styled(fit(&why.to_string(), w), s.error)),
            area,
        ),
        PreviewState::Ready(p) => ready(f, area, previews, p, s),
    }
}

fn facts(p: &Preview) -> [String; 3] {
    [
        p.format.clone(),
        format!("{}×{}", p.width, p.height),
        megabytes(p.bytes),
    ]
}

/// Columns the picture fills at `rows` rows without bars at its sides.
fn natural_width(p: &Preview, rows: u16) -> u16 {
    let cols = u32::from(rows) * 2 * p.image.width() / p.image.height().max(1);
    cols.min(u32::from(u16::MAX)) as u16
}

fn ready(f: &mut Frame, area: Rect, previews: &Previews, p: &Preview, s: &Styles) {
    let facts = facts(p);
    if area.height < MIN_PICTURE_ROWS {
        let line = fit(&facts.join(" "), area.width as usize);
        f.render_widget(Paragraph::new(Line::styled(line, s.muted)), area);
        return;
    }
    let facts_w = facts.iter().map(|t| t.chars().count()).max().unwrap_or(0) as u16 + 1;
    let picture_w = area.width.saturating_sub(facts_w).max(1);
    // A cell is about twice as tall as wide: a picture wider than twice its rows is empty
    // space to its right, which is better given to the facts.
    let picture = Rect::new(
        area.x,
        area.y,
        picture_w.min(natural_width(p, area.height)),
        area.height,
    );
    let picture = Rect {
        width: picture.width.max(1),
        ..picture
    };
    previews.draw(p, picture, f.buffer_mut());
    let text_x = picture.right() + 1;
    if text_x < area.right() {
        let text_area = Rect::new(text_x, area.y, area.right() - text_x, area.height);
        let lines: Vec<Line> = facts
            .iter()
            .map(|t| Line::styled(fit(t, text_area.width as usize), s.muted))
            .collect();
        f.render_widget(Paragraph::new(lines), text_area);
    }
}
