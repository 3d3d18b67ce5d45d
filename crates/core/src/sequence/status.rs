//! Where a sequence stands: each board with its keeper (or none), the running time of the
//! keepers and what is still missing for a cut. The CLI builds it from the store; the
//! editor is handed one and keeps it current from the job views it is sent.

use std::path::PathBuf;

use super::{Continuation, ContinueFrom, CutShot, board_prompt, running_time};
use crate::jobs::{JobView, Refusal};
use crate::model::Board;

/// A board's keeper, as far as a cut needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeeperFacts {
    pub take: u32,
    /// The video's length (its header's, else the length asked for).
    pub seconds: f64,
    /// The downloaded video, once complete.
    pub file: Option<PathBuf>,
    /// The task's result URL as the provider gave it (`videos[].url`).
    pub url: Option<String>,
    /// When the task finished (Unix ms): the URL lasts 30 days from about then.
    pub finished_at: Option<i64>,
    /// The prompt the take was made from, as its job recorded it (the board as sent, not
    /// the board file as it is now, which may have been edited since or no longer parse);
    /// `None` until read from the job's record.
    pub prompt: Option<String>,
    /// The length the take's request asked for.
    pub asked_seconds: f64,
}

impl KeeperFacts {
    /// The keeper a view is, when it is one.
    pub fn of(view: &JobView) -> Option<KeeperFacts> {
        view.keeper.then(|| {
            let file = view.files.first().filter(|f| f.complete);
            KeeperFacts {
                take: view.take,
                seconds: file.and_then(|f| f.media_seconds).unwrap_or(view.seconds),
                file: file.map(|f| f.path.clone()),
                url: view.files.first().map(|f| f.url.clone()),
                finished_at: view.finished_at,
                prompt: None,
                asked_seconds: view.seconds,
            }
        })
    }

    /// The same keeper with the prompt its job's record says was sent.
    pub fn with_record(mut self, record: &crate::jobs::JobRecord) -> KeeperFacts {
        self.prompt = Some(board_prompt(&record.board));
        self
    }
}

/// One board of a sequence, as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardStatus {
    /// `01-arrival`.
    pub name: String,
    /// The board's identity (the path jobs record).
    pub path: PathBuf,
    /// The board as read, or why it could not be.
    pub board: Result<Board, String>,
    pub continue_from: Option<ContinueFrom>,
    pub keeper: Option<KeeperFacts>,
}

impl BoardStatus {
    /// The length the board asks for: its file's, else (a file that no longer parses) what
    /// its keeper's request asked for, else 0.
    pub fn planned_seconds(&self) -> f64 {
        match (&self.board, &self.keeper) {
            (Ok(board), _) => board.total_duration(),
            (Err(_), Some(k)) => k.asked_seconds,
            (Err(_), None) => 0.0,
        }
    }

