//! `y` outside the job queue: a menu of what to copy, each through the host's clipboard.

use super::*;

#[test]
fn the_copy_menu_copies_the_jobs_file_path_the_prompt_or_nothing() {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6G"); // the oldest of this board's jobs: #1, downloaded
    h.keys("1y");
    assert_eq!(h.app.overlay_name(), Some("copy_menu"));
    h.keys("f");
    assert_eq!(h.app.overlay_name(), None, "the menu closes on a choice");
    let path = h.dir.path().join("board.renders/job-1.mp4");
    assert_eq!(
        h.rec.copied.lock().unwrap().as_slice(),
        [path.display().to_string()]
    );
    assert!(
        h.app
            .toast()
            .unwrap()
            .text
            .starts_with("file path copied (OSC 52,")
    );
    h.keys("jyp"); // Shot 2's prompt
    assert_eq!(
        h.rec.copied.lock().unwrap().last().unwrap(),
        &noir().shots[1].prompt
    );
    assert!(
        h.app
            .toast()
            .unwrap()
            .text
            .starts_with("Shot 2 prompt copied")
    );
    h.keys("yq");
    assert_eq!(h.app.overlay_name(), None);
    assert_eq!(h.rec.copied.lock().unwrap().len(), 2, "q copies nothing");
    // In the job queue `y` stays the video URL.
    h.keys("6y");
    assert_eq!(
        h.rec.copied.lock().unwrap().last().unwrap(),
        "https://cdn.example.test/v/abc.mp4"
    );
    // A job with no downloaded file says so instead of copying.
    h.keys("g1yf");
    assert!(h.app.toast().unwrap().error);
    assert_eq!(h.rec.copied.lock().unwrap().len(), 3);
}
