//! The `:` command palette: every action from the keymap table (and the few that have no
//! key), filtered as you type. Running an entry focuses its pane and dispatches the action.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::labels::fit;
use crate::model::vim::VimCommand;
use crate::overlays::layer::{Layer, Outcome, Reply, Seen};
use crate::overlays::{centered, framed, query_row};
use crate::theme::Styles;
use crate::widgets::hits::RowHits;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub context: Context,
    pub action: Action,
    pub keys: String,
    pub desc: String,
    /// Lower-case text the filter searches.
    haystack: String,
}

/// One entry per (context, action) in the table, plus every action the table leaves unbound.
pub(crate) fn entries(keymap: &Keymap) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut push = |context: Context, action: Action, keys: String, desc: String| {
        let haystack = format!(
            "{desc} {} {}",
            action.name().replace('_', " "),
            context.title()
        )
        .to_lowercase();
        out.push(Entry {
            context,
            action,
            keys,
            desc,
            haystack,
        });
    };
    // Overlay keys act on their overlay; the palette offers what panes and global keys do.
    let offered = || {
        Context::ALL
            .into_iter()
            .filter(|c| *c == Context::Global || c.is_pane())
    };
    for c in offered() {
        for b in keymap.bindings(c) {
            push(c, b.action, b.keys_label(), b.desc.clone());
        }
    }
    for &a in Action::ALL.iter().filter(|a| !a.overlay_only()) {
        let bound = offered().any(|c| keymap.bindings(c).iter().any(|b| b.action == a));
        if !bound {
            push(
                keymap.home_of(a),
                a,
                String::new(),
                a.description().to_string(),
            );
        }
    }
    out
}

/// How well `query` matches: a substring at the start of a word beats one inside a word,
/// which beats a scattered subsequence; `None` = no match.
pub(crate) fn score(haystack: &str, query: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    let word_start = |at: usize| at == 0 || haystack[..at].ends_with([' ', '(', '/', '-']);
    if let Some((at, _)) = haystack
        .match_indices(query)
        .find(|(at, _)| word_start(*at))
    {
        return Some(2000 - at as i64);
    }
    if let Some(at) = haystack.find(query) {
        return Some(1000 - at as i64);
    }
    let mut chars = haystack.char_indices();
    let (mut first, mut last) = (None, 0);
    for q in query.chars() {
        let (i, _) = chars.find(|(_, c)| *c == q)?;
        first.get_or_insert(i);
        last = i;
    }
    let span = last - first.unwrap_or(0);
    // Letters scattered across the whole line are noise, not a match.
    (span <= query.len() * 3).then_some(500 - span as i64)
}

#[derive(Debug, Clone)]
pub(crate) struct Palette {
    pub query: String,
    pub selected: usize,
    /// The user moved the selection (keys or a click). Until then, with nothing typed,
    /// no entry is chosen: `:` then Enter must not run the first one (quit).
    chosen: bool,
    matches: Vec<usize>,
    /// Where the rows were drawn, for a click.
    pub hits: RowHits,
}

pub(crate) enum PaletteFlow {
    Close,
    Stay,
    Run(Context, Action),
    /// `:w`, `:q`, `:wq`, `:q!` typed whole.
    Vim(VimCommand),
}

impl Palette {
    pub(crate) fn new(all: &[Entry]) -> Palette {
        let mut p = Palette {
            query: String::new(),
            selected: 0,
            chosen: false,
            matches: vec![],
            hits: RowHits::default(),
        };
        p.refilter(all);
        p
    }

    fn refilter(&mut self, all: &[Entry]) {
        let q = self.query.to_lowercase();
        let mut scored: Vec<(i64, usize)> = all
            .iter()
            .enumerate()
            .filter_map(|(i, e)| score(&e.haystack, &q).map(|s| (s, i)))
            .collect();
        // Stable: equal scores keep table order.
        scored.sort_by_key(|(s, _)| -s);
        self.matches = scored.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
        self.chosen = false;
    }

    /// Whether Enter would run the selected entry: something typed, or a row chosen.
    fn has_choice(&self) -> bool {
        self.chosen || !self.query.trim().is_empty()
    }

    /// A click on row `i` of the matches.
    pub(crate) fn choose(&mut self, i: usize) {
        self.selected = i;
        self.chosen = true;
    }

