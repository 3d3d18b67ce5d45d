//! The path logic of finding a board's project, without touching the disk: the caller says
//! what each folder holds ([`Found`]) and reads the files; everything here is a function of
//! its inputs, so every rule is tested without a filesystem.

use std::path::{Component, Path, PathBuf};

/// What a folder holds that can make it a project root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Found {
    /// A `.shotdeck` folder with a `project.toml` in it.
    pub marker: bool,
    /// A `.git` folder or file (a worktree or submodule has a file).
    pub git: bool,
}

/// Why a folder is the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// The nearest folder above the board with a `.shotdeck` marker.
    Marker,
    /// No marker anywhere above: the nearest git work tree.
    Git,
    /// Neither: the board's own folder.
    Folder,
}

/// The root of the project `board` (absolute, canonical) belongs to: the nearest ancestor
/// holding a marker, else the nearest holding `.git`, else the board's folder. A marker
/// further up wins over a nearer git root: `shotdeck init` is the explicit word.
pub fn root_of(board: &Path, mut holds: impl FnMut(&Path) -> Found) -> (PathBuf, RootKind) {
    let folder = board.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut git = None;
    for dir in folder.ancestors() {
        let found = holds(dir);
        if found.marker {
            return (dir.to_path_buf(), RootKind::Marker);
        }
        if found.git && git.is_none() {
            git = Some(dir.to_path_buf());
        }
    }
    match git {
        Some(dir) => (dir, RootKind::Git),
        None => (folder, RootKind::Folder),
    }
}

/// `board` relative to `root`, `/`-separated whatever the system (the same text on every
/// machine); `None` when `board` is not under `root`.
pub fn relative(board: &Path, root: &Path) -> Option<String> {
    let rest = board.strip_prefix(root).ok()?;
    let parts: Vec<String> = rest
        .components()
        .map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The project's id and name from a `.shotdeck/project.toml` (`id = "…"`, `name = "…"`);
/// `None` when it has no usable id (the marker then names nothing, and is reported).
pub(super) fn marker_id(text: &str) -> Option<(String, Option<String>)> {
    #[derive(serde::Deserialize)]
    struct Marker {
        id: Option<String>,
        name: Option<String>,
    }
    let m: Marker = toml::from_str(text).ok()?;
    let id = m.id?.trim().to_string();
    let usable = !id.is_empty() && id.chars().all(|c| c.is_ascii_graphic());
    usable.then_some((id, m.name))
}

/// The fetch URL of the remote a clone was made from (`origin`, else the first remote), from
/// the text of `.git/config`.
pub(super) fn remote_url(config: &str) -> Option<String> {
    let mut section = String::new();
    let mut first = None;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.to_string();
            continue;
        }
        let Some(remote) = section
            .strip_prefix("[remote \"")
            .and_then(|s| s.strip_suffix("\"]"))
        else {
            continue;
        };
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != "url" {
            continue;
        }
        let url = value.trim().trim_matches('"').to_string();
        if remote == "origin" {
            return Some(url);
        }
        first.get_or_insert(url);
    }
    first
}

/// One spelling per repository, however it was cloned: `https://github.com/a/b.git`,
/// `git@github.com:a/b` and `ssh://git@github.com/a/b/` all give `github.com/a/b` (the host
/// lower-cased; the user, port, scheme and `.git` dropped).
pub fn normalize_remote(url: &str) -> Option<String> {
    let url = url.trim();
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = host.split(':').next().unwrap_or(host);
        (host.to_string(), path.to_string())
    } else if let Some((authority, path)) = url.split_once(':')
        && !authority.contains('/')
    {
        let host = authority.rsplit('@').next().unwrap_or(authority);
        (host.to_string(), path.to_string())
    } else {
        // A path on this machine (`/srv/repo.git`): it names nothing elsewhere.
        return None;
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_matches('/');
    if host.is_empty() || path.is_empty() {
        return None;
    }
    Some(format!("{}/{path}", host.to_ascii_lowercase()))
}

