use std::path::{Path, PathBuf};

use super::*;
use crate::provider::Provider;

fn view(phase: JobPhase, by: Option<&str>, files: usize) -> JobView {
    JobView {
        id: 12,
        board_path: PathBuf::from("/p/noir.json"),
        board_key: crate::BoardKey::local(Path::new("/p/noir.json")),
        board_title: String::new(),
        provider: Provider::Kling,
        external_task_id: "ext".into(),
        task_id: Some("t".into()),
        phase,
        status_msg: None,
        error: None,
        files: (0..files)
            .map(|i| JobFile {
                url: format!("https://cdn.example/{i}.mp4"),
                path: PathBuf::from(format!("/r/{i}.mp4")),
                bytes_done: 0,
                bytes_total: None,
                complete: false,
                media_seconds: None,
            })
            .collect(),
        seconds: 5.0,
        estimated_usd: None,
        units_charged: None,
        created_at: 0,
        updated_at: 0,
        finished_at: None,
        take: 1,
        keeper: false,
        retry_of_take: None,
        submitted_by: by.map(str::to_string),
    }
}

#[test]
fn a_wait_on_another_machine_ends_when_the_task_is_done_on_the_team() {
    let hint = "done on host-a; `shotdeck jobs fetch 12` to get it here";
    let here = Some("host-b");
    let left = view(JobPhase::Downloading, Some("ann@host-a"), 0);
    assert_eq!(left.done_elsewhere(here).as_deref(), Some(hint));
    // On the asker's machine its engine downloads it: the wait goes on.
    assert_eq!(left.done_elsewhere(Some("host-a")), None);
    // Being fetched here (`jobs fetch`): not over until the files are.
    assert_eq!(
        view(JobPhase::Downloading, Some("ann@host-a"), 1).done_elsewhere(here),
        None
    );
    let mut stuck = left.clone();
    stuck.error = Some(JobError {
        code: None,
        message: "x".into(),
        retryable: true,
    });
    assert_eq!(stuck.done_elsewhere(here), None, "a stuck job is not done");
    assert_eq!(
        view(JobPhase::Processing, Some("ann@host-a"), 0).done_elsewhere(here),
        None
    );
    assert_eq!(
        view(JobPhase::Done, Some("ann@host-a"), 0)
            .done_elsewhere(here)
            .as_deref(),
        Some(hint)
    );
    assert_eq!(
        view(JobPhase::Done, Some("ann@host-a"), 1).done_elsewhere(here),
        None
    );
    // One machine's store: every job is this machine's.
    assert_eq!(
        view(JobPhase::Downloading, None, 0).done_elsewhere(None),
        None
    );
}