    #[cfg(test)]
    pub(crate) fn matches<'a>(&self, all: &'a [Entry]) -> impl Iterator<Item = &'a Entry> {
        self.matches.iter().map(|i| &all[*i])
    }

    /// An action from the `[palette]` keymap.
    pub(crate) fn handle(&mut self, action: Action, all: &[Entry]) -> PaletteFlow {
        let last = self.matches.len().saturating_sub(1);
        match action {
            Action::Close => return PaletteFlow::Close,
            // `:` then Enter runs nothing: the first entry (quit) was never chosen.
            Action::RunCommand if !self.has_choice() => return PaletteFlow::Stay,
            Action::RunCommand => {
                if let Some(cmd) = VimCommand::parse(&self.query) {
                    return PaletteFlow::Vim(cmd);
                }
                return match self.matches.get(self.selected) {
                    Some(&i) => PaletteFlow::Run(all[i].context, all[i].action),
                    None => PaletteFlow::Stay,
                };
            }
            // The first key down chooses the first row; the next ones move.
            Action::SelectNext if !self.has_choice() => self.chosen = true,
            Action::SelectNext => self.selected = (self.selected + 1).min(last),
            Action::SelectPrev => {
                self.selected = self.selected.saturating_sub(1);
                self.chosen = true;
            }
            _ => {}
        }
        PaletteFlow::Stay
    }

    /// A key the `[palette]` keymap leaves to the query: characters type, Backspace erases.
    pub(crate) fn type_key(&mut self, key: KeyEvent, all: &[Entry]) {
        match key.code {
            KeyCode::Backspace => {
                self.query.pop();
                self.refilter(all);
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.query.push(c);
                self.refilter(all);
            }
            _ => {}
        }
    }

    pub(crate) fn paste(&mut self, text: &str, all: &[Entry]) {
        self.query.push_str(&text.replace(['\n', '\r'], " "));
        self.refilter(all);
    }

    pub(crate) fn render(
        &self,
        f: &mut Frame,
        area: Rect,
        all: &[Entry],
        keymap: &Keymap,
        s: &Styles,
    ) {
        let h = (self.matches.len() as u16 + 3).clamp(6, area.height.saturating_sub(4).max(6));
        let r = centered(area, 72.max(area.width / 2), h);
        let r = Rect {
            y: area.y + (area.height / 6).min(area.height - r.height),
            ..r
        };
        let inner = framed(f, r, " Commands ", &footer(keymap), s.border_focused, s);
        if inner.height == 0 {
            return;
        }
        let width = inner.width as usize;
        let list = query_row(f, inner, ": ", &self.query, s);
        let rows = list.height as usize;
        let key_w = 16.min(width / 4);
        let ctx_w = 16.min(width / 5);
        let window = self.hits.window(self.matches.len(), self.selected, rows);
        self.hits.record(list, window.start, window.len(), 1);
        let lines: Vec<Line> = window
            .map(|k| {
                let e = &all[self.matches[k]];
                let style = if k == self.selected && self.has_choice() {
                    s.selection
                } else {
                    s.text
                };
                Line::from(vec![
                    Span::styled(format!(" {:<key_w$}", fit(&e.keys, key_w)), s.key),
                    Span::raw(format!(
                        " {:<w$}",
                        fit(&e.desc, width.saturating_sub(key_w + ctx_w + 3)),
                        w = width.saturating_sub(key_w + ctx_w + 3)
                    )),
                    Span::styled(
                        format!(" {:>ctx_w$}", fit(e.context.title(), ctx_w)),
                        s.muted,
                    ),
                ])
                .style(style)
            })
            .collect();
        if lines.is_empty() {
            f.render_widget(Line::styled(" no matching command", s.muted), list);
        } else {
            f.render_widget(Paragraph::new(lines), list);
        }
    }
}

fn footer(keymap: &Keymap) -> String {
    let key = |a| keymap.key_for(Context::Palette, a);
    format!(
        " {}/{} choose · {} run · {} close ",
        key(Action::SelectPrev),
        key(Action::SelectNext),
        key(Action::RunCommand),
        key(Action::Close)
    )
}

