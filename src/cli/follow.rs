//! Following one job from the command line: an engine scoped to that job, progress on
//! stderr, the downloaded paths on stdout, and an exit code that says how it ended.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Duration;

use super::out::outln;
pub(super) use super::reporter::Reporter;
use crate::app::provider_settings;
use crate::app::runtime::{self, Flavor};
use crate::core::printable;
use crate::engine::events::{JobCmd, JobEvent, JobId, JobPhase, JobView, Refusal};
use crate::engine::store::now_ms;
use crate::engine::{Engine, EngineConfig, EngineHandle, JobScope};

// Exit codes of `submit`, `jobs wait` and `download`: each says whether money may have been
// spent (the table is in the README). 2 (nothing sent: unreadable board, usage, no --yes)
// is `EXIT_UNREADABLE`, shared with the other commands.
/// Nothing was sent, or the provider refused the create: no task exists, nothing spent.
pub(super) const EXIT_NOT_SENT: u8 = 1;
/// `--timeout` ran out; the job carries on (reattach with `shotdeck jobs wait ID`).
pub(super) const EXIT_TIMEOUT: u8 = 3;
/// The provider accepted the task and then failed it: it may have been charged.
pub(super) const EXIT_FAILED_AFTER_ACCEPT: u8 = 4;
/// The job waits for the user (a download that gave up, keys gone, a create whose fate is
/// unknown): money may have been spent.
pub(super) const EXIT_NEEDS_ATTENTION: u8 = 5;
/// Ctrl-C; the job carries on.
pub(super) const EXIT_INTERRUPTED: u8 = 130;

/// Runs one command's async part on a small runtime (the engine, its downloads and the
/// HTTP clients all fit on one thread).
pub(super) fn block_on(fut: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    runtime::block_on(Flavor::CurrentThread, fut)
}

/// An engine that looks after `ids` only (and whatever it submits).
pub(super) async fn start_engine(
    ids: impl IntoIterator<Item = JobId>,
) -> Result<EngineHandle, String> {
    start_engine_with(ids, |_| {}).await
}

/// [`start_engine`] with the engine's settings adjusted by `adjust` (where videos land).
pub(super) async fn start_engine_with(
    ids: impl IntoIterator<Item = JobId>,
    adjust: impl FnOnce(&mut crate::engine::EngineSettings),
) -> Result<EngineHandle, String> {
    let config = super::load_config();
    let settings = provider_settings(&config);
    let store = crate::app::store::open_configured(&config)
        .await
        .map_err(|e| e.to_string())?;
    let mut engine_settings = crate::app::engine_settings(&config);
    adjust(&mut engine_settings);
    let cfg = EngineConfig::new(store, engine_settings, settings)
        .with_scope(JobScope::Only(ids.into_iter().collect::<BTreeSet<_>>()));
    Engine::start(cfg).await.map_err(|e| e.to_string())
}

/// Tells the user when another shotdeck process is looking after job `id`: this command then
/// follows its progress through the store and takes the job over only if that process's
/// lease runs out (it stopped or crashed), which otherwise looks like a silent wait.
pub(super) fn note_foreign_lease(engine: &EngineHandle, id: JobId) {
    let record = super::stored::read_aside(|s| s.block(s.store().record(id)).ok().flatten());
    let Some(record) = record else {
        return;
    };
    if let (Some(owner), Some(until)) = (record.lease_owner, record.lease_until) {
        let left = until - now_ms();
        if owner != engine.instance && left > 0 && record.view.phase.is_active() {
            eprintln!(
                "job {id} is being handled by another shotdeck process; following it \
                 (taken over here in {} s if that process has stopped)",
                (left + 999) / 1000
            );
        }
    }
}

/// Stops the engine and waits for it to release its leases. A create already sent is
/// first given its answer (up to the request timeout: the engine records the task id
/// rather than throw it away); a task id that arrives meanwhile is said.
pub(super) async fn stop_engine(engine: EngineHandle) {
    let EngineHandle {
        cmd_tx,
        mut event_rx,
        mut task,
        instance,
        ..
    } = engine;
    let _ = cmd_tx.send(JobCmd::Shutdown).await;
    // The first Ctrl-C ended the wait; another one here means "don't wait for the answer".
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut task => return,
            _ = &mut ctrl_c => super::leave_now::exit_now(&instance),
            ev = event_rx.recv() => match ev {
                Some(JobEvent::Updated(v)) if v.task_id.is_some() && v.phase == JobPhase::Submitted => {
                    eprintln!(
                        "job {}: {} task {} recorded (follow it with: shotdeck jobs wait {})",
                        v.id,
                        v.provider,
                        printable(v.task_id.as_deref().unwrap_or_default()),
                        v.id
                    );
                }
                Some(_) => {}
                None => {
                    let _ = task.await;
                    return;
                }
            },
        }
    }
}

