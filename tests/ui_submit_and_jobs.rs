//! Submit, quit and the job queue through the action layer, without a terminal: keys in,
//! confirmations, engine commands and host effects out.

mod ui_support;

use crossterm::event::KeyCode;
use shotdeck::core::Provider;
use shotdeck::core::{FieldPath, Finding, ShotField};
use shotdeck::engine::events::{JobCmd, JobEvent, JobPhase, Refusal, SubmitOptions, SubmitRequest};
use shotdeck::files::board_file;
use shotdeck::ui::{ExitReason, History};
use ui_support::*;

#[test]
fn submit_is_refused_while_the_board_has_errors() {
    let mut b = noir();
    b.shots[0].duration = 10.0;
    let mut h = harness(&b);
    h.keys("S");
    assert_eq!(h.app.overlay_name(), Some("refused"));
    h.keys("y"); // not a question: y does nothing, Esc closes
    assert_eq!(h.app.overlay_name(), Some("refused"));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay_name(), None);
    assert!(h.cmds.try_recv().is_err(), "nothing sent");
}

/// The submit a confirmed `S` sends.
fn sent_submit(h: &mut Harness) -> SubmitRequest {
    match h.cmds.try_recv().expect("a submit was sent") {
        JobCmd::Submit(request) => request,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn confirmed_submit_asks_the_engine_for_the_saved_board() {
    let mut h = harness(&noir());
    h.keys("S");
    assert_eq!(h.app.overlay_name(), Some("submit"));
    h.keys("n");
    assert!(h.cmds.try_recv().is_err(), "cancelled: nothing sent");
    h.keys("+"); // an unsaved edit: the submit saves it first
    h.keys("Sy");
    let request = sent_submit(&mut h);
    assert_eq!(request.board_path, h.board_path());
    assert_eq!(request.board, board_file::load(&h.board_path()).unwrap());
    assert_eq!(request.board.shots[0].duration, 5.0);
    assert_eq!(request.provider, Provider::Kling);
    assert_eq!(request.options, SubmitOptions::default());
    assert!(!h.app.doc().is_unsaved());
}

#[test]
fn the_editor_and_the_cli_build_the_same_submit() {
    let mut h = harness(&noir());
    h.keys("Sy");
    let from_editor = sent_submit(&mut h);
    let path = h.board_path();
    let from_cli =
        shotdeck::cli::submit_request(&path, board_file::load(&path).unwrap(), Provider::Kling);
    assert_ne!(from_editor.ticket, from_cli.ticket, "one ticket per submit");
    let from_cli = SubmitRequest {
        ticket: from_editor.ticket,
        ..from_cli
    };
    assert_eq!(from_editor, from_cli);
}

#[test]
fn the_editor_sends_image_references_never_their_bytes() {
    let mut b = noir();
    b.mode = shotdeck::core::Mode::Image;
    b.first_frame = Some("first.png".into());
    let mut h = harness(&b);
    let png = include_bytes!("../examples/images/street-first-frame.png");
    std::fs::write(h.dir.path().join("first.png"), png).unwrap();
    h.app.dispatch(shotdeck::ui::Action::ReprobeImages);
    assert!(
        shotdeck::core::is_submittable(h.app.findings()),
        "{:?}",
        h.app.findings()
    );
    h.keys("Sy");
    let request = sent_submit(&mut h);
    assert_eq!(request.board.first_frame.as_deref(), Some("first.png"));
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(png);
    assert!(!format!("{request:?}").contains(&encoded[..64]));
}

#[test]
fn the_engines_answer_to_a_submit_is_shown() {
    let mut h = harness(&noir());
    h.keys("Sy");
    let request = sent_submit(&mut h);
    assert!(h.app.toast().unwrap().text.contains("submitting to kling"));
    let mut job = job(5, &h.board_path(), JobPhase::Queued);
    job.external_task_id = "shotdeck-5".into();
    h.app.on_job_event(JobEvent::Submitted {
        ticket: request.ticket,
        job,
    });
    let t = h.app.toast().unwrap();
    assert!(
        !t.error && t.text == "submitted to kling as shotdeck-5",
        "{}",
        t.text
    );
    assert!(h.app.wants_tick(), "the new job is in the queue and active");

    h.keys("Sy");
    let request = sent_submit(&mut h);
    h.app.on_job_event(JobEvent::Rejected {
        reason: Refusal::Findings(vec![Finding::error(
            FieldPath::Shot {
                index: 0,
                field: ShotField::Duration,
            },
            "too long",
        )]),
        ticket: Some(request.ticket),
    });
    let t = h.app.toast().unwrap();
    assert!(
        t.error && t.text.starts_with("refused: the board has errors"),
        "{}",
        t.text
    );
}

#[test]
fn quitting_asks_while_a_job_is_in_flight() {
    let mut h = harness_with(&noir(), |p| vec![job(7, p, JobPhase::Processing)]);
    h.keys("q");
    assert_eq!(h.app.overlay_name(), Some("quit"));
    h.keys("n");
    assert_eq!(h.app.exit_reason(), None);
    h.keys("q");
    h.keys("y");
    assert_eq!(h.app.exit_reason(), Some(ExitReason::Quit));
}

#[test]
fn the_demo_says_its_jobs_end_with_it_instead_of_promising_they_continue() {
    for (simulated, says, never) in [
        (true, "demo:", "next starts"),
        (false, "next starts", "demo:"),
    ] {
        let mut h = harness_tweaked(
            &noir(),
            |p| vec![job(7, p, JobPhase::Processing)],
            |d| d.simulated = simulated,
        );
        h.keys("q");
        let screen = format!("{:?}", h.render(120, 40).backend());
        assert!(screen.contains(says), "{screen}");
        assert!(!screen.contains(never), "{screen}");
    }
}

#[test]
fn quitting_while_a_create_is_unanswered_says_it_waits_to_record_the_task() {
    let mut h = harness_with(&noir(), |p| vec![job(7, p, JobPhase::Submitting)]);
    h.keys("q");
    let screen = format!("{:?}", h.render(120, 40).backend());
    // Wrapped in the dialog: each part is on screen.
    for part in ["Quitting waits up to 120", "record its task"] {
        assert!(screen.contains(part), "{part}: {screen}");
    }
}

#[test]
fn quitting_saves_the_board() {
    let mut h = harness(&noir());
    h.keys("+");
    assert!(h.app.doc().is_unsaved());
    h.keys("q");
    assert_eq!(h.app.exit_reason(), Some(ExitReason::Quit));
    let saved = board_file::load(&h.board_path()).unwrap();
    assert_eq!(saved.shots[0].duration, 5.0);
}

#[test]
fn job_actions_become_engine_commands_and_host_effects() {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6"); // newest first: #4 processing, #3 downloading, #2 failed, #1 done
    h.keys("r");
    assert!(h.app.toast().unwrap().text.contains("only failed jobs"));
    h.keys("jj");
    h.keys("r"); // asks first (tests/ui_retry.rs); the stored request is the third way
    assert!(h.cmds.try_recv().is_err());
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.keys("y");
    assert!(matches!(h.cmds.try_recv(), Ok(JobCmd::Retry(2))));
    h.keys("j");
    h.keys("d");
    assert!(matches!(h.cmds.try_recv(), Ok(JobCmd::Redownload(1))));
    h.keys("o");
    assert_eq!(h.rec.opened.lock().unwrap().len(), 1);
    h.keys("y");
    assert_eq!(
        h.rec.copied.lock().unwrap().as_slice(),
        ["https://cdn.example.test/v/abc.mp4"]
    );
    // Only this board's jobs until `a`.
    h.keys("G");
    h.keys("a");
    h.keys("G");
    h.keys("y");
    assert_eq!(h.rec.copied.lock().unwrap().len(), 2);
}

#[test]
fn engine_events_update_the_queue_and_tell_the_user() {
    let mut h = harness(&noir());
    let path = h.board_path();
    let mut j = job(9, &path, JobPhase::Processing);
    h.app.on_job_event(JobEvent::Updated(j.clone()));
    assert!(h.app.wants_tick(), "ticks while a job is active");
    j.phase = JobPhase::Failed;
    j.error = Some(shotdeck::engine::events::JobError {
        code: Some("1303".into()),
        message: "Parallel task limit".into(),
        retryable: true,
    });
    h.app.on_job_event(JobEvent::Updated(j));
    let t = h.app.toast().unwrap();
    assert!(
        t.error && t.text.contains("1303: Parallel task limit"),
        "{}",
        t.text
    );
    assert!(!h.app.wants_tick(), "idle: no ticks");
    h.app.on_job_event(JobEvent::Rejected {
        reason: Refusal::NoEngine {
            why: "store is read-only".into(),
            submit: false,
        },
        ticket: None,
    });
    assert!(h.app.toast().unwrap().text.contains("store is read-only"));
}

#[test]
fn the_header_shows_todays_spend_once_the_engine_reports_it() {
    let mut h = harness(&noir());
    let header = |h: &Harness| {
        let term = h.render(160, 48);
        let buf = term.backend().buffer();
        (0..buf.area.width)
            .map(|x| buf[(x, 0)].symbol().to_string())
            .collect::<String>()
    };
    assert!(
        !header(&h).contains("today"),
        "nothing before the engine says"
    );
    h.app.on_job_event(JobEvent::Spend { today_usd: 3.356 });
    assert!(header(&h).contains("today $3.36"), "{}", header(&h));
}

#[test]
fn a_job_ending_rings_the_bell_and_notifies_once() {
    use shotdeck::files::config::NotifyMode;
    let mut h = harness_with(&noir(), sample_jobs);
    let path = h.board_path();
    // Jobs loaded already ended are not news.
    assert!(h.rec.notified.lock().unwrap().is_empty());
    let mut j = job(9, &path, JobPhase::Processing);
    h.app.on_job_event(JobEvent::Updated(j.clone()));
    j.phase = JobPhase::Done;
    h.app.on_job_event(JobEvent::Updated(j.clone()));
    // The same phase again (a refresh) is not a second end.
    h.app.on_job_event(JobEvent::Updated(j));
    let mut other = job(10, &path.with_file_name("other.json"), JobPhase::Processing);
    h.app.on_job_event(JobEvent::Updated(other.clone()));
    other.phase = JobPhase::Failed;
    other.error = Some(shotdeck::engine::events::JobError {
        code: Some("1102".into()),
        message: "balance\x1b]0;pwned\x07 low".into(),
        retryable: false,
    });
    h.app.on_job_event(JobEvent::Updated(other));
    let notes = h.rec.notified.lock().unwrap().clone();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(
        notes[0],
        (NotifyMode::Both, "shotdeck".into(), "job #9 done".into())
    );
    assert!(notes[1].2.starts_with("job #10 failed: 1102"), "{notes:?}");
    // What the terminal would receive carries no control characters from the provider.
    let wire = shotdeck::ui::notify::sequence(notes[1].0, &notes[1].1, &notes[1].2, false);
    assert_eq!(wire.matches('\x07').count(), 3, "{wire:?}");
    assert!(wire.contains("balance\\x1b]0,pwned\\x07 low"), "{wire:?}");
}

#[test]
fn notify_off_sends_nothing() {
    use shotdeck::files::config::{Config, NotifyMode};
    let config: Config = toml::from_str("notify = \"off\"").unwrap();
    assert_eq!(config.notify, NotifyMode::Off);
    assert_eq!(Config::default().notify, NotifyMode::Both);
    let mut h = harness_tweaked(&noir(), |_| vec![], |d| d.config.notify = NotifyMode::Off);
    let path = h.board_path();
    let mut j = job(9, &path, JobPhase::Processing);
    h.app.on_job_event(JobEvent::Updated(j.clone()));
    j.phase = JobPhase::Done;
    h.app.on_job_event(JobEvent::Updated(j));
    assert!(h.rec.notified.lock().unwrap().is_empty());
}

#[test]
fn enter_on_a_job_shows_its_record_and_o_opens_its_video() {
    let mut h = harness_with(&noir(), detailed_jobs);
    h.keys("6G");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.overlay_name(), Some("job_details"));
    assert!(matches!(h.cmds.try_recv(), Ok(JobCmd::Details(1))));
    let text = h.screen(160, 48);
    assert!(text.contains("reading the history…"), "{text}");
    assert!(text.contains("shotdeck-00000001"));
    // Another job's record arriving late is not shown as this one's.
    let other = job(2, &h.board_path(), JobPhase::Failed);
    h.app
        .on_job_event(JobEvent::Details(Box::new(record_of(&other))));
    assert!(h.screen(160, 48).contains("reading the history…"));
    let done = detailed_jobs(&h.board_path()).remove(0);
    h.app
        .on_job_event(JobEvent::Details(Box::new(record_of(&done))));
    let text = h.screen(160, 48);
    assert!(text.contains("task 86301234567 accepted"), "{text}");
    assert!(text.contains("is 10.0 s, 12 s were asked for"), "{text}");
    h.keys("o");
    assert_eq!(
        h.rec.opened.lock().unwrap().as_slice(),
        [done.files[0].path.clone()]
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay_name(), None);
    // Zoom follows the focus and goes back.
    h.keys("z");
    assert!(h.app.is_zoomed());
    h.keys("z");
    assert!(!h.app.is_zoomed());
}

#[test]
fn help_scrolls_to_the_bottom_and_back_up() {
    let mut h = harness(&noir());
    h.keys("?");
    assert!(!h.screen(80, 24).contains("Close the comparison"));
    h.keys("G");
    let bottom = h.screen(80, 24);
    assert!(bottom.contains("Close the comparison"), "{bottom}");
    // From the bottom, one line up moves at once (no scrolling past the end to undo).
    h.keys("k");
    assert_ne!(h.screen(80, 24), bottom);
    h.ctrl('u');
    h.keys("g");
    assert!(h.screen(80, 24).contains("(here)"));
}

/// The engine starts after the first frame: until its history arrives the Jobs pane says it
/// is loading (not "no jobs yet"), then lists the jobs; a reason submits are refused comes
/// with the history and is shown.
#[test]
fn the_jobs_pane_loads_until_the_engine_sends_its_history() {
    let mut h = harness(&noir());
    h.app.expect_history();
    let before = h.screen(80, 24);
    assert!(before.contains("loading…"), "{before}");
    assert!(!before.contains("no jobs yet"), "{before}");
    let board = h.board_path();
    h.app.on_history(History {
        jobs: vec![job(7, &board, JobPhase::Done)],
        counts: None,
        warning: Some("the job store is unavailable".into()),
        sequence: None,
    });
    let after = h.screen(80, 24);
    assert!(!after.contains("loading…"), "{after}");
    assert!(after.contains("Jobs · this board · 1"), "{after}");
    assert!(after.contains("#7"), "{after}");
    assert!(h.app.toast().unwrap().text.contains("store is unavailable"));
}

#[path = "ui_submit_and_jobs/uploads.rs"]
mod uploads;

#[path = "ui_submit_and_jobs/copy_menu.rs"]
mod copy_menu;

#[path = "ui_submit_and_jobs/fetch_here.rs"]
mod fetch_here;
