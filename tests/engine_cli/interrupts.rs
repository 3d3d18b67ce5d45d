//! A second Ctrl-C while `submit --wait` waits for its create's answer on the way out exits
//! at once, saying the job is `submitting` and how to look at it.

use std::time::Duration;

use shotdeck::engine::events::JobPhase;
use shotdeck::engine::store::Store;
use shotdeck::sim::Faults;
use tokio::io::AsyncReadExt;

use super::{Setup, text};

#[cfg(unix)]
#[tokio::test]
async fn a_second_ctrl_c_while_the_create_is_unanswered_exits_naming_the_job() {
    // The create's answer takes far longer than the test: only the second Ctrl-C ends it.
    let slow = Faults {
        latency_ms: 45_000,
        ..Faults::default()
    };
    let s = Setup::new(slow).await;
    let board = s.board("single-shot.json");
    let board = board.to_str().unwrap();
    let args = ["submit", board, "--provider", "gateway", "--yes", "--wait"];
    let mut child = s
        .command(&args)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let read_all = tokio::spawn(async move {
        let mut all = Vec::new();
        let _ = stderr.read_to_end(&mut all).await;
        all
    });
    super::until_phase(&s, 1, JobPhase::Submitting).await;
    let pid = rustix::process::Pid::from_raw(child.id().unwrap() as i32).unwrap();
    // The first Ctrl-C ends the wait; the ones after it (repeated, since the second may come
    // before the exit path listens) say "don't wait for the answer".
    let status = loop {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::INT);
        tokio::select! {
            status = child.wait() => break status.unwrap(),
            _ = tokio::time::sleep(Duration::from_millis(300)) => {}
        }
    };
    let err = text(&read_all.await.unwrap());
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("Ctrl-C again: exit now"), "{err}");
    assert!(
        err.contains("job 1 is still `submitting`")
            && err.contains("look at it with: shotdeck jobs show 1"),
        "{err}"
    );
    // The job is left as an exit without waiting leaves it: the next engine looks it up.
    let path = s.dir.path().join("data/jobs.sqlite3");
    let v = Store::open(&path).unwrap().view(1).unwrap().unwrap();
    assert_eq!(v.phase, JobPhase::Submitting);
}