/// Said when the wait ends while the job's create is sent but unanswered: exiting waits
/// for the answer so the task is recorded, not lost.
fn create_in_flight_note(id: JobId, v: Option<&JobView>) {
    // The store first: the engine may have sent the create after the last event we saw.
    let stored = super::stored::read_aside(|s| s.block(s.store().view(id)).ok().flatten());
    if stored
        .as_ref()
        .or(v)
        .is_some_and(|v| v.phase == JobPhase::Submitting)
    {
        let secs = crate::providers::DEFAULT_REQUEST_TIMEOUT.as_secs();
        eprintln!(
            "job {id}: its create was sent and is not answered yet; waiting up to {secs} s \
             for the answer so the task is recorded before exiting (Ctrl-C again: exit now)"
        );
    }
}

/// When a wait of `timeout` from now ends; `None` (no deadline) when that is beyond what
/// the clock can represent, so `--timeout 18446744073709551615` means "practically never"
/// instead of an overflow.
pub(super) fn deadline_after(timeout: Duration) -> Option<tokio::time::Instant> {
    tokio::time::Instant::now().checked_add(timeout)
}

pub(super) fn reattach_hint(id: JobId) -> String {
    format!("reattach with: shotdeck jobs wait {id}")
}

/// How following ended.
pub(super) enum Outcome {
    Done(JobView),
    /// Done on the team, its videos on (or left for) the machine that asked: the hint.
    DoneElsewhere(String),
    Failed(JobView),
    /// Active, but waiting for the user (a download that gave up, keys missing).
    Stuck(JobView),
    Rejected(Refusal),
    TimedOut(Option<JobView>),
    Interrupted(Option<JobView>),
}

/// What a view means for someone waiting on the job, if it ends the wait.
pub(super) fn settle(v: &JobView) -> Option<Outcome> {
    match v.phase {
        JobPhase::Done => Some(Outcome::Done(v.clone())),
        JobPhase::Failed => Some(Outcome::Failed(v.clone())),
        // Recorded, never sent: nothing happens until the user sends (or cancels) it.
        JobPhase::NotSent => Some(Outcome::Stuck(v.clone())),
        // A download that gave up, or a job whose keys are gone: the engine waits for the user.
        JobPhase::Downloading if v.error.is_some() => Some(Outcome::Stuck(v.clone())),
        _ if v.error.as_ref().is_some_and(|e| !e.retryable) => Some(Outcome::Stuck(v.clone())),
        _ => None,
    }
}

/// Follows job `id` until it settles, the timeout runs out or the user presses Ctrl-C.
/// `start` is the job as it stands, when the caller knows it (a view that already settles
/// the wait ends it at once).
pub(super) async fn follow(
    engine: &mut EngineHandle,
    id: JobId,
    start: Option<JobView>,
    timeout: Option<Duration>,
) -> Outcome {
    follow_until(engine, id, start, timeout, |_| None).await
}

/// [`follow`], also ended by what `ends` says of a view (`jobs wait` on a machine that did
/// not ask: the job done on the team).
pub(super) async fn follow_until(
    engine: &mut EngineHandle,
    id: JobId,
    start: Option<JobView>,
    timeout: Option<Duration>,
    ends: impl Fn(&JobView) -> Option<Outcome>,
) -> Outcome {
    let settle = |v: &JobView| settle(v).or_else(|| ends(v));
    let mut reporter = Reporter::new(id);
    let mut latest = start;
    if let Some(v) = &latest {
        reporter.show(v);
        if let Some(done) = settle(v) {
            return done;
        }
    }
    let deadline = timeout.and_then(deadline_after);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let expired = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ev = engine.event_rx.recv() => match ev {
                Some(JobEvent::Updated(v)) if v.id == id => {
                    reporter.show(&v);
                    if let Some(done) = settle(&v) {
                        return done;
                    }
                    latest = Some(v);
                }
                Some(
                    JobEvent::Updated(_)
                    | JobEvent::Submitted { .. }
                    | JobEvent::Spend { .. }
                    | JobEvent::Details(_)
                    | JobEvent::Compared(_)
                    | JobEvent::Elements(_)
                    | JobEvent::ElementPreview { .. }
                    | JobEvent::Page { .. },
                ) => {}
                Some(JobEvent::Rejected { reason, .. }) => return Outcome::Rejected(reason),
                None => return Outcome::Rejected(Refusal::EngineStopped { before: None }),
            },
            _ = expired => return Outcome::TimedOut(latest),
            _ = &mut ctrl_c => return Outcome::Interrupted(latest),
        }
    }
}

