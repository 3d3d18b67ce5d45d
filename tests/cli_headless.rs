//! The headless commands, run as the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn shotdeck(args: &[&str], config_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shotdeck"))
        .args(args)
        .env("SHOTDECK_CONFIG_DIR", config_dir)
        .env("SHOTDECK_DATA_DIR", config_dir.join("data"))
        .env("SHOTDECK_STATE_DIR", config_dir.join("state"))
        .env_remove("KLING_ACCESS_KEY")
        .env_remove("KLING_SECRET_KEY")
        .env_remove("KLING_API_KEY")
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn every_example_board_validates_clean() {
    let cfg = tempfile::tempdir().unwrap();
    for name in [
        "noir-3-shot.json",
        "single-shot.json",
        "image-to-video.json",
        "reference.json",
    ] {
        let path = examples().join(name);
        let out = shotdeck(&["validate", path.to_str().unwrap()], cfg.path());
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stdout));
        assert_eq!(text(&out.stdout), "", "{name}");
    }
}

#[test]
fn validate_exit_codes_and_line_format() {
    let dir = tempfile::tempdir().unwrap();
    let over = dir.path().join("over.json");
    std::fs::write(
        &over,
        r#"{"shots":[{"prompt":"a","duration":8},{"prompt":"","duration":8}],"prompt":"stray"}"#,
    )
    .unwrap();
    let out = shotdeck(&["validate", over.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    assert_eq!(
        lines,
        vec![
            "error shots[1].prompt: prompt is empty (1–512 characters)",
            "error duration: shots add up to 16 s; the total allows at most 15 s",
            "warning prompt: ignored while multi_shot is true (each shot has its own prompt)",
        ]
    );

    let out = shotdeck(&["validate", over.to_str().unwrap(), "--json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["severity"], "error");
    assert_eq!(v[0]["path"], "shots[1].prompt");
    assert!(v[0]["message"].as_str().unwrap().contains("512"));

    let warn_only = dir.path().join("warn.json");
    std::fs::write(
        &warn_only,
        r#"{"shots":[{"prompt":"a","duration":4}],"prompt":"stray"}"#,
    )
    .unwrap();
    assert_eq!(
        shotdeck(&["validate", warn_only.to_str().unwrap()], dir.path())
            .status
            .code(),
        Some(0)
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"shots\": [\n").unwrap();
    let out = shotdeck(&["validate", broken.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("broken.json:3:"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "{\n  \"shots\": [\n"
    );

    let out = shotdeck(
        &["validate", dir.path().join("absent.json").to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn compose_prints_the_request_and_refuses_invalid_boards() {
    let cfg = tempfile::tempdir().unwrap();
    let noir = examples().join("noir-3-shot.json");
    let out = shotdeck(
        &["compose", noir.to_str().unwrap(), "--provider", "kling"],
        cfg.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["method"], "POST");
    assert_eq!(v["path"], "/v1/videos/text2video");
    assert_eq!(v["body"]["multi_prompt"].as_array().unwrap().len(), 3);
    assert!(text(&out.stderr).contains("estimate"));

    let out = shotdeck(
        &["compose", noir.to_str().unwrap(), "--provider", "gateway"],
        cfg.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["path"], "/v1/video/generations");
    assert_eq!(v["body"]["duration"], 12);

    let bad = cfg.path().join("bad.json");
    std::fs::write(&bad, r#"{"shots":[{"prompt":"a","duration":20}]}"#).unwrap();
    let out = shotdeck(&["compose", bad.to_str().unwrap()], cfg.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "",
        "nothing composed for an invalid board"
    );
    assert!(text(&out.stderr).contains("error duration"));
}

#[test]
fn compose_can_embed_local_images_as_base64() {
    let cfg = tempfile::tempdir().unwrap();
    let board = examples().join("image-to-video.json");
    let out = shotdeck(
        &["compose", board.to_str().unwrap(), "--embed-images"],
        cfg.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let image = v["body"]["image"].as_str().unwrap();
    assert!(
        image.starts_with("iVBORw0KGgo"),
        "raw PNG base64 without a data: prefix"
    );
}

#[test]
fn new_writes_a_valid_starter_and_will_not_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.json");
    let p = path.to_str().unwrap();
    assert_eq!(shotdeck(&["new", p], dir.path()).status.code(), Some(0));
    assert_eq!(
        shotdeck(&["validate", p], dir.path()).status.code(),
        Some(0)
    );
    std::fs::write(&path, "mine").unwrap();
    assert_eq!(shotdeck(&["new", p], dir.path()).status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
}

#[test]
fn init_makes_a_project_once_and_says_what_to_commit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("film");
    std::fs::create_dir(&root).unwrap();
    let r = root.to_str().unwrap();
    let first = shotdeck(&["init", r, "--name", "Noir"], dir.path());
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("commit it"),
        "{}",
        text(&first.stdout)
    );
    let marker = std::fs::read_to_string(root.join(".shotdeck/project.toml")).unwrap();
    assert!(marker.contains("name = \"Noir\""), "{marker}");
    let again = shotdeck(&["init", r], dir.path());
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again.stdout).contains("already a project"));
    let after = std::fs::read_to_string(root.join(".shotdeck/project.toml")).unwrap();
    assert_eq!(after, marker, "a second init changes nothing");
    let missing = dir.path().join("nowhere");
    let refused = shotdeck(&["init", missing.to_str().unwrap()], dir.path());
    assert_eq!(refused.status.code(), Some(1));
    assert!(!missing.exists());
}

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = shotdeck(&["--version"], dir.path());
    assert!(text(&out.stdout).starts_with("shotdeck "));
    for cmd in ["new", "validate", "compose"] {
        let out = shotdeck(&[cmd, "--help"], dir.path());
        assert_eq!(out.status.code(), Some(0), "{cmd}");
        assert!(text(&out.stdout).contains("Usage:"), "{cmd}");
    }
}

#[test]
fn a_broken_config_is_reported_and_defaults_are_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "provider = 'nope'\n").unwrap();
    let noir = examples().join("noir-3-shot.json");
    let out = shotdeck(&["validate", noir.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("config.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn completions_name_every_subcommand_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = shotdeck(&["completions", shell], dir.path());
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        for word in ["validate", "submit", "sim-server", "completions"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
        // fish spells long flags `-l demo`, the others `--demo`.
        for flag in ["demo", "provider", "json"] {
            let named =
                script.contains(&format!("--{flag}")) || script.contains(&format!("-l {flag}"));
            assert!(named, "{shell} completion lacks --{flag}");
        }
    }
    let out = shotdeck(&["completions", "tcsh"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_man_page_renders() {
    let dir = tempfile::tempdir().unwrap();
    let out = shotdeck(&["man"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let page = text(&out.stdout);
    assert!(page.contains(".TH shotdeck 1"), "{page}");
    assert!(page.contains(".SH NAME"));
    assert!(page.contains("storyboard editor"));
    for word in ["validate", "completions", "demo"] {
        assert!(page.contains(word), "man page lacks {word}");
    }
    // What clap does not know: the editor's keys, the environment, files and exit codes.
    for section in [
        ".SH KEYS",
        ".SH ENVIRONMENT",
        ".SH FILES",
        ".SH EXIT STATUS",
    ] {
        assert!(page.contains(section), "man page lacks {section}");
    }
    for word in [
        "Command palette",
        "SHOTDECK_DATA_DIR",
        "credentials.toml",
        "\\fB130\\fR",
    ] {
        assert!(page.contains(word), "man page lacks {word}");
    }
    // `jobs wait`'s own help names exit 4 for a failed task, not 1.
    let out = shotdeck(&["jobs", "wait", "--help"], dir.path());
    let help = text(&out.stdout);
    assert!(help.contains("exit 4"), "{help}");
    assert!(!help.contains("failed (exit 1)"), "{help}");
}

#[test]
fn a_mistyped_subcommand_suggests_the_right_one_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let board = examples().join("single-shot.json");
    let board = board.to_str().unwrap();
    for args in [
        &["valdiate", board][..],
        &["valdiate"],
        &["--demo", "valdiate"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_shotdeck"))
            .args(args)
            .current_dir(dir.path())
            .env("SHOTDECK_CONFIG_DIR", dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("unrecognized subcommand 'valdiate'; did you mean 'validate'?"),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
    assert!(!dir.path().join("valdiate").exists());
    // What decides between a typo and a new board (the editor is not started here).
    let decide = |s: &str| shotdeck::cli::mistyped_subcommand(Path::new(s));
    assert_eq!(decide("valdiate").as_deref(), Some("validate"));
    assert_eq!(decide("new-board.json"), None);
    assert_eq!(decide("teaser"), None);
}

#[test]
fn a_mistyped_subcommand_with_a_control_character_is_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    // One slip from `validate`, the slip being ESC (a terminal would act on `ESC[2J`).
    let out = Command::new(env!("CARGO_BIN_EXE_shotdeck"))
        .arg("val\x1bidate")
        .current_dir(dir.path())
        .env("SHOTDECK_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("unrecognized subcommand 'val\\x1bidate'; did you mean 'validate'?"),
        "{err}"
    );
    assert!(!err.contains('\x1b'), "{err:?}");
}
