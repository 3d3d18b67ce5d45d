//! Which project a board belongs to, and its name there that is the same on every machine
//! ([`BoardKey`]). The root is the nearest folder above the board with a `.shotdeck` marker
//! (a folder holding `project.toml`, written by `shotdeck init`), else the git work tree,
//! else the board's own folder. The project's id comes from the marker; a git root without
//! one is named by its remote (`git:github.com/studio/noir`); otherwise the board keeps its
//! absolute path, which names it on this machine only.
//!
//! The marker is a folder rather than a file because the team keeps more than the id
//! there (`orphans/`, results fetched for nobody in particular), and because a bare
//! `.shotdeck` folder — a data folder, say — must not make a project by accident: only one
//! with `project.toml` counts.

mod locate;

use std::io;
use std::path::{Path, PathBuf};

use shotdeck_core::BoardKey;

pub use locate::{Found, RootKind, normalize_remote, relative, root_of};

/// The marker folder's name, at the project root.
pub const MARKER_DIR: &str = ".shotdeck";
/// The file in the marker folder that holds the project's id and name.
pub const MARKER_FILE: &str = "project.toml";
/// A marker is a few lines; anything larger is not one.
const MARKER_MAX_BYTES: u64 = 64 * 1024;

/// Where a board is and what the job store calls it.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardIdentity {
    /// The board's canonical path on this machine.
    pub board_path: PathBuf,
    /// The project root on this machine.
    pub root: PathBuf,
    pub kind: RootKind,
    /// The project's name from its marker, if it gives one.
    pub name: Option<String>,
    pub key: BoardKey,
}

/// Finds `board_path`'s project (see the module docs). Never fails: what cannot be read
/// leaves the board named by its absolute path, as before projects existed.
pub fn resolve(board_path: &Path) -> BoardIdentity {
    let board = crate::board_file::identity(board_path);
    let (root, kind) = root_of(&board, |dir| Found {
        marker: dir.join(MARKER_DIR).join(MARKER_FILE).is_file(),
        git: dir.join(".git").exists(),
    });
    let (project, name) = match kind {
        RootKind::Marker => match read_marker(&root) {
            Some((id, name)) => (Some(format!("shotdeck:{id}")), name),
            None => (None, None),
        },
        RootKind::Git => (git_remote(&root).map(|r| format!("git:{r}")), None),
        RootKind::Folder => (None, None),
    };
    let key = match (project, relative(&board, &root)) {
        (Some(project), Some(path)) => BoardKey { project, path },
        _ => BoardKey::local(&board),
    };
    BoardIdentity {
        board_path: board,
        root,
        kind,
        name,
        key,
    }
}

/// The project id and name in `root`'s marker; `None` when it is unreadable or has no id.
pub fn read_marker(root: &Path) -> Option<(String, Option<String>)> {
    let file = root.join(MARKER_DIR).join(MARKER_FILE);
    let text = read_small(&file)?;
    let found = locate::marker_id(&text);
    if found.is_none() {
        tracing::warn!(marker = %file.display(), "project marker has no usable id; boards under it keep their absolute paths");
    }
    found
}

fn read_small(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > MARKER_MAX_BYTES {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The normalized remote of the work tree at `root` (`.git` a folder, or a worktree's or
/// submodule's file pointing at one), read from its config without running git.
fn git_remote(root: &Path) -> Option<String> {
    let dot_git = root.join(".git");
    let git_dir = if dot_git.is_file() {
        locate::gitdir_of_file(&read_small(&dot_git)?, root)?
    } else {
        dot_git
    };
    // A linked worktree keeps its config in the main repository (`commondir`).
    let common = match read_small(&git_dir.join("commondir")) {
        Some(rel) => git_dir.join(rel.trim()),
        None => git_dir,
    };
    let config = read_small(&common.join("config"))?;
    normalize_remote(&locate::remote_url(&config)?)
}

/// Where results fetched for nobody in particular go (see `.gitignore` in the marker).
pub fn orphans_dir(root: &Path) -> PathBuf {
    root.join(MARKER_DIR).join("orphans")
}

/// What `shotdeck init` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    Created {
        marker: PathBuf,
        id: String,
    },
    /// The folder was already a project: its marker is left as it is (its id is what the
    /// team's job store knows it by).
    Exists {
        marker: PathBuf,
        id: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{} exists but has no usable id; fix or remove it", path.display())]
    Unusable { path: PathBuf },
}

/// Makes `dir` a project root: writes `.shotdeck/project.toml` with a new id and `name`
/// (the folder's name when `None`), and a `.gitignore` keeping `orphans/` out of git. Commit
/// the marker: every clone then names its boards the same way.
pub fn init(dir: &Path, name: Option<&str>) -> Result<Init, InitError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Io { path, source }
    };
    let dir = std::fs::canonicalize(dir).map_err(io_err(dir))?;
    let marker_dir = dir.join(MARKER_DIR);
    let marker = marker_dir.join(MARKER_FILE);
    if marker.exists() {
        return match read_marker(&dir) {
            Some((id, _)) => Ok(Init::Exists { marker, id }),
            None => Err(InitError::Unusable { path: marker }),
        };
    }
    std::fs::create_dir_all(&marker_dir).map_err(io_err(&marker_dir))?;
    let id = uuid::Uuid::new_v4().to_string();
    let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = name.map(str::to_string).or(folder).unwrap_or_default();
    let text = format!(
        "# This folder is a shotdeck project. Commit this file: its id names the project's\n\
         # boards the same way on every machine that shares a job store.\n\
         id = \"{id}\"\nname = {}\n",
        toml::Value::String(name)
    );
    crate::board_file::write_atomic(&marker, text.as_bytes()).map_err(io_err(&marker))?;
    let ignore = marker_dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "orphans/\n").map_err(io_err(&ignore))?;
    }
    Ok(Init::Created { marker, id })
}

#[cfg(test)]
mod tests;
