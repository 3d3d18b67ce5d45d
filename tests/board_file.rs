//! Board files: defaults, unknown fields kept on round-trip, malformed files reported with
//! line and column and never overwritten, atomic saves.

use shotdeck::core::{Board, ShotType};
use shotdeck::files::board_file::{self, BoardFileError};

#[test]
fn missing_optional_fields_take_defaults() {
    let b = board_file::parse(
        r#"{"shots":[{"prompt":"x","duration":4}]}"#,
        "b.json".as_ref(),
    )
    .unwrap();
    assert_eq!(b.version, 1);
    assert_eq!(b.model, "kling-v3");
    assert_eq!(b.quality, "std");
    assert!(b.multi_shot);
    assert_eq!(b.cfg_scale, 0.5);
    assert_eq!(b.effective_aspect_ratio(), "16:9");
}

/// `shot_type` is written only when a board sets it, so boards from before it round-trip
/// byte for byte; auto survives the trip.
#[test]
fn shot_type_is_left_out_while_custom_and_kept_when_auto() {
    for example in [
        "noir-3-shot.json",
        "single-shot.json",
        "image-to-video.json",
        "reference.json",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example);
        let text = std::fs::read_to_string(&path).unwrap();
        let b = board_file::parse(&text, &path).unwrap();
        assert_eq!(b.shot_type, ShotType::Custom);
        let saved = board_file::to_json(&b);
        assert!(!saved.contains("shot_type"), "{example}");
        let again = board_file::parse(&saved, &path).unwrap();
        assert_eq!(board_file::to_json(&again), saved, "{example}");
    }
    let auto = board_file::parse(
        r#"{"shot_type":"auto","prompt":"A chase.","duration":10}"#,
        "b.json".as_ref(),
    )
    .unwrap();
    assert_eq!(auto.shot_type, ShotType::Auto);
    let out = board_file::to_json(&auto);
    assert!(out.contains("\"shot_type\": \"auto\""), "{out}");
    assert_eq!(board_file::parse(&out, "b.json".as_ref()).unwrap(), auto);
    let custom = board_file::to_json(&Board::starter());
    assert!(!custom.contains("shot_type"), "{custom}");
    let bad = board_file::parse(r#"{"shot_type":"smart"}"#, "b.json".as_ref());
    assert!(bad.is_err());
}

#[test]
fn unknown_fields_survive_a_round_trip_in_place() {
    let text = r#"{
  "version": 1,
  "title": "T",
  "x_note": {"by": "someone", "tags": [1, 2]},
  "shots": [{"prompt": "p", "duration": 4, "camera": "dolly"}],
  "future_field": true
}"#;
    let b = board_file::parse(text, "b.json".as_ref()).unwrap();
    let out = board_file::to_json(&b);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["x_note"]["tags"][1], 2);
    assert_eq!(v["future_field"], true);
    assert_eq!(v["shots"][0]["camera"], "dolly");
    // Whole durations stay integers so the file diffs cleanly.
    assert!(
        out.contains("\"duration\": 4\n") || out.contains("\"duration\": 4,"),
        "{out}"
    );
    assert_eq!(board_file::parse(&out, "b.json".as_ref()).unwrap(), b);
}

#[test]
fn malformed_file_reports_line_and_column_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    let text = "{\n  \"title\": \"x\",\n  \"shots\": [ {\"prompt\": \"a\" \"duration\": 3} ]\n}\n";
    std::fs::write(&path, text).unwrap();
    let err = board_file::load(&path).unwrap_err();
    match &err {
        BoardFileError::Parse { line, column, .. } => {
            assert_eq!(*line, 3);
            assert!(*column > 20, "{column}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert!(err.to_string().contains("bad.json:3:"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_wrongly_typed_field_names_its_position() {
    let err = board_file::parse("{\"mode\": \"video\"}", "b.json".as_ref()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("b.json:1:") && msg.contains("unknown variant"),
        "{msg}"
    );
}

#[test]
fn a_newer_schema_version_is_refused_rather_than_downgraded() {
    let err = board_file::parse("{\"version\": 2}", "b.json".as_ref()).unwrap_err();
    assert!(matches!(err, BoardFileError::NewerVersion { found: 2, .. }));
}

#[test]
fn save_is_atomic_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("board.json");
    let mut b = Board::starter();
    board_file::save(&path, &b).unwrap();
    b.title = "Second".into();
    board_file::save(&path, &b).unwrap();
    assert_eq!(board_file::load(&path).unwrap().title, "Second");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["board.json".to_string()]);
}

