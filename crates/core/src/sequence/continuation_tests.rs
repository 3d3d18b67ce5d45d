use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::compose::{PlaceholderImages, compose};
use crate::field_path::{FieldPath, ShotField};
use crate::findings::Severity;
use crate::images::ImageFacts;
use crate::model::Shot;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const NOW: i64 = 100 * DAY_MS;

fn keeper(
    url: Option<&str>,
    file: Option<&str>,
    seconds: f64,
    finished_days_ago: i64,
) -> KeeperFacts {
    KeeperFacts {
        take: 2,
        seconds,
        file: file.map(PathBuf::from),
        url: url.map(String::from),
        finished_at: Some(NOW - finished_days_ago * DAY_MS),
        prompt: None,
        asked_seconds: seconds,
    }
}

fn omni_board() -> Board {
    Board {
        model: "kling-v3-omni".into(),
        multi_shot: false,
        prompt: "she walks into the market".into(),
        duration: 5.0,
        ..Board::default()
    }
}

fn plan_for(board: &Board, provider: Provider, k: &KeeperFacts) -> Result<Continuation, String> {
    plan(board, provider, &Profiles::default(), "01-arrival", k, NOW)
}

const URL: &str = "https://cdn.example/result.mp4";

#[test]
fn omni_with_a_fresh_url_takes_the_video_reference() {
    let k = keeper(Some(URL), Some("/r/a.mp4"), 5.0, 2);
    let c = plan_for(&omni_board(), Provider::Kling, &k).unwrap();
    assert_eq!(
        c.how,
        ContinueHow::VideoReference {
            video_url: URL.into(),
            finished_at: Some(NOW - 2 * DAY_MS),
        }
    );
    assert_eq!(
        c.line("02-market"),
        "02-market continues from 01-arrival take 2: video reference (omni)"
    );
    // A relay of Kling's body carries it too.
    assert!(matches!(
        plan_for(&omni_board(), Provider::KlingRelay, &k)
            .unwrap()
            .how,
        ContinueHow::VideoReference { .. }
    ));
}

#[test]
fn anything_the_reference_cannot_take_falls_to_the_last_frame() {
    let last_frame = ContinueHow::LastFrame {
        frame: ".shotdeck/frames/01-arrival-take2-last.png".into(),
        video: PathBuf::from("/r/a.mp4"),
    };
    let cases = [
        // Past Kling's 30 days.
        (
            omni_board(),
            Provider::Kling,
            keeper(Some(URL), Some("/r/a.mp4"), 5.0, 30),
        ),
        // No URL recorded.
        (
            omni_board(),
            Provider::Kling,
            keeper(None, Some("/r/a.mp4"), 5.0, 1),
        ),
        // 15 s: a reference video is 3–10 s.
        (
            omni_board(),
            Provider::Kling,
            keeper(Some(URL), Some("/r/a.mp4"), 15.0, 1),
        ),
        // A gateway's form has no video_list.
        (
            omni_board(),
            Provider::Gateway,
            keeper(Some(URL), Some("/r/a.mp4"), 5.0, 1),
        ),
        // kling-v3's text board goes to text2video.
        (
            Board {
                model: "kling-v3".into(),
                ..omni_board()
            },
            Provider::Kling,
            keeper(Some(URL), Some("/r/a.mp4"), 5.0, 1),
        ),
    ];
    for (board, provider, k) in cases {
        let c = plan_for(&board, provider, &k).unwrap();
        assert_eq!(c.how, last_frame, "{provider} {k:?}");
        assert!(
            c.line("02-market")
                .ends_with(": last frame .shotdeck/frames/01-arrival-take2-last.png")
        );
    }
    let mut unknown = keeper(Some(URL), Some("/r/a.mp4"), 5.0, 1);
    unknown.finished_at = None;
    assert_eq!(
        plan_for(&omni_board(), Provider::Kling, &unknown)
            .unwrap()
            .how,
        last_frame
    );
}

#[test]
fn neither_way_is_refused_saying_why() {
    let old = keeper(Some(URL), None, 5.0, 31);
    let why = plan_for(&omni_board(), Provider::Kling, &old).unwrap_err();
    assert!(
        why.contains("30 days") && why.contains("not downloaded"),
        "{why}"
    );
    let mut own_frame = omni_board();
    own_frame.model = "kling-v3".into();
    own_frame.mode = Mode::Image;
    own_frame.first_frame = Some("mine.png".into());
    let why = plan_for(
        &own_frame,
        Provider::Kling,
        &keeper(None, Some("/r/a.mp4"), 5.0, 1),
    )
    .unwrap_err();
    assert!(why.contains("first frame of its own"), "{why}");
}

#[test]
fn the_last_frame_becomes_the_first_frame_of_the_board_sent() {
    let mut board = Board {
        last_frame: Some("stale.png".into()),
        ..Board::starter()
    };
    assert_eq!(board.mode, Mode::Text);
    let c = plan_for(
        &board,
        Provider::Kling,
        &keeper(None, Some("/r/a.mp4"), 5.0, 1),
    )
    .unwrap();
    c.clone().apply(&mut board);
    assert_eq!(board.mode, Mode::Image);
    assert_eq!(
        board.first_frame.as_deref(),
        Some(".shotdeck/frames/01-arrival-take2-last.png")
    );
    assert_eq!(
        board.last_frame, None,
        "a text board never sent its last frame"
    );
    assert_eq!(board.continues, Some(c));
    let text = serde_json::to_value(&board).unwrap();
    assert_eq!(text["continues"]["by"], "last_frame");
    assert_eq!(text["continues"]["take"], 2);
}

