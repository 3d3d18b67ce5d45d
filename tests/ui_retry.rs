//! Retry asks first, like a submit: `r` opens a confirmation that says which job and which
//! way (poll the task again for free, or send the board as it is now or the stored request;
//! a task the provider failed defaults to a new one),
//! and exactly one command leaves per yes, however often the keys are pressed. A job never
//! sent is offered to be sent itself.

mod ui_support;

use crossterm::event::KeyCode;
use shotdeck::engine::events::{
    JobCmd, JobError, JobEvent, JobPhase, Refusal, Step, SubmitRequest,
};
use ui_support::*;

/// Every command the app sent so far.
fn sent(h: &mut Harness) -> Vec<JobCmd> {
    std::iter::from_fn(|| h.cmds.try_recv().ok()).collect()
}

/// The sample jobs with the queue focused on #2 (failed, with a task id).
fn on_failed_job() -> Harness {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6jj"); // newest first: #4, #3, #2
    h
}

fn the_board_submit(cmds: Vec<JobCmd>) -> SubmitRequest {
    match cmds.as_slice() {
        [JobCmd::Submit(request)] => request.clone(),
        other => panic!("expected one submit, got {other:?}"),
    }
}

#[test]
fn r_asks_first_and_sends_nothing_until_confirmed() {
    let mut h = on_failed_job();
    h.keys("r");
    assert_eq!(h.app.overlay_name(), Some("retry"));
    let screen = h.render(120, 40).backend().to_string();
    assert!(screen.contains("Retry job #2?"), "{screen}");
    assert!(
        screen.contains("1102 Account balance not enough"),
        "{screen}"
    );
    h.keys("r"); // not a key of the confirmation
    assert_eq!(h.app.overlay_name(), Some("retry"));
    h.keys("n");
    assert_eq!(h.app.overlay_name(), None);
    assert!(sent(&mut h).is_empty(), "cancelled: nothing sent");
}

#[test]
fn a_task_the_provider_failed_defaults_to_a_new_one_and_poll_again_is_offered() {
    let mut h = on_failed_job();
    h.keys("r");
    let screen = h.render(120, 40).backend().to_string();
    assert!(
        screen.contains("› Send a new one: the board as it is now"),
        "a failed task does not succeed by asking again: {screen}"
    );
    assert!(screen.contains("Poll task 86302"), "{screen}");
    h.key(KeyCode::Up);
    h.keys("ry"); // `r` is not a key of the confirmation; one yes
    assert_eq!(h.app.overlay_name(), None);
    assert!(
        h.app
            .toast()
            .unwrap()
            .text
            .contains("polling job #2's task again")
    );
    h.keys("y"); // a second yes has nothing left to confirm (in the queue, y copies a URL)
    let cmds = sent(&mut h);
    assert!(matches!(cmds.as_slice(), [JobCmd::Repoll(2)]), "{cmds:?}");
}

#[test]
fn the_board_as_it_is_now_is_sent_once_as_a_retry_of_the_job() {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("1+"); // an edit after the failure: the retry sends it
    h.keys("6jjr");
    h.keys("yy");
    let request = the_board_submit(sent(&mut h));
    assert_eq!(request.options.retry_of, Some(2));
    assert_eq!(
        request.board.shots[0].duration, 5.0,
        "the board as it is now"
    );
    assert!(!h.app.doc().is_unsaved(), "saved before sending");

    // Until the engine answers, `r` on the same job sends nothing and says why.
    h.keys("jjr");
    assert_eq!(h.app.overlay_name(), None);
    let t = h.app.toast().unwrap();
    assert!(
        t.error && t.text.contains("retry was already sent"),
        "{}",
        t.text
    );
    let mut retry = job(6, &h.board_path(), JobPhase::Queued);
    retry.task_id = None;
    h.app.on_job_event(JobEvent::Submitted {
        ticket: request.ticket,
        job: retry,
    });
    h.keys("gjjjr"); // #6 is the newest now: #2 is the fourth
    let t = h.app.toast().unwrap();
    assert!(
        t.error && t.text.contains("job #2 was already retried as job #6"),
        "{}",
        t.text
    );
    assert!(sent(&mut h).is_empty());
}

#[test]
fn a_refused_retry_may_be_asked_for_again() {
    let mut h = on_failed_job();
    h.keys("ry");
    let request = the_board_submit(sent(&mut h));
    h.app.on_job_event(JobEvent::Rejected {
        reason: Refusal::Failed {
            step: Step::Prepare,
            error: "images could not be read".into(),
        },
        ticket: Some(request.ticket),
    });
    h.keys("gjjr"); // a sent board selects the newest job, as a submit does

    assert_eq!(h.app.overlay_name(), Some("retry"));
}

#[test]
fn the_stored_request_is_the_third_way() {
    let mut h = on_failed_job();
    h.keys("r");
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Down); // stays on the last way
    let screen = h.render(120, 40).backend().to_string();
    assert!(
        screen.contains("› Send a new one: job #2's stored request"),
        "{screen}"
    );
    assert!(screen.contains("≈ $1.01 (job #2's estimate)"), "{screen}");
    h.keys("y");
    let cmds = sent(&mut h);
    assert!(matches!(cmds.as_slice(), [JobCmd::Retry(2)]), "{cmds:?}");
    h.keys("r");
    assert!(h.app.toast().unwrap().text.contains("already sent"));
    assert!(sent(&mut h).is_empty());
}

