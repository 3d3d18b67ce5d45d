//! The screen: header, the six panes, footer hints, then the overlay on top. Layout depends
//! only on the terminal size, so a finding appearing never shifts the panes around.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::App;
use crate::keymap::Context;
use crate::keymap::keys::KeyChord;
use crate::labels::fit;
use crate::model::msg::PaneId;
use crate::panes::View;

/// Below this the panes cannot show anything useful.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub shots: Rect,
    pub prompt: Rect,
    pub settings: Rect,
    pub timeline: Rect,
    pub preview: Rect,
    pub queue: Rect,
    pub footer: Rect,
}

impl Areas {
    pub fn pane(&self, id: PaneId) -> Rect {
        match id {
            PaneId::Shots => self.shots,
            PaneId::Prompt => self.prompt,
            PaneId::Settings => self.settings,
            PaneId::Timeline => self.timeline,
            PaneId::Preview => self.preview,
            PaneId::Queue => self.queue,
        }
    }

    /// With `zoom`, that pane takes everything between header and footer and the others
    /// get no room (so nothing draws there and no click lands there).
    pub fn zoomed(self, zoom: Option<PaneId>) -> Areas {
        let Some(pane) = zoom else { return self };
        let whole = Rect {
            y: self.header.bottom(),
            height: self.footer.y - self.header.bottom(),
            ..self.header
        };
        let mut out = Areas {
            shots: Rect::default(),
            prompt: Rect::default(),
            settings: Rect::default(),
            timeline: Rect::default(),
            preview: Rect::default(),
            queue: Rect::default(),
            ..self
        };
        *match pane {
            PaneId::Shots => &mut out.shots,
            PaneId::Prompt => &mut out.prompt,
            PaneId::Settings => &mut out.settings,
            PaneId::Timeline => &mut out.timeline,
            PaneId::Preview => &mut out.preview,
            PaneId::Queue => &mut out.queue,
        } = whole;
        out
    }
}

/// The pane rects for a terminal of `area`, or `None` when it is too small.
pub fn layout(area: Rect) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let timeline_h = match area.height {
        0..30 => 5,
        30..40 => 7,
        _ => 10,
    };
    let rest = area.height - 2 - timeline_h;
    let top_h = rest * 5 / 9;
    let [header, top, timeline, bottom, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(top_h),
        Constraint::Length(timeline_h),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let side = |max: u16| (area.width * 3 / 10).clamp(22, max);
    // From 80 columns the shot list gets the room for ~20 characters of each prompt when
    // six shots share a line each.
    let shots_w = if area.width >= 80 {
        side(48).max(28)
    } else {
        side(48)
    };
    let [shots, prompt, settings] = Layout::horizontal([
        Constraint::Length(shots_w),
        Constraint::Fill(1),
        Constraint::Length(side(44)),
    ])
    .areas(top);
    let [preview, queue] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    Some(Areas {
        header,
        shots,
        prompt,
        settings,
        timeline,
        preview,
        queue,
        footer,
    })
}

pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    let s = &app.env.styles;
    f.render_widget(ratatui::widgets::Block::default().style(s.base), area);
    let Some(areas) = layout(area).map(|a| a.zoomed(app.zoomed.then_some(app.focus))) else {
        let msg = format!(
            "Terminal too small: {}×{}. shotdeck needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        );
        f.render_widget(
            Paragraph::new(msg).style(s.warn).wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    header(app, f, areas.header);
    for id in PaneId::ALL {
        let v = View {
            doc: &app.model.doc,
            jobs: &app.model.jobs,
            styles: s,
            keymap: &app.env.keymap,
            now_ms: app.now_ms,
            // Overlays take the keys, so no pane shows focus (or the cursor) under one.
            focused: app.focus == id && app.layers.is_empty(),
            zoomed: app.zoomed,
            previews: &app.panes.previews,
            sequence: app.model.doc.sequence(),
        };
        let r = areas.pane(id);
        if r.is_empty() {
            continue;
        }
        match id {
            PaneId::Shots => app.panes.shot_list.render(f, r, &v),
            PaneId::Prompt => app.panes.prompt.render(f, r, &v),
            PaneId::Settings => app.panes.settings.render(f, r, &v),
            PaneId::Timeline => app.panes.timeline.render(f, r, &v),
            PaneId::Preview => app.panes.preview.render(f, r, &v),
            PaneId::Queue => app.panes.queue.render(f, r, &v),
        }
    }
    footer(app, f, areas.footer);
    app.layers.render(f, area, &app.seen());
}

fn header(app: &App, f: &mut Frame, area: Rect) {
    let s = &app.env.styles;
    let file = app
        .model
        .doc
        .path()
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let saved = if app.model.doc.is_unsaved() {
        Span::styled("● unsaved", s.warn)
    } else if !app.model.doc.exists_on_disk() {
        Span::styled("new file", s.muted)
    } else {
        Span::styled("✓ saved", s.muted)
    };
    let spans = vec![
        Span::styled(" shotdeck ", s.title_focused),
        Span::styled(file, s.text),
        Span::styled(format!(" · {} ", app.model.doc.board().title), s.muted),
        saved,
        Span::styled(format!("  provider {}", app.model.doc.provider()), s.muted),
    ];
    // What must never be cut (money and whether it is real) sits on the right and keeps
    // its room at any width; the file and title give way to it.
    let mut right = Vec::new();
    if app.env.simulated {
        right.push(Span::raw(" "));
        right.push(Span::styled(" SIMULATED ", s.badge));
    }
    right.extend(crate::app::file_guard::header_badges(app, s));
    if let Some(usd) = app.model.spend_today {
        let today = shotdeck_core::cost::usd(usd);
        right.push(Span::styled(format!("  today {today} "), s.muted));
    }
    let right = Line::from(right);
    let right_w = (right.width() as u16).min(area.width);
    let left = Rect {
        width: area.width - right_w,
        ..area
    };
    f.render_widget(Line::from(spans), left);
    f.render_widget(right.right_aligned(), area);
}

fn footer(app: &App, f: &mut Frame, area: Rect) {
    let s = &app.env.styles;
    let width = area.width as usize;
    if let Some(t) = &app.model.toast {
        let style = if t.error { s.error } else { s.ok };
        // A message longer than the bar (a video's path, say) is never cut: it wraps onto
        // up to three rows more, over the panes' bottom edge, until the next key.
        let rows = wrap_at_spaces(&t.text, width.saturating_sub(1).max(1), 4);
        let extra = (rows.len().max(1) as u16 - 1).min(area.y);
        let r = Rect {
            y: area.y - extra,
            height: extra + 1,
            ..area
        };
        let lines: Vec<Line> = rows
            .iter()
            .map(|row| Line::styled(fit(&format!(" {row}"), width), style))
            .collect();
        f.render_widget(ratatui::widgets::Clear, r);
        f.render_widget(Paragraph::new(lines).style(s.base), r);
        return;
    }
    // Each hint names a key that runs its action where the keys go: a pane's own key hides
    // a global one, and while typing (the palette too) plain characters are text. Under an
    // overlay the footer keeps the focused pane's hints.
    let here = if app.layers.is_empty() {
        app.context()
    } else {
        app.focus.context()
    };
    let typing = app.is_typing();
    let hints = |c: Context| -> Vec<(String, String)> {
        app.env
            .keymap
            .bindings(c)
            .iter()
            .filter_map(|b| {
                // While typing, a quit key stops typing instead (the Esc hint says how).
                if typing && b.action == crate::keymap::action::Action::Quit {
                    return None;
                }
                let hint = b.hint.clone()?;
                let keys = app.env.keymap.keys_running(here, b.action);
                let text = |k: &KeyChord| c == Context::Global && typing && k.is_text();
                let key = keys.into_iter().find(|k| !text(k))?;
                Some((key.to_string(), hint))
            })
            .collect()
    };
    let spans_of = |list: Vec<(String, String)>, room: usize| {
        let mut spans = Vec::new();
        let mut used = 0;
        for (key, hint) in list {
            let w = key.chars().count() + hint.chars().count() + 3;
            if used + w > room {
                break;
            }
            used += w;
            spans.push(Span::styled(format!(" {key}"), s.key));
            spans.push(Span::styled(format!(" {hint} "), s.muted));
        }
        (spans, used)
    };
    // Global hints (quit, help, commands, submit) keep their place on the right.
    let (global, global_w) = spans_of(hints(Context::Global), width);
    let (local, _) = spans_of(hints(here), width.saturating_sub(global_w));
    f.render_widget(Line::from(local), area);
    f.render_widget(Line::from(global).right_aligned(), area);
}

/// Greedy wrapping at spaces only, so a path or URL stays on one row when it fits one (the
/// panes' wrapping also breaks after hyphens and slashes); a word wider than a row is
/// split. The last of `max_rows` rows ends in `…` when text is left over.
fn wrap_at_spaces(text: &str, width: usize, max_rows: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let sep = usize::from(!row.is_empty());
        if row.width() + sep + word.width() <= width {
            if sep == 1 {
                row.push(' ');
            }
            row.push_str(word);
            continue;
        }
        if !row.is_empty() {
            rows.push(std::mem::take(&mut row));
        }
        for c in word.chars() {
            if row.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > width {
                rows.push(std::mem::take(&mut row));
            }
            row.push(c);
        }
    }
    if !row.is_empty() {
        rows.push(row);
    }
    if rows.len() > max_rows {
        rows.truncate(max_rows);
        if let Some(last) = rows.last_mut() {
            *last = fit(&format!("{last} …"), width);
        }
    }
    rows
}
