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
