//! A board that continues from the previous keeper, shown before anything is sent: the
//! Request pane previews the body as a submit sends it (`video_list` with the keeper's take
//! and its URL shortened, the prompt's prefix; or the last frame as the first frame), and
//! the retry dialog's "board as it is now" says the continuation too. A stored request the
//! engine refuses for a reference video past Kling's 30 days opens the dialog again,
//! offering the board as it is now.

use std::path::{Path, PathBuf};

use shotdeck::core::Board;
use shotdeck::core::jobs::Refusal;
use shotdeck::core::sequence::{KeeperFacts, SequenceStatus};
use shotdeck::engine::events::{JobCmd, JobEvent};

use super::snap;
use crate::ui_support::*;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A signed result URL as long as Kling's: its signature is not worth a row of the pane.
fn signed_url() -> String {
    format!(
        "https://v1-kling.klingai.com/bs2/upload-ylab-stunt/results/take2.mp4?x-expires=1767225600&x-signature={}",
        "Zm9v".repeat(20)
    )
}

/// 01-arrival (take 2 kept, 5 s, finished two days ago, `url` and `file` as given), this
/// board continuing from it, then 03-exit.
fn sequence(board: &Path, url: Option<String>, file: Option<&str>) -> SequenceStatus {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let kept = KeeperFacts {
        take: 2,
        seconds: 5.0,
        file: file.map(PathBuf::from),
        url,
        finished_at: Some(now - 2 * DAY_MS),
        prompt: None,
        asked_seconds: 5.0,
    };
    super::sequence_with(board, kept)
}

/// One shot on omni-video, 5 s, sound off: what a video reference allows.
fn omni() -> Board {
    Board {
        model: "kling-v3-omni".into(),
        multi_shot: false,
        sound: false,
        prompt: "The detective steps out of the taxi into the rain.".into(),
        duration: 5.0,
        shots: vec![],
        ..noir()
    }
}

/// `board` opened in the sequence `of` builds around it, with `sample_jobs`.
fn open(board: &Board, of: impl Fn(&Path) -> SequenceStatus) -> Harness {
    let seen = std::cell::RefCell::new(PathBuf::new());
    let mut h = harness_tweaked(
        board,
        |path| {
            *seen.borrow_mut() = path.to_path_buf();
            sample_jobs(path)
        },
        |deps| deps.sequence = Some(of(&seen.borrow())),
    );
    while h.cmds.try_recv().is_ok() {}
    h
}

#[test]
fn the_request_pane_shows_the_video_reference_as_sent() {
    let mut h = open(&omni(), |b| sequence(b, Some(signed_url()), None));
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("board continues from 01-arrival take 2: video reference (omni)"),
        "{screen}"
    );
    assert!(
        screen.contains("\"prompt\": \"Continue from <<<video_1>>>: The detective"),
        "the prefix the prompt gets: {screen}"
    );
    // The body's end: video_list.
    h.keys("5G");
    snap("continues_preview_video", &h);
    let screen = h.screen(160, 48);
    assert!(screen.contains("\"video_list\""), "{screen}");
    // The row wraps at the host's hyphen.
    assert!(
        screen.contains("\"video_url\": \"<01-arrival take 2's video: https://v1-")
            && screen.contains("kling.klingai.com/…/take2.mp4?…>\""),
        "the keeper's take, the URL without its signature: {screen}"
    );
    assert!(!screen.contains("x-signature"), "{screen}");
    assert!(screen.contains("\"refer_type\": \"feature\""), "{screen}");
}

#[test]
fn the_request_pane_shows_the_last_frame_as_the_first_frame() {
    // kling-v3 text: no video reference, so the keeper's last frame as an image2video.
    let mut h = open(&noir(), |b| {
        sequence(b, Some(signed_url()), Some("/renders/01-arrival-2.mp4"))
    });
    h.screen(160, 48); // the pane learns its height
    h.keys("5G");
    snap("continues_preview_frame", &h);
    let screen = h.screen(160, 48);
    assert!(screen.contains("POST /v1/videos/image2video"), "{screen}");
    assert!(
        screen.contains("<base64 of .shotdeck/frames/01-arrival-take2-last.png>"),
        "{screen}"
    );
    assert!(!screen.contains("video_list"), "{screen}");
}

#[test]
fn a_continuation_that_cannot_be_built_is_said_above_the_preview() {
    // No URL and no file: neither way.
    let h = open(&noir(), |b| sequence(b, None, None));
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("refused: board continues from 01-arrival take 2 (sequence.toml)"),
        "{screen}"
    );
}

#[test]
fn the_retry_dialogs_board_now_says_how_it_continues() {
    let mut h = open(&omni(), |b| sequence(b, Some(signed_url()), None));
    h.keys("6jj"); // #2, failed: "the board as it is now" is the default
    h.keys("r");
    snap("continues_retry_board_now", &h);
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("› Send a new one: the board as it is now")
            && screen.contains("board continues from 01-arrival take 2: video reference (omni)"),
        "{screen}"
    );
}

#[test]
fn a_stored_request_past_thirty_days_is_refused_and_board_now_is_offered() {
    let mut h = open(&omni(), |b| sequence(b, Some(signed_url()), None));
    h.keys("6jj");
    h.keys("r");
    h.key(crossterm::event::KeyCode::Down); // the stored request
    h.keys("y");
    let sent: Vec<JobCmd> = std::iter::from_fn(|| h.cmds.try_recv().ok()).collect();
    assert!(
        sent.iter().any(|c| matches!(c, JobCmd::Retry(2))),
        "the engine decides: {sent:?}"
    );
    h.app.on_job_event(JobEvent::Rejected {
        reason: Refusal::ExpiredReference {
            id: 2,
            from: "01-arrival take 2".into(),
            days: 34,
        },
        ticket: None,
    });
    assert_eq!(h.app.overlay_name(), Some("retry"));
    snap("continues_retry_expired", &h);
    let screen = h.screen(160, 48);
    assert!(
        screen.contains("Stored request refused: 01-arrival take 2's video URL is 34 days")
            && screen.contains("› Send a new one: the board as it is now"),
        "{screen}"
    );
    assert!(
        !screen.contains("Send a new one: job #2's stored request"),
        "{screen}"
    );
    h.keys("y");
    let sent: Vec<JobCmd> = std::iter::from_fn(|| h.cmds.try_recv().ok()).collect();
    let retries: Vec<_> = sent
        .iter()
        .filter_map(|c| match c {
            JobCmd::Submit(req) => Some(req.options.retry_of),
            _ => None,
        })
        .collect();
    assert_eq!(
        retries,
        [Some(2)],
        "the board as it is now, as job #2's retry"
    );
}
