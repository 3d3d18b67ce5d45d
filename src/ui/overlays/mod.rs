//! What overlays (help, palette, confirmations) share: keys routed through their own keymap
//! context, and the geometry they are drawn in, last, over the panes.

pub mod confirm;
pub mod details;
pub mod help;
pub mod paid;
pub mod palette;
pub mod scroll;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::ui::keymap::Context;
use crate::ui::keymap::keys::KeyChord;
use crate::ui::overlays::confirm::ConfirmFlow;
use crate::ui::overlays::details::DetailsFlow;
use crate::ui::overlays::help::HelpFlow;
use crate::ui::overlays::palette::PaletteFlow;
use crate::ui::panes::PaneId;
use crate::ui::state::app::{App, Overlay};

impl Overlay {
    /// The keymap context that takes the keys while this overlay is open.
    pub fn context(&self) -> Context {
        match self {
            Overlay::Help(h) if h.typing => Context::Filter,
            Overlay::Help(_) => Context::Help,
            Overlay::Palette(_) => Context::Palette,
            Overlay::Confirm(c) => c.context(),
            Overlay::JobDetails(_) => Context::JobDetails,
        }
    }
}

impl App {
    /// A key while an overlay is open: its own context's action, else (in the palette) text.
    pub(in crate::ui) fn overlay_key(&mut self, key: KeyEvent) {
        let Some(overlay) = self.overlay.as_mut() else {
            return;
        };
        let action = KeyChord::from_event(&key)
            .and_then(|chord| self.keymap.resolve(overlay.context(), &chord))
            .map(|(_, action)| action);
        match overlay {
            Overlay::Help(h) => match action {
                None if h.typing => h.type_key(key),
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
                    PaletteFlow::Run(context, action) => {
                        self.overlay = None;
                        if let Some(pane) = PaneId::of_context(context) {
                            self.set_focus(pane);
                        }
                        self.dispatch(action);
                    }
                }
            }
            Overlay::JobDetails(d) => match action.map_or(DetailsFlow::Stay, |a| d.handle(a)) {
                DetailsFlow::Close => self.overlay = None,
                DetailsFlow::Stay => {}
                DetailsFlow::Open => self.open_details_video(),
            },
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
        }
    }
}

/// A centred rect of at most `w`×`h` cells inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