fn with_video(mut board: Board) -> Board {
    let c = plan_for(&board, Provider::Kling, &keeper(Some(URL), None, 5.0, 1)).unwrap();
    c.apply(&mut board);
    board
}

#[test]
fn the_omni_body_carries_video_list_and_names_it_in_the_prompt() {
    let board = with_video(omni_board());
    let body = compose(&board, Provider::Kling, &PlaceholderImages, "x")
        .unwrap()
        .body;
    assert_eq!(
        body["video_list"],
        json!([{"video_url": URL, "refer_type": "feature", "keep_original_sound": "no"}])
    );
    assert_eq!(
        body["prompt"],
        "Continue from <<<video_1>>>: she walks into the market"
    );
    assert_eq!(body["sound"], "off");

    let mut named = omni_board();
    named.prompt = "after <<<video_1>>>, she turns".into();
    let body = compose(&with_video(named), Provider::Kling, &PlaceholderImages, "x")
        .unwrap()
        .body;
    assert_eq!(body["prompt"], "after <<<video_1>>>, she turns");

    // A shot list: the first shot's prompt (omni ignores `prompt` then).
    let mut shots = omni_board();
    shots.multi_shot = true;
    shots.shots = vec![Shot::new("a", 3), Shot::new("b", 2)];
    let body = compose(&with_video(shots), Provider::Kling, &PlaceholderImages, "x")
        .unwrap()
        .body;
    assert_eq!(
        body["multi_prompt"][0]["prompt"],
        "Continue from <<<video_1>>>: a"
    );
    assert_eq!(body["multi_prompt"][1]["prompt"], "b");

    // Without a continuation, nothing of it.
    let body = compose(&omni_board(), Provider::Kling, &PlaceholderImages, "x")
        .unwrap()
        .body;
    assert!(body.get("video_list").is_none());
}

fn errors(board: &Board) -> Vec<(FieldPath, String)> {
    crate::rules::validate(board, Provider::Kling, &ImageFacts::default())
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.path, f.message))
        .collect()
}

#[test]
fn the_rules_hold_what_video_list_documents() {
    assert_eq!(errors(&with_video(omni_board())), vec![]);
    let mut loud = omni_board();
    loud.sound = true;
    loud.duration = 12.0;
    loud.mode = Mode::Reference;
    loud.references = (1..=5)
        .map(|i| format!("https://i.example/{i}.png"))
        .collect();
    loud.prompt = "<<<image_1>>> <<<image_2>>> <<<image_3>>> <<<image_4>>> <<<image_5>>>".into();
    let found = errors(&with_video(loud));
    let paths: Vec<&FieldPath> = found.iter().map(|(p, _)| p).collect();
    assert!(paths.contains(&&FieldPath::Sound), "{found:?}");
    assert!(paths.contains(&&FieldPath::Duration), "{found:?}");
    assert!(paths.contains(&&FieldPath::References), "{found:?}");
    assert!(
        found.iter().any(|(_, m)| m.contains("01-arrival take 2")),
        "{found:?}"
    );

    let mut long = omni_board();
    long.multi_shot = true;
    long.shots = vec![Shot::new("x".repeat(500), 5)];
    let found = errors(&with_video(long));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, FieldPath::shot(0, ShotField::Prompt));
    assert!(found[0].1.contains("over 512"), "{found:?}");
}

/// A stored request may not be sent again once its reference video is past Kling's 30 days,
/// judged by the keeper's finish, else (an older record) by when the job was recorded.
#[test]
fn a_stored_reference_expires_after_thirty_days() {
    let c = |finished_days_ago: Option<i64>| Continuation {
        board: "01-arrival".into(),
        take: 2,
        how: ContinueHow::VideoReference {
            video_url: URL.into(),
            finished_at: finished_days_ago.map(|d| NOW - d * DAY_MS),
        },
    };
    let created = NOW - 10 * DAY_MS;
    assert_eq!(expired_reference(&c(Some(29)), created, NOW), None);
    assert_eq!(expired_reference(&c(Some(30)), created, NOW), Some(30));
    assert_eq!(expired_reference(&c(Some(45)), created, NOW), Some(45));
    // Unknown finish: the job's own age is the least the URL's can be.
    assert_eq!(expired_reference(&c(None), created, NOW), None);
    assert_eq!(
        expired_reference(&c(None), NOW - 31 * DAY_MS, NOW),
        Some(31)
    );
    let frame = Continuation {
        how: ContinueHow::LastFrame {
            frame: frame_path("01-arrival", 2),
            video: PathBuf::from("/r/a.mp4"),
        },
        ..c(Some(90))
    };
    assert_eq!(
        expired_reference(&frame, created, NOW),
        None,
        "a frame does not expire"
    );
}
