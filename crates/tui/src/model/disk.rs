//! The board's file as the editor last saw it (loaded or saved), and what changed when
//! someone else wrote it since: git, another editor, a second shotdeck.
//!
//! Files are compared by a hash of their bytes, not their mtime: a `git checkout` can
//! restore an older mtime, and two writes within the clock's resolution look alike.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::time::SystemTime;

use shotdeck_core::Board;
use shotdeck_files::board_file;

/// What the editor last read from or wrote to the file.
#[derive(Debug, Clone, PartialEq)]
pub struct DiskCopy {
    hash: u64,
    board: Board,
}

impl DiskCopy {
    /// The copy that `bytes` (read from or written to the file) describe.
    pub fn of(bytes: &[u8], board: Board) -> DiskCopy {
        DiskCopy {
            hash: hash(bytes),
            board,
        }
    }

    /// What the file holds now, read with [`board_file::load`] (which refuses what is
    /// not a board file) and hashed; `None` when the file is gone.
    pub fn read(path: &Path) -> Result<Option<DiskCopy>, board_file::BoardFileError> {
        if !path.exists() {
            return Ok(None);
        }
        let board = board_file::load(path)?;
        let bytes = board_file::read_bytes(path)?;
        Ok(Some(DiskCopy::of(&bytes, board)))
    }

    pub fn board(&self) -> &Board {
        &self.board
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// The file changed since the editor last read or wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutsideChange {
    /// The file's new content; `None` when it was deleted. A file that no longer parses is
    /// not a copy: `summary` says why, and reloading is not offered.
    pub now: Option<DiskCopy>,
    pub unreadable: bool,
    /// "3 shots → 4, Shot 2 prompt edited (changed on disk at 14:02)".
    pub summary: String,
}

impl OutsideChange {
    /// Compares the file at `path` with `known` (what the editor loaded or saved, `None`
    /// when the file did not exist). `None` when nobody else wrote it.
    pub fn check(path: &Path, known: Option<&DiskCopy>) -> Option<OutsideChange> {
        let when = fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .map_or(String::new(), |t| {
                format!(" (changed on disk at {})", hh_mm(t))
            });
        match (DiskCopy::read(path), known) {
            (Ok(None), None) => None,
            (Ok(Some(now)), Some(known)) if now.hash == known.hash => None,
            (Ok(None), Some(_)) => Some(OutsideChange {
                now: None,
                unreadable: false,
                summary: "the file was deleted on disk".into(),
            }),
            (Ok(Some(now)), known) => {
                let what = match known {
                    Some(k) => summary(&k.board, &now.board),
                    None => "the file was created on disk".into(),
                };
                Some(OutsideChange {
                    summary: format!("{what}{when}"),
                    now: Some(now),
                    unreadable: false,
                })
            }
            (Err(e), _) => Some(OutsideChange {
                now: None,
                unreadable: true,
                summary: format!("the file on disk no longer opens: {e}{when}"),
            }),
        }
    }
}

/// `HH:MM` of `t` (UTC: the editor has no time zone database).
fn hh_mm(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{:02}:{:02} UTC", secs / 3600 % 24, secs / 60 % 60)
}

/// What differs between two versions of a board, in a few words: "3 shots → 4, Shot 2
/// prompt edited". At most four items are named.
pub fn summary(old: &Board, new: &Board) -> String {
    let mut items = Vec::new();
    if old.shots.len() != new.shots.len() {
        items.push(format!("{} shots → {}", old.shots.len(), new.shots.len()));
    }
    for (i, (a, b)) in old.shots.iter().zip(&new.shots).enumerate() {
        if a.prompt != b.prompt {
            items.push(format!("Shot {} prompt edited", i + 1));
        }
        if a.duration != b.duration {
            items.push(format!(
                "Shot {} {} s → {} s",
                i + 1,
                crate::labels::secs(a.duration),
                crate::labels::secs(b.duration)
            ));
        }
    }
    let texts = [
        ("title", old.title != new.title),
        ("prompt", old.prompt != new.prompt),
        (
            "negative prompt",
            old.negative_prompt != new.negative_prompt,
        ),
    ];
    items.extend(
        texts
            .iter()
            .filter(|(_, changed)| *changed)
            .map(|(name, _)| format!("{name} edited")),
    );
    let mut settings_old = old.clone();
    settings_old.shots.clone_from(&new.shots);
    settings_old.title.clone_from(&new.title);
    settings_old.prompt.clone_from(&new.prompt);
    settings_old
        .negative_prompt
        .clone_from(&new.negative_prompt);
    if settings_old != *new {
        items.push("settings changed".into());
    }
    match items.len() {
        0 => "reformatted (same board)".into(),
        n if n > 4 => format!("{} and {} more", items[..4].join(", "), n - 4),
        _ => items.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_names_what_changed() {
        let old = shotdeck_core::Board::starter();
        let mut new = old.clone();
        new.shots.push(new.shots[0].clone());
        new.shots[1].prompt.push_str(" Rain.");
        new.quality = "pro".into();
        let n = old.shots.len();
        assert_eq!(
            summary(&old, &new),
            format!(
                "{n} shots → {}, Shot 2 prompt edited, settings changed",
                n + 1
            )
        );
        assert_eq!(summary(&old, &old), "reformatted (same board)");
    }

    #[test]
    fn only_a_different_content_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        let board = shotdeck_core::Board::starter();
        board_file::save(&p, &board).unwrap();
        let known = DiskCopy::read(&p).unwrap().unwrap();
        assert_eq!(OutsideChange::check(&p, Some(&known)), None);
        // Same bytes written again (a new mtime) are no change.
        board_file::save(&p, &board).unwrap();
        assert_eq!(OutsideChange::check(&p, Some(&known)), None);
        let mut other = board.clone();
        other.title = "theirs".into();
        board_file::save(&p, &other).unwrap();
        let c = OutsideChange::check(&p, Some(&known)).unwrap();
        assert!(
            c.summary.starts_with("title edited (changed on disk at "),
            "{}",
            c.summary
        );
        assert_eq!(c.now.unwrap().board().title, "theirs");
        std::fs::write(&p, "{ nope").unwrap();
        assert!(OutsideChange::check(&p, Some(&known)).unwrap().unreadable);
    }
}