#[cfg(unix)]
#[test]
fn save_keeps_the_files_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("board.json");
    board_file::save(&path, &Board::starter()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    board_file::save(&path, &Board::starter()).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn image_facts_come_from_headers() {
    use shotdeck::core::ImageFact;
    use shotdeck::files::image_probe::probe;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    assert_eq!(
        probe(&dir, "images/street-first-frame.png"),
        ImageFact::Local {
            format: "png".into(),
            width: 640,
            height: 360,
            bytes: std::fs::metadata(dir.join("images/street-first-frame.png"))
                .unwrap()
                .len()
        }
    );
    assert!(matches!(
        probe(&dir, "images/nope.png"),
        ImageFact::Missing(_)
    ));
    assert!(matches!(
        probe(&dir, "noir-3-shot.json"),
        ImageFact::Unreadable(_)
    ));
    assert_eq!(probe(&dir, "https://example.com/x.png"), ImageFact::Remote);
}

#[test]
fn parse_errors_name_the_field_too() {
    let text = "{\n  \"shots\": [\n    {\"prompt\": \"a\", \"duration\": \"x\"}\n  ]\n}\n";
    let msg = board_file::parse(text, "b.json".as_ref())
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("b.json:3:"), "{msg}");
    assert!(msg.contains("shots[0].duration: invalid type"), "{msg}");
    assert!(msg.contains("expected a number"), "{msg}");
}

const SMALL: &str = "{\n  \"shots\": [{\"prompt\": \"a\", \"duration\": 4}]\n}\n";

#[test]
fn text_after_the_json_is_refused_with_its_position() {
    let conflict = format!("{SMALL}=======\n{SMALL}>>>>>>> theirs\n");
    let err = board_file::parse(&conflict, "b.json".as_ref()).unwrap_err();
    match &err {
        BoardFileError::Parse { line, column, .. } => assert_eq!((*line, *column), (4, 1)),
        other => panic!("{other}"),
    }
    assert!(
        err.to_string().contains("text after the board's JSON"),
        "{err}"
    );
    // A second object is refused the same way; whitespace after the board is fine.
    assert!(board_file::parse(&format!("{SMALL}{SMALL}"), "b.json".as_ref()).is_err());
    assert!(board_file::parse(&format!("{SMALL}\n\n  \n"), "b.json".as_ref()).is_ok());
}

#[test]
fn a_byte_order_mark_is_skipped_and_invalid_utf8_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bom.json");
    std::fs::write(&p, [b"\xEF\xBB\xBF".as_slice(), SMALL.as_bytes()].concat()).unwrap();
    assert_eq!(board_file::load(&p).unwrap().shots[0].prompt, "a");

    let p = dir.path().join("latin1.json");
    let mut bytes = b"{\n  \"title\": \"caf".to_vec();
    bytes.push(0xE9); // é in Latin-1
    bytes.extend_from_slice(b"\"\n}\n");
    std::fs::write(&p, &bytes).unwrap();
    let err = board_file::load(&p).unwrap_err();
    assert!(
        matches!(
            err,
            BoardFileError::NotUtf8 {
                offset: 17,
                line: 2,
                column: 16,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("offset 17"), "{err}");
}

#[cfg(unix)]
#[test]
fn special_files_and_huge_files_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        // Would block forever if it were opened.
        let err = board_file::load(&fifo).unwrap_err();
        assert!(err.to_string().contains("is a FIFO"), "{err}");
    }
    if std::path::Path::new("/dev/zero").exists() {
        let err = board_file::load("/dev/zero".as_ref()).unwrap_err();
        assert!(err.to_string().contains("is a device"), "{err}");
    }
    let err = board_file::load(dir.path()).unwrap_err();
    assert!(err.to_string().contains("is a folder"), "{err}");

    let big = dir.path().join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(board_file::MAX_BOARD_BYTES + 1).unwrap(); // sparse: costs no disk
    let err = board_file::load(&big).unwrap_err();
    assert!(matches!(err, BoardFileError::TooLarge { .. }), "{err}");
}

