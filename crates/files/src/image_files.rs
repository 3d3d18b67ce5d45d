//! Finding image files for the settings pane: the entries a typed path could continue with
//! (Tab completion) and the images under a board's folder (the picker). Both are bounded so
//! a board saved in a home directory or a huge tree answers at once.

use std::path::{Path, PathBuf};

/// Extensions the picker lists (what the providers accept, plus webp).
pub const IMAGE_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "webp"];
/// How deep the picker looks below the board's folder.
pub const WALK_DEPTH: usize = 4;
/// The picker stops after this many entries (files and folders) seen.
pub const WALK_ENTRIES: usize = 2000;
/// Folders that never hold a board's images and can be huge.
const SKIPPED_DIRS: [&str; 3] = [".git", "target", "node_modules"];

/// One entry a typed path could continue with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The whole path as it would be typed (relative to the board's folder when the typed
    /// text was), directories ending in `/`.
    pub text: String,
    pub is_dir: bool,
}

/// `~` and `~/…` are the home directory, as a shell would read them.
pub fn expand_home(typed: &str, home: Option<&Path>) -> String {
    match (typed.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{}{rest}", home.display())
        }
        _ => typed.to_string(),
    }
}

/// The entries of the folder `typed` points into whose names start with its last part,
/// sorted by name; hidden entries only when that part starts with a dot.
pub fn complete(board_dir: &Path, typed: &str, home: Option<&Path>) -> Vec<Candidate> {
    let typed = expand_home(typed, home);
    let (folder, stem) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed.as_str()),
    };
    let dir = if Path::new(folder).is_absolute() {
        PathBuf::from(folder)
    } else {
        board_dir.join(folder)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<Candidate> = entries
        .flatten()
        .take(WALK_ENTRIES)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(stem) || (name.starts_with('.') && !stem.starts_with('.')) {
                return None;
            }
            // Follows symlinks, so a linked folder completes like a folder.
            let is_dir = e.path().is_dir();
            let slash = if is_dir { "/" } else { "" };
            Some(Candidate {
                text: format!("{folder}{name}{slash}"),
                is_dir,
            })
        })
        .collect();
    found.sort_by(|a, b| a.text.cmp(&b.text));
    found
}

fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Image files under `board_dir`, as paths relative to it with `/` separators, sorted.
/// Hidden folders and build/dependency folders are skipped. The walk is breadth-first, so
/// when the entry bound cuts it short the images nearest the board are the ones listed
/// (depth-first, one deep renders folder could use the whole bound first).
pub fn walk_images(board_dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut seen = 0usize;
    let mut queue = std::collections::VecDeque::from([(board_dir.to_path_buf(), 0usize)]);
    while let Some((dir, depth)) = queue.pop_front() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > WALK_ENTRIES {
                found.sort();
                return found;
            }
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                let skipped = name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref());
                if !skipped && depth + 1 < WALK_DEPTH {
                    queue.push_back((path, depth + 1));
                }
            } else if is_image(&path)
                && let Ok(relative) = path.strip_prefix(board_dir)
            {
                let parts: Vec<_> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect();
                found.push(parts.join("/"));
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, rel: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }

    #[test]
    fn completion_lists_matching_entries_with_folders_marked() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "frames/first.png");
        touch(dir.path(), "frames/final.jpg");
        touch(dir.path(), "frames/.hidden.png");
        touch(dir.path(), "fx/a.png");
        let texts = |typed| -> Vec<String> {
            complete(dir.path(), typed, None)
                .into_iter()
                .map(|c| c.text)
                .collect()
        };
        assert_eq!(texts("f"), ["frames/", "fx/"]);
        assert_eq!(texts("frames/fi"), ["frames/final.jpg", "frames/first.png"]);
        assert_eq!(texts("frames/."), ["frames/.hidden.png"]);
        assert!(texts("nowhere/x").is_empty());
    }

    #[test]
    fn tilde_is_home() {
        let home = Path::new("/home/ana");
        assert_eq!(expand_home("~/f.png", Some(home)), "/home/ana/f.png");
        assert_eq!(expand_home("~", Some(home)), "/home/ana");
        assert_eq!(expand_home("~bob/f.png", Some(home)), "~bob/f.png");
        assert_eq!(expand_home("~/f.png", None), "~/f.png");
    }

    #[test]
    fn the_walk_skips_hidden_and_build_folders_and_stops_at_depth_four() {
        let dir = tempfile::tempdir().unwrap();
        for rel in [
            "a.png",
            "b.txt",
            "shots/c.JPG",
            "shots/d.webp",
            ".git/e.png",
            ".cache/f.png",
            "target/g.png",
            "node_modules/h.png",
            "1/2/3/i.png",
            "1/2/3/4/j.png",
        ] {
            touch(dir.path(), rel);
        }
        assert_eq!(
            walk_images(dir.path()),
            ["1/2/3/i.png", "a.png", "shots/c.JPG", "shots/d.webp"]
        );
    }

    #[test]
    fn the_walk_stops_after_its_entry_bound() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..WALK_ENTRIES + 50 {
            touch(dir.path(), &format!("{i:05}.png"));
        }
        assert_eq!(walk_images(dir.path()).len(), WALK_ENTRIES);
    }

    #[test]
    fn the_bound_keeps_the_images_nearest_the_board() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "shots/hero.png");
        touch(dir.path(), "cover.png");
        // Three deep folders, each enough to use the whole bound on its own: a depth-first
        // walk that enters any of them first never reaches `shots/`.
        for renders in ["renders", "exports", "backup"] {
            let deep = dir.path().join(renders).join("take-1");
            std::fs::create_dir_all(&deep).unwrap();
            for i in 0..=WALK_ENTRIES {
                std::fs::write(deep.join(format!("{i:05}.txt")), b"").unwrap();
            }
        }
        let found = walk_images(dir.path());
        assert!(found.contains(&"cover.png".to_string()), "{found:?}");
        assert!(found.contains(&"shots/hero.png".to_string()), "{found:?}");
    }
}