#[test]
fn a_retry_of_the_board_with_errors_is_refused_with_the_findings() {
    let mut b = noir();
    b.shots[0].duration = 10.0; // 10 + 5 + 3 = 18 s
    let mut h = harness_with(&b, sample_jobs);
    h.keys("6jjr");
    let screen = h.render(120, 40).backend().to_string();
    assert!(screen.contains("error(s) block the board"), "{screen}");
    h.keys("y");
    assert_eq!(h.app.overlay_name(), Some("refused"));
    let screen = h.render(120, 40).backend().to_string();
    assert!(
        screen.contains("Cannot submit: 1 error block it."),
        "{screen}"
    );
    assert!(sent(&mut h).is_empty(), "nothing sent");
}

#[test]
fn a_job_the_provider_never_accepted_has_nothing_to_poll() {
    let mut h = harness_with(&noir(), |p| {
        let mut j = job(2, p, JobPhase::Failed);
        j.task_id = None;
        vec![j]
    });
    h.keys("6r");
    let screen = h.render(120, 40).backend().to_string();
    assert!(!screen.contains("Poll task"), "{screen}");
    assert!(
        screen.contains("› Send a new one: the board as it is now"),
        "{screen}"
    );
    h.keys("y");
    assert_eq!(the_board_submit(sent(&mut h)).options.retry_of, Some(2));
}

#[test]
fn a_job_stopped_after_the_provider_accepted_it_can_be_polled_again() {
    let mut h = harness_with(&noir(), |p| {
        let mut j = job(2, p, JobPhase::Processing);
        j.error = Some(JobError {
            code: None,
            message: "polling gave up after 12 malformed answers".into(),
            retryable: false,
        });
        vec![j]
    });
    h.keys("6r");
    let screen = h.render(120, 40).backend().to_string();
    assert!(screen.contains("› Poll task 86302"), "{screen}");
    assert!(
        !screen.contains("stored request"),
        "the engine re-sends a stored request only once a job has ended: {screen}"
    );
    h.keys("y");
    let cmds = sent(&mut h);
    assert!(matches!(cmds.as_slice(), [JobCmd::Repoll(2)]), "{cmds:?}");
}

#[test]
fn a_job_never_sent_is_sent_itself_after_the_same_confirmation() {
    let mut h = harness_with(&noir(), |p| {
        let mut j = job(2, p, JobPhase::NotSent);
        j.task_id = None;
        vec![j]
    });
    h.keys("6r");
    let screen = h.render(120, 40).backend().to_string();
    assert!(
        screen.contains("› Send job #2: recorded, never sent"),
        "{screen}"
    );
    assert!(screen.contains("Cost"), "{screen}");
    assert!(!screen.contains("Send a new one"), "{screen}");
    h.keys("n");
    assert!(sent(&mut h).is_empty(), "declined: nothing sent");
    h.keys("ry");
    let cmds = sent(&mut h);
    assert!(matches!(cmds.as_slice(), [JobCmd::Send(2)]), "{cmds:?}");
}

#[test]
fn submit_and_retry_show_the_files_they_upload_with_sizes() {
    let mut b = noir();
    b.mode = shotdeck::core::Mode::Image;
    b.first_frame = Some("first.png".into());
    let mut h = harness_with(&b, sample_jobs);
    let png = include_bytes!("../examples/images/street-first-frame.png");
    std::fs::write(h.dir.path().join("first.png"), png).unwrap();
    h.app.dispatch(shotdeck::ui::Action::ReprobeImages);
    assert!(png.len() < 1 << 20, "the example image is under a megabyte");
    let size = format!("{:.0} KB", png.len() as f64 / 1024.0);
    let upload = format!("Uploads   first.png · {size}");
    h.keys("S");
    let screen = h.render(120, 40).backend().to_string();
    assert!(screen.contains(&upload), "{screen}");
    h.keys("n6jjr");
    let screen = h.render(120, 40).backend().to_string();
    assert!(screen.contains(&upload), "{screen}");
}

/// The engine's command channel is bounded: a command that finds it full is not sent and
/// the user is told so at once (the editor never waits for the engine); once the engine
/// takes commands again the same key works.
#[test]
fn a_command_the_busy_engine_cannot_take_is_refused_with_a_toast() {
    use shotdeck::engine::COMMAND_CAPACITY;
    let mut h = harness_with(&noir(), sample_jobs);
    while h.cmds.try_recv().is_ok() {}
    h.keys("6G"); // the oldest job, #1, done
    for _ in 0..COMMAND_CAPACITY {
        h.keys("d");
    }
    assert!(!h.app.toast().is_some_and(|t| t.text.contains("busy")));
    h.keys("d");
    let t = h.app.toast().unwrap();
    assert!(
        t.error && t.text == "the job engine is busy: nothing was sent, try again",
        "{}",
        t.text
    );
    let mut taken = 0;
    while let Ok(cmd) = h.cmds.try_recv() {
        assert!(matches!(cmd, JobCmd::Redownload(1)), "{cmd:?}");
        taken += 1;
    }
    assert_eq!(taken, COMMAND_CAPACITY, "the refused one was not queued");
    h.keys("d");
    assert!(matches!(h.cmds.try_recv(), Ok(JobCmd::Redownload(1))));
}