    /// A board file that cannot be read while its keeper can still be cut: the warning
    /// (with the reader's line and column) the `sequence` and `cut` commands print.
    pub fn unreadable_but_kept(&self) -> Option<String> {
        let (Err(e), Some(k)) = (&self.board, &self.keeper) else {
            return None;
        };
        Some(format!(
            "board {} cannot be read ({e}); its keeper, take {}, is used as it was sent",
            self.name, k.take
        ))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SequenceStatus {
    pub title: String,
    pub boards: Vec<BoardStatus>,
}

impl SequenceStatus {
    /// Takes a job's news: a view that is its board's keeper replaces that board's keeper;
    /// one that was the keeper and no longer is clears it. True when something changed.
    pub fn apply(&mut self, view: &JobView) -> bool {
        let Some(board) = self.boards.iter_mut().find(|b| b.path == view.board_path) else {
            return false;
        };
        let now = match KeeperFacts::of(view) {
            // The record's prompt stays with the take it was read for.
            Some(mut k) => {
                if let Some(old) = board.keeper.as_ref().filter(|o| o.take == k.take) {
                    k.prompt = old.prompt.clone();
                }
                Some(k)
            }
            None if board.keeper.as_ref().is_some_and(|k| k.take == view.take) => None,
            None => return false,
        };
        let changed = board.keeper != now;
        board.keeper = now;
        changed
    }

    /// The keepers' running time in seconds.
    pub fn kept_seconds(&self) -> f64 {
        self.boards
            .iter()
            .filter_map(|b| b.keeper.as_ref())
            .map(|k| k.seconds)
            .sum()
    }

    /// The running time the boards ask for.
    pub fn planned_seconds(&self) -> f64 {
        self.boards.iter().map(BoardStatus::planned_seconds).sum()
    }

    /// The boards with no keeper yet, by name.
    pub fn missing(&self) -> Vec<&str> {
        self.boards
            .iter()
            .filter(|b| b.keeper.is_none())
            .map(|b| b.name.as_str())
            .collect()
    }

    /// One line for a pane: `Sequence Night market: 2/3 kept · 0:02 of 0:36 · no keeper: 03-exit`.
    pub fn summary(&self) -> String {
        let kept = self.boards.len() - self.missing().len();
        let mut line = format!(
            "Sequence {}: {kept}/{} kept · {} of {}",
            self.title,
            self.boards.len(),
            running_time(self.kept_seconds()),
            running_time(self.planned_seconds()),
        );
        let missing = self.missing();
        if !missing.is_empty() {
            line.push_str(&format!(" · no keeper: {}", missing.join(", ")));
        }
        line
    }

    /// "continues from 01-arrival take 2" for the board at `path`, when it continues from
    /// the previous board (`Err` says why it cannot yet: that board has no keeper).
    pub fn continues_from(&self, path: &std::path::Path) -> Option<Result<String, String>> {
        let at = self.boards.iter().position(|b| b.path == path)?;
        self.boards[at].continue_from?;
        let previous = &self.boards[at.checked_sub(1)?];
        Some(match &previous.keeper {
            Some(k) => Ok(format!("continues from {} take {}", previous.name, k.take)),
            None => Err(format!(
                "{} continues from {}, which has no keeper yet",
                self.boards[at].name, previous.name
            )),
        })
    }

    /// How a submit of `board` (at `path`) continues from the previous board's keeper, when
    /// its sequence says it does (see [`super::continuation::plan`]): the video reference
    /// or the last frame, chosen here and said by every front end; a refusal when neither
    /// can be built (no keeper, no usable URL and no file, a board whose own first frame is
    /// in the way), so a video that does not continue is never sent as if it did. `None`
    /// when it continues from nothing (or is not in this sequence). The engine's intake,
    /// the CLI and the editor's submit dialog all ask this one question.
    pub fn continuation(
        &self,
        path: &std::path::Path,
        board: &Board,
        provider: crate::Provider,
        profiles: &crate::gateway_profile::Profiles,
        now_ms: i64,
    ) -> Option<Result<Continuation, Refusal>> {
        let at = self.boards.iter().position(|b| b.path == path)?;
        self.boards[at].continue_from?;
        let previous = &self.boards[at.checked_sub(1)?];
        let refusal = |from: String, why: String| Refusal::Continues {
            board: self.boards[at].name.clone(),
            from,
            file: super::SEQUENCE_FILE.to_string(),
            why,
        };
        let Some(keeper) = &previous.keeper else {
            return Some(Err(refusal(
                format!("continues from {}, which has no keeper yet", previous.name),
                format!("make one of {}'s takes the keeper first", previous.name),
            )));
        };
        Some(
            super::continuation::plan(board, provider, profiles, &previous.name, keeper, now_ms)
                .map_err(|why| {
                    refusal(
                        format!("continues from {} take {}", previous.name, keeper.take),
                        why,
                    )
                }),
        )
    }

    /// The cut's shots in order, or the first board that cannot be in it, named. Each
    /// shot's prompt is its keeper's as sent; a board file that no longer parses does not
    /// stop the cut when its keeper's prompt is known (see
    /// [`BoardStatus::unreadable_but_kept`] for the warning).
    pub fn cut_shots(&self) -> Result<Vec<CutShot>, String> {
        self.boards
            .iter()
            .map(|b| {
                let keeper = b.keeper.as_ref().ok_or_else(|| {
                    format!(
                        "board {} has no keeper: mark a take with K in the Jobs pane or `shotdeck jobs keep ID`",
                        b.name
                    )
                })?;
                let source = keeper.file.clone().ok_or_else(|| {
                    format!(
                        "board {}'s keeper (take {}) has no downloaded video",
                        b.name, keeper.take
                    )
                })?;
                let prompt = match (&keeper.prompt, &b.board) {
                    (Some(sent), _) => sent.clone(),
                    (None, Ok(board)) => board_prompt(board),
                    (None, Err(e)) => {
                        return Err(format!("board {} cannot be read: {e}", b.name));
                    }
                };
                Ok(CutShot {
                    board: b.name.clone(),
                    take: keeper.take,
                    prompt,
                    seconds: keeper.seconds,
                    source,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
