//! `E` and `y` in the real binary: the user's `$EDITOR` (a sh script here) gets the prompt or
//! the whole board in a file, without the keys in its environment, and what it writes comes
//! back through the editor's checks; `y` copies through the terminal (OSC 52).

use base64::Engine;

use super::*;

/// An `$EDITOR` that dumps its environment beside the board and then runs `body` on "$1".
fn editor_script(dir: &Path, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("ed.sh");
    let text = format!(
        "#!/bin/sh\nenv > '{}'\n{body}\n",
        dir.join("env.txt").display()
    );
    std::fs::write(&script, text).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

const SECRET: &str = "sk-never-in-the-editor";

/// The editor with `$EDITOR` set to `script` and a Kling key in its environment.
fn open_with_editor(dir: &Path, board: &Path, script: &Path) -> Screen {
    let mut cmd = command(dir, board);
    cmd.env("EDITOR", script)
        .env_remove("VISUAL")
        .env_remove("TMUX")
        .env("KLING_ACCESS_KEY", "ak-never-in-the-editor")
        .env("KLING_SECRET_KEY", SECRET);
    open_command(cmd)
}

#[test]
fn e_writes_the_prompt_in_editor_without_the_keys_and_u_undoes_it() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let script = editor_script(dir.path(), "sed -i 's/^Wide:/Aerial:/' \"$1\"");
    let mut s = open_with_editor(dir.path(), &board, &script);
    s.send(b"E");
    s.wait_for("the prompt taken back", |c| {
        c.contains("Shot 1 prompt taken from the editor")
    });
    assert!(s.parser.screen().contents().contains("Aerial:"));
    let env = std::fs::read_to_string(dir.path().join("env.txt")).unwrap();
    assert!(env.contains("PATH="), "the script ran: {env}");
    assert!(!env.contains(SECRET), "a key reached the editor:\n{env}");
    assert!(!env.contains("KLING_ACCESS_KEY") && !env.contains("KLING_SECRET_KEY"));
    // One undo step takes the whole edit back, and redo brings it again.
    s.send(b"u");
    s.wait_for("the edit undone", |c| {
        c.contains("undid:") && c.contains("Wide:")
    });
    s.send(b"\x12"); // ctrl-r
    s.wait_for("the edit redone", |c| {
        c.contains("redid:") && c.contains("Aerial:")
    });
    s.send(b"q");
    assert!(matches!(s.wait_exit(), WaitStatus::Exited(_, 0)));
    let saved = shotdeck::files::board_file::load(&board).unwrap();
    assert!(saved.shots[0].prompt.starts_with("Aerial: a rain-soaked"));
    let ours = format!("shotdeck-{}-", s.session.get_process().pid());
    let left: Vec<_> = std::env::temp_dir()
        .read_dir()
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&ours))
        .collect();
    assert!(left.is_empty(), "the temp file is removed: {left:?}");
}

#[test]
fn a_board_that_does_not_parse_changes_nothing_and_e_reopens_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let before = std::fs::read(&board).unwrap();
    // First run: broken JSON (line 3, column 3). Second: keeps what it was given, fails.
    let again = dir.path().join("again.txt");
    let body = format!(
        "if [ -e '{again}.mark' ]; then cp \"$1\" '{again}'; exit 1; fi\n\
         touch '{again}.mark'\nprintf '{{\\n  \"version\": 1,\\n  oops\\n}}\\n' > \"$1\"",
        again = again.display()
    );
    let script = editor_script(dir.path(), &body);
    let mut s = open_with_editor(dir.path(), &board, &script);
    s.send(b"3E"); // from Settings: the whole board
    s.wait_for("the refusal", |c| c.contains("board not changed"));
    s.send(b"M");
    s.wait_for("the whole message with line and column", |c| {
        c.contains("noir.json:3:3:") && c.contains("E reopens it")
    });
    s.send(b"q"); // closes the log (Esc then E would read as alt-E)
    s.wait_for("the log closed", |c| !c.contains("last 100 kept"));
    assert_eq!(
        std::fs::read(&board).unwrap(),
        before,
        "the board is untouched"
    );
    s.send(b"E");
    s.wait_for("the editor's failure", |c| {
        c.contains("the editor exited with")
    });
    let reopened = std::fs::read_to_string(&again).unwrap();
    assert!(
        reopened.contains("oops"),
        "E reopened the kept text: {reopened}"
    );
    s.send(b"q");
    assert!(matches!(s.wait_exit(), WaitStatus::Exited(_, 0)));
    assert_eq!(std::fs::read(&board).unwrap(), before);
}

/// The text of the last OSC 52 the program wrote.
fn last_copy(raw: &[u8]) -> String {
    let raw = String::from_utf8_lossy(raw);
    let start = raw.rfind("\x1b]52;c;").expect("an OSC 52") + "\x1b]52;c;".len();
    let end = start + raw[start..].find('\x07').expect("its end");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&raw[start..end])
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn y_copies_the_prompt_and_the_request_through_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let board = noir_in(dir.path());
    let script = editor_script(dir.path(), "true");
    let mut s = open_with_editor(dir.path(), &board, &script);
    s.send(b"y");
    s.wait_for("the copy menu", |c| c.contains("Copy (OSC 52)"));
    s.send(b"p");
    s.wait_for("the prompt copied", |c| c.contains("Shot 1 prompt copied"));
    let prompt = shotdeck::files::board_file::load(&board).unwrap().shots[0]
        .prompt
        .clone();
    let seq = shotdeck::ui::host::osc52(&prompt);
    let raw = String::from_utf8_lossy(&s.raw).into_owned();
    assert!(raw.contains(&seq), "no OSC 52 of the prompt in the output");
    s.send(b"5yr");
    s.wait_for("the request copied", |c| c.contains("request JSON copied"));
    let request: serde_json::Value = serde_json::from_str(&last_copy(&s.raw)).unwrap();
    assert_eq!(request["model_name"], "kling-v3");
    let text = request.to_string();
    assert!(
        !text.contains(SECRET) && !text.contains("ak-never"),
        "{text}"
    );
    s.send(b"q");
    assert!(matches!(s.wait_exit(), WaitStatus::Exited(_, 0)));
}
