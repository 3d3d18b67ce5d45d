//! `shotdeck submit` of a board that continues from the previous keeper by omni-video's
//! reference video, held to what `video_list` allows: a board with sound on, or longer than
//! 10 s, is refused before anything is sent (exit 2, the field named), and the simulator
//! sees no create.

use std::path::{Path, PathBuf};

use shotdeck::sim::Faults;

use super::{Setup, describe, text};

/// `01-arrival` (the single-shot example) then `02-market` on omni-video continuing from
/// it, with `edit` applied to the second.
fn project(s: &Setup, edit: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let dir = s.dir.path().join("night");
    std::fs::create_dir_all(&dir).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/single-shot.json");
    let mut board: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    std::fs::write(dir.join("01-arrival.json"), board.to_string()).unwrap();
    board["model"] = "kling-v3-omni".into();
    board["duration"] = 5.into();
    edit(&mut board);
    std::fs::write(dir.join("02-market.json"), board.to_string()).unwrap();
    std::fs::write(
        dir.join("sequence.toml"),
        "boards = [\"01-arrival.json\", { board = \"02-market.json\", continue_from = \"previous\" }]\n",
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn a_continuing_omni_board_outside_the_video_rules_is_refused_and_nothing_is_sent() {
    let s = Setup::new(Faults::default()).await;
    let dir = project(&s, |b| b["sound"] = true.into());
    let arrival = dir.join("01-arrival.json");
    let out = s
        .run(&["submit", arrival.to_str().unwrap(), "--yes", "--wait"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = s.run(&["jobs", "keep", "1"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let creates = s.sim.stats().creates_accepted;
    assert_eq!(creates, 1);

    let market = dir.join("02-market.json");
    let out = s.run(&["submit", market.to_str().unwrap(), "--yes"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let said = text(&out.stderr);
    assert!(
        said.contains("sound must be off with 01-arrival take 1 as the reference video"),
        "the field and why: {said}"
    );
    assert!(said.contains("sound"), "{said}");

    // Sound off but 12 s: the duration is named.
    let mut board: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&market).unwrap()).unwrap();
    board["sound"] = false.into();
    board["duration"] = 12.into();
    std::fs::write(&market, board.to_string()).unwrap();
    let out = s.run(&["submit", market.to_str().unwrap(), "--yes"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let said = text(&out.stderr);
    assert!(
        said.contains("duration")
            && said.contains("12 s: a video continued with 01-arrival take 1"),
        "{said}"
    );
    assert_eq!(
        s.sim.stats().creates_accepted,
        creates,
        "the simulator saw no create for the refused boards"
    );
    let out = s.run(&["jobs", "--json"]).await;
    let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        jobs.as_array().map(Vec::len),
        Some(1),
        "nothing recorded: {jobs}"
    );

    // Within the rules (5 s, sound off) it goes, as a video reference.
    board["duration"] = 5.into();
    std::fs::write(&market, board.to_string()).unwrap();
    let out = s.run(&["submit", market.to_str().unwrap(), "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        text(&out.stderr)
            .contains("02-market continues from 01-arrival take 1: video reference (omni)"),
        "{}",
        describe(&out)
    );
}
