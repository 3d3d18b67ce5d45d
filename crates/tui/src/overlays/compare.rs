//! Two takes side by side (`v` then `c` in the job queue): prompt differences shot by shot,
//! settings, cost, measured duration and files. The engine gathers the takes
//! (`JobCmd::Compare`); the differences come from `core::compare`; this only draws them.
//! Narrower than [`SIDE_BY_SIDE_MIN`] columns the takes stack: A above B.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::overlays::compare_lines::lines;
use crate::overlays::layer::{Layer, Outcome, Seen};
use crate::overlays::scroll::Scroll;
use crate::overlays::{centered, framed};
use crate::theme::Styles;
use shotdeck_core::compare::{Comparison, TakeFacts};
use shotdeck_core::jobs::JobId;

/// From this many columns inside the box the takes sit side by side; two columns of
/// prompt text narrower than ~45 cells each read worse than one above the other.
pub(crate) const SIDE_BY_SIDE_MIN: usize = 96;

#[derive(Debug)]
pub(crate) struct TakeCompare {
    /// The older job first: it is take A, on the left (or on top).
    pub ids: [JobId; 2],
    /// The takes and their differences, once the engine has sent them.
    pub compared: Option<(Box<[TakeFacts; 2]>, Comparison)>,
    pub scroll: Scroll,
}

impl TakeCompare {
    pub(crate) fn new(a: JobId, b: JobId) -> TakeCompare {
        TakeCompare {
            ids: [a.min(b), a.max(b)],
            compared: None,
            scroll: Scroll::default(),
        }
    }

    pub(crate) fn render(&self, f: &mut Frame, area: Rect, keymap: &Keymap, s: &Styles) {
        // The whole width: two takes of prompt text need every column.
        let box_area = centered(area, area.width, area.height.saturating_sub(2));
        let title = match &self.compared {
            Some((takes, _)) => format!(" Take {} ⇄ Take {} ", takes[0].take, takes[1].take),
            None => format!(" Job #{} ⇄ job #{} ", self.ids[0], self.ids[1]),
        };
        let inner = framed(f, box_area, &title, &footer(keymap), s.border_focused, s);
        let inner = crate::widgets::pad_x(inner);
        let all = match &self.compared {
            Some((takes, diff)) => lines(takes, diff, inner.width as usize, s),
            None => vec![Line::styled("reading both takes…", s.muted)],
        };
        self.scroll.render_marking_more(f, inner, all, s.accent);
    }
}

fn footer(keymap: &Keymap) -> String {
    let key = |a| keymap.key_for(Context::TakeCompare, a);
    format!(
        " {}/{} scroll · {} close ",
        key(Action::SelectNext),
        key(Action::SelectPrev),
        key(Action::Close)
    )
}

impl Layer for TakeCompare {
    fn name(&self) -> &'static str {
        "take_compare"
    }
    fn context(&self) -> Context {
        Context::TakeCompare
    }
    fn key(&mut self, _: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        match action {
            Some(Action::Close) => return Outcome::Close,
            Some(a) => {
                self.scroll.handle(a);
            }
            None => {}
        }
        Outcome::Consumed
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        TakeCompare::render(self, f, area, seen.keymap, seen.styles);
    }
}