#[cfg(unix)]
#[test]
fn saving_a_symlinked_board_writes_the_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("boards");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("noir.json");
    std::fs::write(&real, SMALL).unwrap();
    // A relative link, and a link to that link.
    let link = dir.path().join("current.json");
    std::os::unix::fs::symlink("boards/noir.json", &link).unwrap();
    let link2 = dir.path().join("again.json");
    std::os::unix::fs::symlink(&link, &link2).unwrap();

    let mut b = board_file::load(&link2).unwrap();
    b.title = "through the link".into();
    board_file::save(&link2, &b).unwrap();

    for l in [&link, &link2] {
        assert!(
            std::fs::symlink_metadata(l)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
    assert_eq!(board_file::load(&real).unwrap().title, "through the link");
    // No temp file was left beside the link or the target.
    for d in [dir.path(), real_dir.as_path()] {
        let stray: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(stray.is_empty(), "{stray:?}");
    }
}

#[cfg(unix)]
#[test]
fn one_board_has_one_identity_however_it_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let boards = dir.path().join("boards");
    std::fs::create_dir(&boards).unwrap();
    let real = boards.join("x.json");
    std::fs::write(&real, SMALL).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let canonical = std::fs::canonicalize(&real).unwrap();
    for name in [
        real.clone(),
        boards.join("./x.json"),
        boards.join("../boards/x.json"),
        link,
    ] {
        assert_eq!(board_file::identity(&name), canonical, "{}", name.display());
    }
    // A board not saved yet is named as it will be once it exists.
    let new = boards.join("../boards/./new.json");
    let before = board_file::identity(&new);
    std::fs::write(boards.join("new.json"), SMALL).unwrap();
    assert_eq!(before, board_file::identity(&new));
}

/// Elements and voices round-trip exactly, fields the board does not know included; boards
/// without them are written without them.
#[test]
fn elements_and_voices_round_trip_and_stay_out_of_boards_without_them() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join("element.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let b = board_file::parse(&text, &path).unwrap();
    assert_eq!(b.elements.len(), 1);
    assert_eq!(b.elements[0].id, "100001");
    assert_eq!(
        b.elements[0].preview.as_deref(),
        Some("images/detective.png")
    );
    assert_eq!(board_file::to_json(&b), text);
    let with_voice = r#"{
  "shots": [{"prompt": "<<<voice_1>>> says hello", "duration": 4}],
  "elements": [{"id": "7", "x_tag": "kept"}],
  "voices": [{"id": "narrator_en", "name": "Narrator", "lang": "en"}]
}"#;
    let v = board_file::parse(with_voice, "b.json".as_ref()).unwrap();
    assert_eq!(v.voices[0].name, "Narrator");
    let out = board_file::to_json(&v);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["voices"][0]["lang"], "en");
    assert_eq!(json["elements"][0]["x_tag"], "kept");
    assert!(json["elements"][0].get("name").is_none(), "{out}");
    assert_eq!(board_file::parse(&out, "b.json".as_ref()).unwrap(), v);
    let starter = board_file::to_json(&Board::starter());
    assert!(
        !starter.contains("elements") && !starter.contains("voices"),
        "{starter}"
    );
}
