//! `shotdeck sequence` and `shotdeck cut` as the real binary: three boards submitted to the
//! simulator, their keepers marked, joined into one MP4 with its shot list.

use std::path::{Path, PathBuf};

use shotdeck::sim::Faults;

use super::{Setup, describe, text};

const BOARDS: [&str; 3] = ["01-arrival", "02-market", "03-exit"];

/// A project folder with three boards (copies of the single-shot example, each with its
/// own prompt) and its sequence.toml, the second continuing from the first.
fn project(s: &Setup) -> PathBuf {
    let dir = s.dir.path().join("night");
    std::fs::create_dir_all(&dir).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/single-shot.json");
    let mut board: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    for name in BOARDS {
        board["prompt"] = format!("{name}, a wide shot at night").into();
        std::fs::write(dir.join(format!("{name}.json")), board.to_string()).unwrap();
    }
    write_sequence(&dir, "\"02-market.json\"");
    dir
}

/// Submits every board in order (jobs 1, 2, 3), waiting for each, and keeps the first `keep`.
async fn submit_all(s: &Setup, dir: &Path, keep: usize) {
    for (n, name) in BOARDS.iter().enumerate() {
        let board = dir.join(format!("{name}.json"));
        let out = s
            .run(&["submit", board.to_str().unwrap(), "--yes", "--wait"])
            .await;
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        if n < keep {
            let out = s.run(&["jobs", "keep", &(n + 1).to_string()]).await;
            assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        }
    }
}

fn write_sequence(dir: &Path, second: &str) {
    std::fs::write(
        dir.join("sequence.toml"),
        format!(
            "title = \"Night market\"\nboards = [\n  \"01-arrival.json\",\n  {second},\n  \"03-exit.json\",\n]\n"
        ),
    )
    .unwrap();
}

