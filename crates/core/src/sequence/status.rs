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
            }
        })
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
    /// The length the board asks for (0 when it could not be read).
    pub fn planned_seconds(&self) -> f64 {
        self.board.as_ref().map_or(0.0, Board::total_duration)
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
            Some(k) => Some(k),
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

    /// The cut's shots in order, or the first board that cannot be in it, named.
    pub fn cut_shots(&self) -> Result<Vec<CutShot>, String> {
        self.boards
            .iter()
            .map(|b| {
                let board = b
                    .board
                    .as_ref()
                    .map_err(|e| format!("board {} cannot be read: {e}", b.name))?;
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
                Ok(CutShot {
                    board: b.name.clone(),
                    take: keeper.take,
                    prompt: board_prompt(board),
                    seconds: keeper.seconds,
                    source,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
