//! Undo and redo over whole-board snapshots. Boards are small (a few KB), so a snapshot per
//! step is simpler and safer than inverse operations. A burst of typing into one field is
//! one step: it coalesces until something else happens or the typist pauses.

use std::time::{Duration, Instant};

use shotdeck_core::model::Board;
use shotdeck_core::{FieldPath, Provider};

/// After this long without typing, the next keystroke starts a new undo step.
pub const TYPING_PAUSE: Duration = Duration::from_millis(1000);
const MAX_STEPS: usize = 500;

/// What an edit was, for deciding whether it joins the previous step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditKind {
    /// Typing into a text field, identified by its path (`shots[1].prompt`).
    Typing(FieldPath),
    /// Anything else: always its own step.
    Discrete,
}

/// The state restored by undo: the board, which shot was selected and the provider the
/// preview is composed for (switching it is a step too).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub board: Board,
    pub selected: usize,
    pub provider: Provider,
}

/// One undo step: the state before it and what it did ("delete Shot 3"), for the
/// "undid: …" line.
#[derive(Debug, Clone)]
struct Step {
    state: Snapshot,
    label: String,
}

#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// The field and time of the last keystroke, while a typing burst may continue.
    burst: Option<(FieldPath, Instant)>,
}

impl History {
    /// Call before applying an edit, with the state as it is now and what the edit does.
    pub fn record(&mut self, before: &Snapshot, kind: &EditKind, label: &str, at: Instant) {
        let joins = match (kind, &self.burst) {
            (EditKind::Typing(field), Some((last, t))) => {
                field == last && at.saturating_duration_since(*t) < TYPING_PAUSE
            }
            _ => false,
        };
        self.burst = match kind {
            EditKind::Typing(field) => Some((*field, at)),
            EditKind::Discrete => None,
        };
        self.redo.clear();
        if !joins {
            self.undo.push(Step {
                state: before.clone(),
                label: label.to_string(),
            });
            if self.undo.len() > MAX_STEPS {
                self.undo.remove(0);
            }
        }
    }

    /// Ends the current typing burst, so the next keystroke is a new step.
    pub fn break_burst(&mut self) {
        self.burst = None;
    }

    /// Returns the state to restore, given the current one, and what the step undone did.
    pub fn undo(&mut self, current: &Snapshot) -> Option<(Snapshot, String)> {
        let prev = self.undo.pop()?;
        self.redo.push(Step {
            state: current.clone(),
            label: prev.label.clone(),
        });
        self.burst = None;
        Some((prev.state, prev.label))
    }

    /// The state to restore, and what the step redone does.
    pub fn redo(&mut self, current: &Snapshot) -> Option<(Snapshot, String)> {
        let next = self.redo.pop()?;
        self.undo.push(Step {
            state: current.clone(),
            label: next.label.clone(),
        });
        self.burst = None;
        Some((next.state, next.label))
    }

    #[cfg(test)]
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    #[cfg(test)]
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(title: &str) -> Snapshot {
        Snapshot {
            board: Board {
                title: title.into(),
                ..Board::default()
            },
            selected: 0,
            provider: Provider::Kling,
        }
    }

    fn typing(f: FieldPath) -> EditKind {
        EditKind::Typing(f)
    }

    #[test]
    fn a_typing_burst_is_one_step() {
        let t0 = Instant::now();
        let mut h = History::default();
        h.record(&snap(""), &typing(FieldPath::Title), "", t0);
        h.record(
            &snap("a"),
            &typing(FieldPath::Title),
            "",
            t0 + Duration::from_millis(100),
        );
        h.record(
            &snap("ab"),
            &typing(FieldPath::Title),
            "",
            t0 + Duration::from_millis(200),
        );
        assert_eq!(h.undo(&snap("abc")).unwrap().0.board.title, "");
        assert!(!h.can_undo());
        assert_eq!(h.redo(&snap("")).unwrap().0.board.title, "abc");
    }

    #[test]
    fn pauses_other_fields_and_discrete_edits_split_bursts() {
        let t0 = Instant::now();
        let mut h = History::default();
        h.record(&snap(""), &typing(FieldPath::Title), "", t0);
        h.record(
            &snap("a"),
            &typing(FieldPath::Title),
            "",
            t0 + Duration::from_secs(2),
        );
        h.record(
            &snap("ab"),
            &typing(FieldPath::Prompt),
            "",
            t0 + Duration::from_secs(2),
        );
        h.record(
            &snap("abc"),
            &EditKind::Discrete,
            "",
            t0 + Duration::from_secs(2),
        );
        h.record(
            &snap("abcd"),
            &typing(FieldPath::Prompt),
            "",
            t0 + Duration::from_secs(2),
        );
        let mut cur = snap("abcde");
        let mut seen = vec![];
        while let Some((prev, _)) = h.undo(&cur) {
            seen.push(prev.board.title.clone());
            cur = prev;
        }
        assert_eq!(seen, ["abcd", "abc", "ab", "a", ""]);
    }

    #[test]
    fn a_new_edit_clears_redo() {
        let t0 = Instant::now();
        let mut h = History::default();
        h.record(&snap("a"), &EditKind::Discrete, "", t0);
        h.undo(&snap("b")).unwrap();
        assert!(h.can_redo());
        h.record(&snap("a"), &EditKind::Discrete, "", t0);
        assert!(!h.can_redo());
    }
}