#[tokio::test]
async fn three_boards_to_a_cut_and_its_shot_list() {
    let s = Setup::new(Faults::default()).await;
    let dir = project(&s);
    let project = dir.to_str().unwrap();
    submit_all(&s, &dir, 2).await;

    // The second board now says it continues from the first: the dry run says how (the
    // text board's model takes no video, so the keeper's last frame as its first frame) and
    // shows the request with it; nothing is recorded.
    write_sequence(
        &dir,
        "{ board = \"02-market.json\", continue_from = \"previous\" }",
    );
    let market = dir.join("02-market.json");
    let out = s
        .run(&["submit", market.to_str().unwrap(), "--dry-run"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let said = text(&out.stderr);
    assert!(
        said.contains(
            "02-market continues from 01-arrival take 1: last frame \
             .shotdeck/frames/01-arrival-take1-last.png (decoded with OpenH264"
        ),
        "{said}"
    );
    let request: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let body = &request["body"];
    assert_eq!(
        body["image"], "<base64 of .shotdeck/frames/01-arrival-take1-last.png>",
        "{request}"
    );
    assert_eq!(request["path"], "/v1/videos/image2video", "{request}");

    // A board continuing from one with no keeper is refused: exit 2, nothing sent.
    std::fs::write(
        dir.join("sequence.toml"),
        "boards = [\"03-exit.json\", { board = \"01-arrival.json\", continue_from = \"previous\" }]\n",
    )
    .unwrap();
    let arrival = dir.join("01-arrival.json");
    let out = s.run(&["submit", arrival.to_str().unwrap(), "--yes"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let said = text(&out.stderr);
    assert!(
        said.contains("01-arrival continues from 03-exit, which has no keeper yet (sequence.toml)")
            && said.contains("nothing was sent"),
        "{said}"
    );
    write_sequence(
        &dir,
        "{ board = \"02-market.json\", continue_from = \"previous\" }",
    );
    let jobs = s.run(&["jobs", "--json"]).await;
    let jobs: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    assert_eq!(jobs.as_array().unwrap().len(), 3, "no job recorded");

    let out = s.run(&["sequence", project]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let shown = text(&out.stdout);
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(
        lines[0], "Sequence Night market: 2/3 kept · 0:02 of 0:30 · no keeper: 03-exit",
        "{shown}"
    );
    assert!(
        lines[1].starts_with(" 1  01-arrival  take 1 · 0:01 · "),
        "{shown}"
    );
    assert!(
        lines[2].ends_with(" · continues from 01-arrival take 1"),
        "{shown}"
    );
    assert!(
        lines[3].starts_with(" 3  03-exit     no keeper (asks for 0:10)"),
        "{shown}"
    );

    // A board without a keeper is named, and nothing is written.
    let out = s.run(&["cut", project]).await;
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("cannot cut Night market: board 03-exit has no keeper"),
        "{}",
        describe(&out)
    );
    assert!(!dir.join("cut.mp4").exists());

    let out = s.run(&["jobs", "keep", "3"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let film = s.dir.path().join("film.mp4");
    let out = s.run(&["cut", project, "-o", film.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        text(&out.stdout).contains("· 3 shots, 0:03 · joined without re-encoding"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        shotdeck::engine::media::mp4_duration_secs(&film).unwrap(),
        Some(3.0)
    );

    let csv = std::fs::read_to_string(film.with_extension("csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "shot,board,take,prompt,start,duration,source");
    assert_eq!(rows.len(), 4, "{csv}");
    for (i, name) in BOARDS.iter().enumerate() {
        let start = format!("{}.000", i);
        assert!(
            rows[i + 1].starts_with(&format!(
                "{},{name},1,\"{name}, a wide shot at night\",{start},1.000,",
                i + 1
            )),
            "{csv}"
        );
        assert!(rows[i + 1].ends_with(".mp4"), "{csv}");
    }

    let edl = std::fs::read_to_string(film.with_extension("edl")).unwrap();
    assert!(
        edl.starts_with("TITLE: Night market\nFCM: NON-DROP FRAME\n"),
        "{edl}"
    );
    assert!(
        edl.contains("\n003  AX       V     C        00:00:00:00 00:00:01:00 01:00:02:00 01:00:03:00\n* FROM CLIP NAME: 03-exit take 1\n"),
        "{edl}"
    );
    assert!(
        edl.contains("* COMMENT: 02-market, a wide shot at night\n"),
        "{edl}"
    );

    // A sequence file that does not parse is refused with where.
    std::fs::write(
        dir.join("sequence.toml"),
        "boards = [\"a.json\", \"a.json\"]\n",
    )
    .unwrap();
    let out = s.run(&["sequence", project]).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("line 1, column 21: board \"a.json\" is listed twice"),
        "{}",
        describe(&out)
    );
}

/// The shot list tells what was shot: a board edited after its take was kept keeps the
/// prompt sent in the cut, a board file that no longer parses is a warning naming where
/// (the cut proceeds from its keeper), and `-o` into a folder not made yet works.
#[tokio::test]
async fn the_cut_lists_the_prompts_sent_whatever_the_boards_say_now() {
    let s = Setup::new(Faults::default()).await;
    let dir = project(&s);
    let project = dir.to_str().unwrap();
    submit_all(&s, &dir, 3).await;
    let market = dir.join("02-market.json");
    let edited = std::fs::read_to_string(&market).unwrap().replace(
        "02-market, a wide shot at night",
        "an edit made after the take",
    );
    std::fs::write(&market, edited).unwrap();
    std::fs::write(
        dir.join("03-exit.json"),
        "{\n  \"prompt\": \"half a board\",,\n}\n",
    )
    .unwrap();

    let out = s.run(&["sequence", project]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let shown = text(&out.stdout);
    let exit = shown.lines().nth(3).unwrap_or_default();
    assert!(
        exit.starts_with(" 3  03-exit     take 1 · 0:01 · ")
            && exit.contains(" · board unreadable (")
            && exit.contains("03-exit.json:2:")
            && exit.ends_with("): the cut uses the keeper as sent"),
        "{shown}"
    );

    let film = s.dir.path().join("out/films/night.mp4");
    let out = s.run(&["cut", project, "-o", film.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let warned = text(&out.stderr);
    assert!(
        warned.contains("warning: board 03-exit cannot be read (")
            && warned.contains("03-exit.json:2:")
            && warned.contains("its keeper, take 1, is used as it was sent"),
        "{warned}"
    );
    assert_eq!(
        shotdeck::engine::media::mp4_duration_secs(&film).unwrap(),
        Some(3.0)
    );
    let leftovers: Vec<_> = std::fs::read_dir(film.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let job = s.run(&["jobs", "show", "2", "--json"]).await;
    let job: serde_json::Value = serde_json::from_slice(&job.stdout).unwrap();
    let sent = job["request"]["body"]["prompt"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sent, "02-market, a wide shot at night", "{job}");
    let csv = std::fs::read_to_string(film.with_extension("csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(
        rows[2].starts_with(&format!("2,02-market,1,\"{sent}\",1.000,")),
        "{csv}"
    );
    assert!(
        rows[3].starts_with("3,03-exit,1,\"03-exit, a wide shot at night\","),
        "{csv}"
    );
    assert!(!csv.contains("an edit made after the take"), "{csv}");
}
