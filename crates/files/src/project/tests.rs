use std::fs;

use super::*;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn two_clones_with_one_marker_name_a_board_the_same_way() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let Init::Created { marker, id } = init(a.path(), Some("Noir")).unwrap() else {
        panic!("a fresh folder gets a marker");
    };
    // The second machine's clone carries the committed marker.
    write(
        &b.path().join(".shotdeck/project.toml"),
        &fs::read_to_string(&marker).unwrap(),
    );
    write(&a.path().join("boards/noir.json"), "{}");
    write(&b.path().join("boards/noir.json"), "{}");
    let ia = resolve(&a.path().join("boards/noir.json"));
    let ib = resolve(&b.path().join("boards/./noir.json"));
    assert_eq!(ia.key, ib.key);
    assert_eq!(ia.key.project, format!("shotdeck:{id}"));
    assert_eq!(ia.key.path, "boards/noir.json");
    assert_eq!(ia.kind, RootKind::Marker);
    assert_eq!(ia.name.as_deref(), Some("Noir"));
    assert_eq!(ia.root, fs::canonicalize(a.path()).unwrap());
    assert_ne!(
        ia.board_path, ib.board_path,
        "each machine keeps its own folder"
    );
}

#[test]
fn init_keeps_an_existing_marker_and_ignores_orphans() {
    let d = tempfile::tempdir().unwrap();
    let Init::Created { id, .. } = init(d.path(), None).unwrap() else {
        panic!("created");
    };
    let Init::Exists { id: again, .. } = init(d.path(), Some("other")).unwrap() else {
        panic!("a second init changes nothing");
    };
    assert_eq!(id, again);
    let name = d.path().file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(read_marker(d.path()), Some((id, Some(name))));
    assert_eq!(
        fs::read_to_string(d.path().join(".shotdeck/.gitignore")).unwrap(),
        "orphans/\n"
    );
    write(&d.path().join(".shotdeck/project.toml"), "name = \"x\"\n");
    assert!(matches!(
        init(d.path(), None),
        Err(InitError::Unusable { .. })
    ));
}

#[test]
fn a_clone_is_named_by_its_remote_and_a_worktree_by_its_repository() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("noir");
    write(
        &repo.join(".git/config"),
        "[remote \"origin\"]\n\turl = git@github.com:studio/noir.git\n",
    );
    write(&repo.join("b/noir.json"), "{}");
    let id = resolve(&repo.join("b/noir.json"));
    assert_eq!(id.kind, RootKind::Git);
    assert_eq!(id.key.project, "git:github.com/studio/noir");
    assert_eq!(id.key.path, "b/noir.json");
    // A linked worktree elsewhere: `.git` is a file; the config lives in the main repository.
    let wt = d.path().join("wt");
    write(&repo.join(".git/worktrees/wt/commondir"), "../..\n");
    write(
        &wt.join(".git"),
        &format!("gitdir: {}\n", repo.join(".git/worktrees/wt").display()),
    );
    write(&wt.join("b/noir.json"), "{}");
    assert_eq!(resolve(&wt.join("b/noir.json")).key, id.key);
}

#[test]
fn without_a_name_for_every_machine_a_board_keeps_its_absolute_path() {
    let d = tempfile::tempdir().unwrap();
    // A repository without a remote, a marker without an id, a bare `.shotdeck` folder.
    write(&d.path().join("repo/.git/config"), "[core]\n");
    write(&d.path().join("repo/x.json"), "{}");
    write(&d.path().join("m/.shotdeck/project.toml"), "name = \"x\"\n");
    write(&d.path().join("m/x.json"), "{}");
    fs::create_dir_all(d.path().join("plain/.shotdeck")).unwrap();
    write(&d.path().join("plain/x.json"), "{}");
    for board in ["repo/x.json", "m/x.json", "plain/x.json"] {
        let id = resolve(&d.path().join(board));
        assert_eq!(id.key, BoardKey::local(&id.board_path), "{board}");
        assert!(id.key.path.starts_with('/'));
    }
    let plain = resolve(&d.path().join("plain/x.json"));
    assert_eq!(
        plain.root,
        fs::canonicalize(d.path().join("plain")).unwrap()
    );
}
