//! What overlays (help, palette, confirmations) share: keys routed through their own keymap
//! context, and the geometry they are drawn in, last, over the panes.

pub(crate) mod compare;
mod compare_lines;
pub(crate) mod confirm;
pub(crate) mod details;
pub(crate) mod file_question;
pub(crate) mod help;
pub(crate) mod image_picker;
pub(crate) mod messages;
pub(crate) mod paid;
pub(crate) mod palette;
pub(crate) mod scroll;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::keymap::keys::KeyChord;
use crate::overlays::confirm::ConfirmFlow;
use crate::overlays::details::DetailsFlow;
use crate::overlays::file_question::FileAnswer;
use crate::overlays::help::HelpFlow;
use crate::overlays::image_picker::PickerFlow;
use crate::overlays::messages::MessagesFlow;
use crate::overlays::palette::PaletteFlow;
use crate::panes::PaneId;
use crate::state::app::{App, Overlay};
use crate::theme::Styles;

impl Overlay {
    /// The keymap context that takes the keys while this overlay is open.
    pub fn context(&self) -> Context {
        match self {
            Overlay::Help(h) if h.filter.typing => Context::Filter,
            Overlay::Help(_) => Context::Help,
            Overlay::Palette(_) => Context::Palette,
            Overlay::Confirm(c) => c.context(),
            Overlay::File(q) => q.context(),
            Overlay::JobDetails(_) => Context::JobDetails,
            Overlay::ImagePicker(_) => Context::ImagePicker,
            Overlay::Messages(_) => Context::Messages,
            Overlay::TakeCompare(_) => Context::TakeCompare,
        }
    }
}

impl App {
    /// A key while an overlay is open: its own context's action, else (in the palette) text.
    pub(crate) fn overlay_key(&mut self, key: KeyEvent) {
        let Some(overlay) = self.overlay.as_mut() else {
            return;
        };
        let action = KeyChord::from_event(&key)
            .and_then(|chord| self.keymap.resolve(overlay.context(), &chord))
            .map(|(_, action)| action);
        match overlay {
            Overlay::Help(h) => match action {
                None if h.filter.typing => h.type_key(key),
                None => {}
                Some(a) => {
                    if let HelpFlow::Close = h.handle(a) {
                        self.overlay = None;
                    }
                }
            },
            Overlay::Palette(p) => {
                let Some(action) = action else {
                    return p.type_key(key, &self.palette_entries);
                };
                match p.handle(action, &self.palette_entries) {
                    PaletteFlow::Close => self.overlay = None,
                    PaletteFlow::Stay => {}
                    PaletteFlow::Vim(cmd) => {
                        self.overlay = None;
                        self.run_vim(cmd);
                    }
                    PaletteFlow::Run(context, action) => {
                        self.overlay = None;
                        if let Some(pane) = PaneId::of_context(context) {
                            self.set_focus(pane);
                        }
                        self.dispatch(action);
                    }
                }
            }
            Overlay::ImagePicker(p) => match action.map(|a| p.handle(a)) {
                None => p.type_key(key),
                Some(PickerFlow::Stay) => {}
                Some(PickerFlow::Close) => self.overlay = None,
                Some(PickerFlow::Pick(field, path)) => {
                    self.overlay = None;
                    self.picked_image(field, path);
                }
            },
            Overlay::JobDetails(d) => match action.map_or(DetailsFlow::Stay, |a| d.handle(a)) {
                DetailsFlow::Close => self.overlay = None,
                DetailsFlow::Stay => {}
                DetailsFlow::Open => self.open_details_video(),
            },
            Overlay::Messages(m) => {
                if let Some(MessagesFlow::Close) = action.map(|a| m.handle(a)) {
                    self.overlay = None;
                }
            }
            Overlay::TakeCompare(c) => {
                if action == Some(Action::Close) {
                    self.overlay = None;
                } else if let Some(a) = action {
                    c.scroll.handle(a);
                }
            }
            Overlay::Confirm(c) => match action.map_or(ConfirmFlow::Stay, |a| c.handle(a)) {
                ConfirmFlow::Yes => {
                    // Taken out first: the overlay is gone before anything is sent, so a
                    // second confirm key has nothing left to confirm.
                    if let Some(Overlay::Confirm(c)) = self.overlay.take() {
                        self.confirmed(c);
                    }
                }
                ConfirmFlow::No => self.overlay = None,
                ConfirmFlow::Stay => {}
            },
            Overlay::File(q) => match action.map_or(FileAnswer::Stay, |a| q.handle(a)) {
                FileAnswer::Stay if action.is_none() => q.type_key(key),
                FileAnswer::Stay => {}
                answer => {
                    let q = q.clone();
                    self.overlay = None;
                    self.answered(q, answer);
                }
            },
        }
    }
}

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
    let inner = crate::panes::pad_x(inner);
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
