//! Takes in the job queue: the keeper, the compare mark, two takes side by side, and the
//! take in a job's record. A module of `ui_render` (one test binary fewer to link).

use crossterm::event::KeyCode;

use super::snap;
use crate::ui_support::*;

/// A board's takes: #1 the keeper, #2 failed, #3 its retry, #4 still running.
fn takes(board: &std::path::Path) -> Vec<shotdeck::engine::events::JobView> {
    let mut jobs = sample_jobs(board);
    jobs[0].keeper = true;
    jobs[2].retry_of_take = Some(2);
    jobs[4].take = 1;
    jobs
}

fn commands(h: &mut Harness) -> Vec<shotdeck::engine::events::JobCmd> {
    std::iter::from_fn(|| h.cmds.try_recv().ok())
        .filter(|c| !matches!(c, shotdeck::engine::events::JobCmd::Page { .. }))
        .collect()
}

#[test]
fn the_queue_shows_takes_the_keeper_and_the_compare_mark() {
    let mut h = harness_with(&noir(), takes);
    h.keys("6j"); // take 3, the retry of take 2
    h.keys("v");
    snap("queue_takes", &h);
    h.keys("a"); // every board: each row names its board
    snap("queue_takes_all_boards", &h);
}

#[test]
fn keeper_keys_ask_the_engine_and_refuse_a_take_without_a_video() {
    use shotdeck::engine::events::JobCmd;
    let mut h = harness_with(&noir(), takes);
    h.keys("6");
    commands(&mut h);
    h.keys("jjK"); // take 2 failed: nothing to keep
    assert!(commands(&mut h).is_empty());
    assert!(h.app.toast().unwrap().text.contains("only a done take"));
    h.keys("G*"); // take 1, the keeper: the mark is cleared
    assert!(matches!(
        commands(&mut h)[..],
        [JobCmd::SetKeeper { id: 1, keep: false }]
    ));
}

fn compared(h: &Harness) -> [shotdeck::core::compare::TakeFacts; 2] {
    use shotdeck::core::compare::{SentImage, TakeFacts, TakeFile};
    let renders = h.dir.path().join("board.renders");
    let facts = |id: i64, board: shotdeck::core::Board, bytes: Option<u64>| TakeFacts {
        id,
        take: id as u32,
        provider: shotdeck::core::Provider::Kling,
        model: "kling-v3".into(),
        board,
        estimated_usd: Some(1.51),
        units_charged: Some("4".into()),
        charged_usd: Some(0.56),
        files: vec![TakeFile {
            path: renders.join(format!("noir-opening-{id}.mp4")),
            bytes,
            media_seconds: bytes.map(|_| 12.0),
        }],
        images: vec![SentImage {
            slot: "references[0]".into(),
            file: "images/detective.png".into(),
            sha256: Some(format!("{id}f2a9c01b2d4e5f6")),
        }],
    };
    let mut newer = noir();
    newer.shots[1].prompt = "Medium: a detective in a dry trench coat lights a match under a \
        flickering red sign, face half in shadow."
        .into();
    newer
        .shots
        .insert(2, shotdeck::core::Shot::new("Insert: the match flares.", 2));
    newer.shots[3].duration = 1.0;
    newer.cfg_scale = 0.7;
    [facts(1, noir(), Some(26_000_000)), facts(3, newer, None)]
}

#[test]
fn two_takes_side_by_side_or_stacked_and_scrolled() {
    use shotdeck::engine::events::{JobCmd, JobEvent};
    let mut h = harness_with(&noir(), takes);
    h.keys("6jv"); // mark take 3
    h.keys("G"); // take 1
    commands(&mut h);
    h.keys("c");
    assert!(matches!(commands(&mut h)[..], [JobCmd::Compare(1, 3)]));
    assert_eq!(h.app.overlay_name(), Some("take_compare"));
    h.app
        .on_job_event(JobEvent::Compared(Box::new(compared(&h))));
    for (w, ht) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("take_compare_{w}x{ht}"), h.render(w, ht).backend());
    }
    // Changed words stand out; the words both takes share do not.
    let t = h.render(120, 40);
    let buf = t.backend().buffer();
    let style_of = |word: &str| {
        (0..40u16)
            .find_map(|y| {
                let line: String = (0..120u16).map(|x| buf[(x, y)].symbol()).collect();
                let at = line.find(&format!(" {word} "))?;
                let x = line[..at].chars().count() as u16 + 1;
                Some(buf[(x, y)].modifier)
            })
            .unwrap_or_else(|| panic!("{word} not on screen"))
    };
    use ratatui::style::Modifier;
    assert!(style_of("wet").contains(Modifier::UNDERLINED));
    assert!(style_of("dry").contains(Modifier::UNDERLINED));
    assert!(!style_of("detective").contains(Modifier::UNDERLINED));
    h.render(80, 24); // keys scroll within what was drawn last
    h.keys("G");
    insta::assert_snapshot!("take_compare_bottom_80x24", h.render(80, 24).backend());
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay_name(), None);
}

/// The record names the take, the take it retries and the keeper, as the queue does.
#[test]
fn a_jobs_record_names_its_take_the_take_it_retries_and_the_keeper() {
    // Without their files: the paths are in a temp dir, named anew each run.
    let mut h = harness_with(&noir(), |board| {
        let mut jobs = takes(board);
        jobs.iter_mut().for_each(|j| j.files.clear());
        jobs
    });
    h.keys("6j"); // take 3, the retry of take 2
    h.key(KeyCode::Enter);
    insta::assert_snapshot!("job_details_retry_80x24", h.render(80, 24).backend());
    h.key(KeyCode::Esc);
    h.keys("G"); // take 1, the keeper
    h.key(KeyCode::Enter);
    let text = h.screen(80, 24);
    assert!(text.contains("│ Take          1 · ★ keeper "), "{text}");
    h.key(KeyCode::Esc);
    h.keys("k"); // take 2: failed, and neither
    h.key(KeyCode::Enter);
    let text = h.screen(80, 24);
    assert!(text.contains("│ Take          2  "), "{text}");
}

/// `S` then `+`, `-` or a digit: the submit asks once for N takes, with their total, and
/// the engine is asked for all N in one submit.
#[test]
fn the_submit_dialog_takes_a_count_of_takes() {
    use shotdeck::engine::events::JobCmd;
    let mut h = harness(&noir());
    h.keys("S++");
    snap("submit_three_takes", &h);
    h.keys("9"); // no key: the count stays
    h.keys("-");
    h.keys("8+"); // the most one submit records
    let shown = h.render(80, 24).backend().to_string();
    assert!(shown.contains("Submit 8 takes?"), "{shown}");
    h.keys("4y");
    let submits: Vec<u32> = commands(&mut h)
        .into_iter()
        .filter_map(|c| match c {
            JobCmd::Submit(r) => Some(r.options.takes),
            _ => None,
        })
        .collect();
    assert_eq!(submits, [4], "one submit of four takes");
}