/// The palette over its entries (the keymap's, taken when it opens).
pub(crate) struct PaletteLayer {
    pub(crate) palette: Palette,
    entries: Vec<Entry>,
}

impl PaletteLayer {
    pub(crate) fn new(entries: Vec<Entry>) -> PaletteLayer {
        PaletteLayer {
            palette: Palette::new(&entries),
            entries,
        }
    }

    fn flow(flow: PaletteFlow) -> Outcome {
        match flow {
            PaletteFlow::Close => Outcome::Close,
            PaletteFlow::Stay => Outcome::Consumed,
            PaletteFlow::Vim(cmd) => Outcome::CloseWith(Reply::Vim(cmd)),
            PaletteFlow::Run(context, action) => Outcome::CloseWith(Reply::Run(context, action)),
        }
    }
}

impl Layer for PaletteLayer {
    fn name(&self) -> &'static str {
        "palette"
    }
    fn context(&self) -> Context {
        Context::Palette
    }
    fn key(&mut self, key: KeyEvent, action: Option<Action>, _: &Seen) -> Outcome {
        let Some(action) = action else {
            self.palette.type_key(key, &self.entries);
            return Outcome::Consumed;
        };
        PaletteLayer::flow(self.palette.handle(action, &self.entries))
    }
    fn paste(&mut self, text: &str) -> Outcome {
        self.palette.paste(text, &self.entries);
        Outcome::Consumed
    }
    /// A click chooses the row under it; the wheel moves the selection.
    fn mouse(&mut self, m: MouseEvent) -> Outcome {
        let action = match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let at = ratatui::layout::Position::new(m.column, m.row);
                return match self.palette.hits.item_at(at) {
                    Some(i) => {
                        self.palette.choose(i);
                        Outcome::Consumed
                    }
                    None => Outcome::Pass,
                };
            }
            MouseEventKind::ScrollDown => Action::SelectNext,
            MouseEventKind::ScrollUp => Action::SelectPrev,
            _ => return Outcome::Pass,
        };
        // The wheel only moves the selection: it never runs or closes anything.
        self.palette.handle(action, &self.entries);
        Outcome::Consumed
    }
    fn render(&self, f: &mut Frame, area: Rect, seen: &Seen) {
        self.palette
            .render(f, area, &self.entries, seen.keymap, seen.styles);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filtering_prefers_substrings_and_keeps_subsequences() {
        let km = Keymap::defaults();
        let all = entries(&km);
        let mut p = Palette::new(&all);
        assert_eq!(p.matches(&all).count(), all.len());
        for c in "split".chars() {
            p.type_key(KeyEvent::from(KeyCode::Char(c)), &all);
        }
        assert_eq!(p.matches(&all).next().unwrap().action, Action::SplitShot);
        p.query = "rtry".into();
        p.refilter(&all);
        assert_eq!(p.matches(&all).next().unwrap().action, Action::RetryJob);
        // A match at a word start ranks above one inside a word.
        p.query = "up".into();
        p.refilter(&all);
        let order: Vec<Action> = p.matches(&all).map(|e| e.action).collect();
        let at = |a| order.iter().position(|x| *x == a).unwrap();
        assert_eq!(order[0], Action::PageUp);
        assert!(at(Action::MoveShotUp) < at(Action::DuplicateShot));
        p.query = "zzzz".into();
        p.refilter(&all);
        assert_eq!(p.matches(&all).count(), 0);
        assert!(matches!(
            p.handle(Action::RunCommand, &all),
            PaletteFlow::Stay
        ));
    }

    #[test]
    fn every_action_is_bound_or_reachable_from_the_palette() {
        let km = Keymap::defaults();
        let bound: Vec<Action> = Context::ALL
            .iter()
            .flat_map(|c| km.bindings(*c).iter().map(|b| b.action))
            .collect();
        let palette = entries(&km);
        for a in Action::ALL {
            let in_palette = palette.iter().any(|e| e.action == *a);
            // Overlay actions act on the overlay they are bound in, never from the palette.
            assert_eq!(in_palette, !a.overlay_only(), "{} in the palette", a.name());
            // Only actions that make no sense as a reflex may be palette-only.
            if !bound.contains(a) {
                assert_eq!(*a, Action::ReprobeImages, "{} has no key", a.name());
            }
        }
    }
}