/// Prints how the wait ended (paths on stdout, everything else on stderr).
pub(super) fn finish(id: JobId, outcome: Outcome, timeout: Option<Duration>) -> ExitCode {
    match outcome {
        Outcome::Done(v) => {
            for f in &v.files {
                outln!("{}", crate::core::printable_path(&f.path));
            }
            if let Some(hint) = v.fetch_hint() {
                eprintln!("job {id}: {}", printable(&hint));
            }
            ExitCode::SUCCESS
        }
        Outcome::DoneElsewhere(hint) => {
            eprintln!("job {id}: {}", printable(&hint));
            ExitCode::SUCCESS
        }
        Outcome::Failed(v) => {
            let (code, message) = match &v.error {
                Some(e) => (e.code.clone(), e.message.clone()),
                None => (None, "the job failed without a reason".into()),
            };
            // Provider errors already read "<code>: <message>"; say the code once.
            let message = match &code {
                Some(c) => message
                    .strip_prefix(&format!("{c}: "))
                    .map(str::to_string)
                    .unwrap_or(message),
                None => message,
            };
            let code = code.map(|c| format!(" [code {c}]")).unwrap_or_default();
            eprintln!(
                "job {id} failed{}: {}",
                printable(&code),
                printable(&message)
            );
            // Nothing to reattach to: the job has ended (the editor's retry sends it anew).
            eprintln!("details: shotdeck jobs show {id}");
            if v.task_id.is_some() {
                ExitCode::from(EXIT_FAILED_AFTER_ACCEPT)
            } else {
                // Refused at create (balance, a bad request): no task was made.
                ExitCode::from(EXIT_NOT_SENT)
            }
        }
        Outcome::Stuck(v) => {
            let message = v.error.map(|e| e.message).unwrap_or_default();
            if v.phase == JobPhase::Downloading {
                eprintln!("job {id}: download failed: {}", printable(&message));
                eprintln!("resume with: shotdeck download {id}");
            } else if v.phase == JobPhase::NotSent {
                eprintln!("job {id} was recorded but never sent (its submit stopped first)");
                eprintln!(
                    "send it with: shotdeck jobs send {id}   (or: shotdeck jobs cancel {id})"
                );
            } else if v.phase == JobPhase::NeedsAttention {
                // The message names both ways out (`jobs attach`, `jobs lost`).
                eprintln!("job {id} needs attention: {}", printable(&message));
            } else {
                eprintln!("job {id} is waiting: {}", printable(&message));
                eprintln!("{}", reattach_hint(id));
            }
            if matches!(v.phase, JobPhase::Queued | JobPhase::NotSent) && v.task_id.is_none() {
                ExitCode::from(EXIT_NOT_SENT)
            } else {
                ExitCode::from(EXIT_NEEDS_ATTENTION)
            }
        }
        Outcome::Rejected(reason) => {
            eprintln!("job {id}: {}", printable(&reason.to_string()));
            super::refusals::exit_code(&reason)
        }
        Outcome::TimedOut(v) => {
            create_in_flight_note(id, v.as_ref());
            let phase = v.map(|v| v.phase.as_str()).unwrap_or("unknown");
            let secs = timeout.map(|t| t.as_secs()).unwrap_or_default();
            eprintln!("job {id} is still {phase} after {secs} s (timed out); it keeps its place");
            eprintln!("{}", reattach_hint(id));
            ExitCode::from(EXIT_TIMEOUT)
        }
        Outcome::Interrupted(v) => {
            create_in_flight_note(id, v.as_ref());
            let phase = v.map(|v| v.phase.as_str()).unwrap_or("unknown");
            eprintln!("interrupted; job {id} ({phase}) keeps its place");
            eprintln!("{}", reattach_hint(id));
            ExitCode::from(EXIT_INTERRUPTED)
        }
    }
}
