use super::*;
use crate::budget::Limit;

fn text(r: Refusal) -> String {
    r.to_string()
}

#[test]
fn paid_refusals_say_nothing_was_sent_once() {
    let over = OverBudget {
        limit: Limit::PerDay,
        limit_usd: 5.0,
        spent_usd: 4.0,
        estimate_usd: Some(2.0),
    };
    let paid = [
        Refusal::MoneyConfig {
            why: "config.toml must be fixed".into(),
        },
        Refusal::OverBudget { job: None, over },
        Refusal::OverBudget { job: Some(7), over },
        Refusal::OverCeiling {
            estimate_usd: 3.0,
            max_usd: 2.5,
        },
        Refusal::Findings(Vec::new()),
        Refusal::Continues {
            board: "02-market".into(),
            from: "continues from 01-arrival take 2".into(),
            file: "sequence.toml".into(),
            why: "why".into(),
        },
        Refusal::Unkeyed {
            external_task_id: "x".into(),
        },
        Refusal::NoKeyToReplace { id: 3 },
        Refusal::NoEngine {
            why: "the job store is unavailable (locked)".into(),
            submit: true,
        },
        Refusal::StoreBusy {
            why: "locked".into(),
            asked: Some(Asked::Submit),
        },
    ];
    for r in paid {
        let t = text(r.clone());
        assert_eq!(t.matches("nothing was sent").count(), 1, "{r:?}: {t}");
        assert!(t.ends_with("; nothing was sent"), "{t}");
    }
    assert!(text(Refusal::OverBudget { job: Some(7), over }).starts_with("job 7: "));
}

#[test]
fn a_second_retry_names_the_first_and_whether_it_failed() {
    let failed = text(Refusal::AlreadyRetried {
        id: 1,
        retry: 2,
        retry_phase: JobPhase::Failed,
    });
    assert_eq!(
        failed,
        "job 1 was already retried as job 2, which failed too; retry job 2 instead. Nothing was sent"
    );
    let running = text(Refusal::AlreadyRetried {
        id: 1,
        retry: 2,
        retry_phase: JobPhase::Processing,
    });
    assert_eq!(
        running,
        "job 1 was already retried as job 2 (processing); nothing was sent"
    );
}

#[test]
fn phase_refusals_say_what_to_do_instead() {
    let says = |action, phase, want: &str| {
        let t = text(Refusal::WrongPhase {
            id: 4,
            phase,
            action,
        });
        assert!(t.contains(want), "{t}");
    };
    says(
        Action::Retry,
        JobPhase::Processing,
        "job 4 is still processing; retry it once",
    );
    says(
        Action::Redownload,
        JobPhase::Failed,
        "job 4 failed, so it has nothing to download",
    );
    says(
        Action::Repoll,
        JobPhase::Done,
        "download its videos again instead",
    );
    says(
        Action::Send,
        JobPhase::Done,
        "only a job that was never sent can be sent",
    );
    says(
        Action::Keep,
        JobPhase::Failed,
        "job #4 is failed: only a done take",
    );
    says(
        Action::Cancel,
        JobPhase::Done,
        "job 4 is already done: there is nothing to cancel",
    );
}

#[test]
fn a_busy_store_is_a_notice_until_a_command_is_refused() {
    let busy = |asked| {
        text(Refusal::StoreBusy {
            why: "database is locked".into(),
            asked,
        })
    };
    assert_eq!(
        busy(None),
        "job store busy, retrying… (database is locked); the job list follows once it opens"
    );
    assert_eq!(
        busy(Some(Asked::Other)),
        "job store busy, retrying… (database is locked)"
    );
    assert!(busy(Some(Asked::Submit)).ends_with("; nothing was sent"));
    let gone = |before| text(Refusal::EngineStopped { before });
    assert_eq!(gone(None), "the job engine stopped");
    assert_eq!(
        gone(Some(Asked::Submit)),
        "the job engine stopped before recording the job"
    );
    assert_eq!(
        gone(Some(Asked::Send)),
        "the job engine stopped before sending"
    );
}

#[test]
fn lookups_and_failures_name_the_job() {
    assert_eq!(
        text(Refusal::NotFound {
            id: 9,
            action: Action::Read
        }),
        "job #9 is not in the store"
    );
    assert_eq!(
        text(Refusal::Failed {
            step: Step::ReadPair(1, 2),
            error: "disk I/O error".into()
        }),
        "reading jobs #1 and #2 failed: disk I/O error"
    );
    assert_eq!(
        text(Refusal::LeaseHeld { id: 5 }),
        "job 5 is being worked on by another shotdeck process"
    );
}

#[test]
fn a_continuation_names_the_take_and_the_file() {
    let said = text(Refusal::Continues {
        board: "02-market".into(),
        from: "continues from 01-arrival take 2".into(),
        file: "sequence.toml".into(),
        why: "its video is not downloaded here".into(),
    });
    assert!(
        said.starts_with(
            "02-market continues from 01-arrival take 2 (sequence.toml): its video is not \
             downloaded here; remove its continue_from"
        ),
        "{said}"
    );
    assert!(said.ends_with("; nothing was sent"), "{said}");
}

#[test]
fn an_expired_reference_names_the_job_the_take_and_the_way_out() {
    let said = text(Refusal::ExpiredReference {
        id: 7,
        from: "01-arrival take 2".into(),
        days: 34,
    });
    assert_eq!(
        said,
        "cannot retry job 7 with its stored request: it continues from 01-arrival take 2 by \
         its video URL, 34 days old, and Kling deletes results after 30 days; retry with the \
         board as it is now, which plans the continuation again; nothing was sent"
    );
}
