//! Issue 22's "done": the demo's three-board sequence (boards 2 and 3 share the simulator's
//! Detective element on kling-v3-omni) goes from boards to a watchable cut and a shot list,
//! through the real binary against the simulator.

use shotdeck::sim::Faults;

use super::{Setup, describe, text};

const BOARDS: [&str; 3] = ["noir-demo", "noir-2-alley", "noir-3-club"];

#[tokio::test]
async fn the_demo_sequence_becomes_a_cut_with_its_shot_list() {
    let s = Setup::new(Faults::default()).await;
    let dir = s.dir.path().join("noir");
    std::fs::create_dir_all(&dir).unwrap();
    shotdeck::app::demo::write_demo_board(&dir).unwrap();
    let project = dir.to_str().unwrap();

    for (n, name) in BOARDS.iter().enumerate() {
        let board = dir.join(format!("{name}.json"));
        let out = s
            .run(&["submit", board.to_str().unwrap(), "--yes", "--wait"])
            .await;
        assert_eq!(out.status.code(), Some(0), "{name}: {}", describe(&out));
        let id = (n + 1).to_string();
        let out = s.run(&["jobs", "keep", &id]).await;
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

        // What went to the simulator: the element boards name the library's Detective
        // in element_list on omni-video; the first board is plain text2video.
        let out = s.run(&["jobs", "show", &id, "--json"]).await;
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let job: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let request = &job["request"];
        if n == 0 {
            assert_eq!(request["path"], "/v1/videos/text2video", "{job}");
            assert!(request["body"].get("element_list").is_none(), "{job}");
        } else {
            assert_eq!(request["path"], "/v1/videos/omni-video", "{job}");
            assert_eq!(
                request["body"]["element_list"],
                serde_json::json!([{ "element_id": 100001 }]),
                "{job}"
            );
            let prompts = request["body"].to_string();
            assert!(prompts.contains("<<<element_1>>>"), "{job}");
        }
    }

    let out = s.run(&["sequence", project]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with("Sequence Noir: 3/3 kept · 0:03 of 0:36"),
        "{shown}"
    );

    let film = s.dir.path().join("noir.mp4");
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
    assert_eq!(rows.len(), 4, "{csv}");
    for (i, name) in BOARDS.iter().enumerate() {
        assert!(
            rows[i + 1].starts_with(&format!("{},{name},1,", i + 1)),
            "{csv}"
        );
    }
    assert!(
        rows[2].contains("<<<element_1>>>"),
        "the prompt as sent: {csv}"
    );
    let edl = std::fs::read_to_string(film.with_extension("edl")).unwrap();
    assert!(edl.starts_with("TITLE: Noir\n"), "{edl}");
    assert!(
        edl.contains("* FROM CLIP NAME: noir-3-club take 1\n"),
        "{edl}"
    );
}
