//! A board named with terminal escapes: `jobs show` and `download` print its name (and the
//! video's, which is made from it) escaped, like every string that did not come from us.

use shotdeck::sim::Faults;

use super::{Setup, describe, text};

/// Sets the window title and clears the screen when printed raw.
const HOSTILE: &str = "\x1b]0;pwned\x07\x1b[2J";

fn assert_inert(what: &str, out: &std::process::Output) {
    for bytes in [&out.stdout, &out.stderr] {
        assert!(
            !bytes.contains(&0x1b) && !bytes.contains(&0x07),
            "{what}: a raw ESC or BEL: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[tokio::test]
async fn jobs_show_and_download_print_a_hostile_board_name_escaped() {
    let s = Setup::new(Faults::default()).await;
    let plain = s.board("single-shot.json");
    let board = plain.with_file_name(format!("b{HOSTILE}.json"));
    std::fs::rename(&plain, &board).unwrap();
    let board = board.to_str().unwrap();
    let out = s.run(&["submit", board, "--yes", "--wait"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_inert("submit", &out);

    let escaped = "b\\x1b]0;pwned\\x07\\x1b[2J";
    let out = s.run(&["jobs", "show", "1"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_inert("jobs show", &out);
    assert!(text(&out.stdout).contains(escaped), "{}", describe(&out));

    let out = s.run(&["download", "1"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_inert("download", &out);
    assert!(text(&out.stdout).contains(escaped), "{}", describe(&out));
}
