//! Reading a sequence's project file (`sequence.toml`):
//!
//! ```toml
//! title = "Night market"
//! boards = [
//!   "01-arrival.json",
//!   { board = "02-market.json", continue_from = "previous" },
//! ]
//! ```
//!
//! Exactly: an unknown key, a board named twice, a board outside the folder or a
//! `continue_from` on the first board is an error with its line and column.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use shotdeck_core::sequence::{ContinueFrom, SEQUENCE_FILE, Sequence, SequenceEntry};

use super::toml_error::{describe, locate};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SequenceFileError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {what}")]
    Invalid { path: String, what: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    title: Option<String>,
    boards: Vec<Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Entry {
    Name(String),
    Table(EntryTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryTable {
    board: String,
    #[serde(default)]
    continue_from: Option<String>,
}

/// The project file of `project`: the folder holding `sequence.toml`, or the file itself.
pub fn file_of(project: &Path) -> PathBuf {
    if project.is_dir() {
        project.join(SEQUENCE_FILE)
    } else {
        project.to_path_buf()
    }
}

/// Reads and parses the sequence of `project` (a folder or its `sequence.toml`).
pub fn load(project: &Path) -> Result<Sequence, SequenceFileError> {
    let path = file_of(project);
    let text = std::fs::read_to_string(&path).map_err(|e| SequenceFileError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse(&text).map_err(|what| SequenceFileError::Invalid {
        path: path.display().to_string(),
        what,
    })
}

/// The sequence `text` says, or what is wrong with it (`line L, column C: …`).
pub fn parse(text: &str) -> Result<Sequence, String> {
    let file: File = toml::from_str(text).map_err(|e| describe(text, &e))?;
    if file.boards.is_empty() {
        return Err("`boards` lists no board".into());
    }
    let mut entries: Vec<SequenceEntry> = Vec::with_capacity(file.boards.len());
    for spanned in file.boards {
        let at = locate(text, spanned.span().start);
        let (board, continue_from) = match spanned.into_inner() {
            Entry::Name(board) => (board, None),
            Entry::Table(t) => (t.board, t.continue_from),
        };
        if !inside_folder(&board) {
            return Err(format!(
                "{at}: board \"{board}\" must be a path inside the sequence's folder"
            ));
        }
        if entries.iter().any(|e| e.board == board) {
            return Err(format!("{at}: board \"{board}\" is listed twice"));
        }
        let continue_from = match continue_from.as_deref() {
            None => None,
            Some("previous") if entries.is_empty() => {
                return Err(format!(
                    "{at}: the first board has no previous board to continue from"
                ));
            }
            Some("previous") => Some(ContinueFrom::Previous),
            Some(other) => {
                return Err(format!(
                    "{at}: continue_from is \"{other}\"; the one value is \"previous\""
                ));
            }
        };
        entries.push(SequenceEntry {
            board,
            continue_from,
        });
    }
    Ok(Sequence {
        title: file.title,
        entries,
    })
}

/// A relative path that stays in the folder: no root, no `..`.
fn inside_folder(board: &str) -> bool {
    let path = Path::new(board);
    !board.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tables_in_order() {
        let seq = parse(
            "title = \"Night\"\nboards = [\n  \"01-arrival.json\",\n  \
             { board = \"acts/02-market.json\", continue_from = \"previous\" },\n]\n",
        )
        .unwrap();
        assert_eq!(seq.title.as_deref(), Some("Night"));
        assert_eq!(seq.entries.len(), 2);
        assert_eq!(seq.entries[0].name(), "01-arrival");
        assert_eq!(seq.entries[0].continue_from, None);
        assert_eq!(seq.entries[1].name(), "02-market");
        assert_eq!(seq.entries[1].continue_from, Some(ContinueFrom::Previous));
    }

    #[test]
    fn errors_say_where() {
        let err = |text: &str| parse(text).unwrap_err();
        assert_eq!(
            err("boards = [\"a.json\"]\nborads = 1\n"),
            "line 2, column 1: unknown field `borads`, expected `title` or `boards`"
        );
        assert!(
            err("boards = [\"a.json\",\n  \"a.json\"]")
                .starts_with("line 2, column 3: board \"a.json\" is listed twice"),
        );
        assert_eq!(
            err("boards = [{ board = \"a.json\", continue_from = \"previous\" }]"),
            "line 1, column 11: the first board has no previous board to continue from"
        );
        assert!(
            err("boards = [\"a.json\", { board = \"b.json\", continue_from = \"next\" }]")
                .contains("column 21: continue_from is \"next\"")
        );
        assert!(err("boards = [\"../x.json\"]").contains("inside the sequence's folder"));
        assert!(err("boards = [\"/etc/x.json\"]").contains("inside the sequence's folder"));
        assert_eq!(err("boards = []"), "`boards` lists no board");
        assert!(err("title = \"x\"").contains("missing field `boards`"));
        assert!(err("boards = [\"a.json\"").starts_with("line 1, column"));
    }

    #[test]
    fn a_folder_or_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SEQUENCE_FILE), "boards = [\"a.json\"]\n").unwrap();
        assert_eq!(load(dir.path()).unwrap().entries[0].board, "a.json");
        assert_eq!(
            load(&dir.path().join(SEQUENCE_FILE)).unwrap().entries.len(),
            1
        );
        let missing = load(&dir.path().join("nope")).unwrap_err();
        assert!(matches!(missing, SequenceFileError::Read { .. }));
    }
}