/// Where a `.git` file (a worktree's or submodule's) points: `gitdir: <path>`, relative to
/// the folder holding the file.
pub(super) fn gitdir_of_file(text: &str, holder: &Path) -> Option<PathBuf> {
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    Some(holder.join(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(markers: &[&str], gits: &[&str]) -> impl FnMut(&Path) -> Found {
        let markers: Vec<PathBuf> = markers.iter().map(PathBuf::from).collect();
        let gits: Vec<PathBuf> = gits.iter().map(PathBuf::from).collect();
        move |d| Found {
            marker: markers.iter().any(|m| m == d),
            git: gits.iter().any(|g| g == d),
        }
    }

    #[test]
    fn the_nearest_marker_wins_over_a_nearer_git_root_and_git_over_the_folder() {
        let board = Path::new("/w/studio/film/boards/noir.json");
        let (root, kind) = root_of(board, tree(&["/w/studio"], &["/w/studio/film"]));
        assert_eq!(
            (root.as_path(), kind),
            (Path::new("/w/studio"), RootKind::Marker)
        );
        let (root, kind) = root_of(board, tree(&["/w", "/w/studio"], &[]));
        assert_eq!(root, Path::new("/w/studio"), "the nearest marker");
        assert_eq!(kind, RootKind::Marker);
        let (root, kind) = root_of(board, tree(&[], &["/w", "/w/studio/film"]));
        assert_eq!(
            (root.as_path(), kind),
            (Path::new("/w/studio/film"), RootKind::Git)
        );
        let (root, kind) = root_of(board, tree(&[], &[]));
        assert_eq!(
            (root.as_path(), kind),
            (Path::new("/w/studio/film/boards"), RootKind::Folder)
        );
    }

    #[test]
    fn relative_paths_use_slashes_and_refuse_what_is_outside() {
        let board = Path::new("/w/p/boards/a/noir.json");
        assert_eq!(
            relative(board, Path::new("/w/p")).as_deref(),
            Some("boards/a/noir.json")
        );
        assert_eq!(relative(board, Path::new("/elsewhere")), None);
        assert_eq!(relative(Path::new("/w/p"), Path::new("/w/p")), None);
    }

    #[test]
    fn a_marker_needs_a_printable_id() {
        assert_eq!(
            marker_id("id = \"shotdeck-1\"\nname = \"Noir\"\n"),
            Some(("shotdeck-1".into(), Some("Noir".into())))
        );
        assert_eq!(marker_id("id = \"x\""), Some(("x".into(), None)));
        assert_eq!(marker_id("name = \"Noir\""), None);
        assert_eq!(marker_id("id = \"has space\""), None);
        assert_eq!(marker_id("id = \"\""), None);
        assert_eq!(marker_id("not toml ["), None);
    }

    #[test]
    fn one_spelling_per_remote_however_it_was_cloned() {
        for url in [
            "https://github.com/Studio/noir.git",
            "git@github.com:Studio/noir.git",
            "ssh://git@GitHub.com:22/Studio/noir/",
            "https://user:pw@github.com/Studio/noir",
        ] {
            assert_eq!(
                normalize_remote(url).as_deref(),
                Some("github.com/Studio/noir"),
                "{url}"
            );
        }
        assert_eq!(normalize_remote("/srv/git/noir.git"), None);
        assert_eq!(normalize_remote("https://github.com/"), None);
    }

    #[test]
    fn origin_is_preferred_and_any_remote_will_do() {
        let config = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://a/x\n\
                      [remote \"origin\"]\n\turl = git@b:y/z.git\n\tfetch = +refs/*\n";
        assert_eq!(remote_url(config).as_deref(), Some("git@b:y/z.git"));
        let config = "[remote \"upstream\"]\n\turl = https://a/x\n";
        assert_eq!(remote_url(config).as_deref(), Some("https://a/x"));
        assert_eq!(remote_url("[core]\n\turl = nope\n"), None);
    }

    #[test]
    fn a_git_file_points_at_its_folder() {
        let d = gitdir_of_file("gitdir: ../.git/worktrees/w\n", Path::new("/r/w"));
        assert_eq!(d, Some(PathBuf::from("/r/w/../.git/worktrees/w")));
        assert_eq!(gitdir_of_file("nonsense", Path::new("/r")), None);
    }
}
