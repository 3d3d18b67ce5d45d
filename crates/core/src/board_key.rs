//! A board's name in the job store, the same on every machine: the project it belongs to
//! and its path inside that project. Take numbers, the keeper and the per-board budget
//! hang on it, so two clones of one project share them. `shotdeck_files::project` finds it
//! on disk; this is the plain value.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// `(project, path)`. A board outside any project that can be named on every machine has an
/// empty `project` and its absolute path as `path`: what every board was called before
/// projects existed, so rows written then keep their meaning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BoardKey {
    /// `shotdeck:<id>` (a `.shotdeck` marker), `git:<remote>` (a clone), or empty.
    pub project: String,
    /// `/`-separated, relative to the project root; absolute when `project` is empty.
    pub path: String,
}

impl BoardKey {
    /// The key of a board that belongs to no shared project (and of rows written before
    /// projects existed): its absolute path.
    pub fn local(board_path: &Path) -> BoardKey {
        BoardKey {
            project: String::new(),
            path: board_path.to_string_lossy().into_owned(),
        }
    }

    /// Whether the key means the same board on another machine.
    pub fn is_shared(&self) -> bool {
        !self.project.is_empty()
    }
}

impl std::fmt::Display for BoardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.project.is_empty() {
            f.write_str(&self.path)
        } else {
            write!(f, "{} {}", self.project, self.path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_key_is_the_absolute_path_and_not_shared() {
        let k = BoardKey::local(Path::new("/home/a/noir.json"));
        assert_eq!(k.project, "");
        assert_eq!(k.path, "/home/a/noir.json");
        assert!(!k.is_shared());
        assert_eq!(k.to_string(), "/home/a/noir.json");
        let shared = BoardKey {
            project: "shotdeck:1234".into(),
            path: "boards/noir.json".into(),
        };
        assert!(shared.is_shared());
        assert_eq!(shared.to_string(), "shotdeck:1234 boards/noir.json");
    }
}
