//! `submit --takes N`: the dry run of N creates, the cost line's total, and staying with
//! every take a submit recorded (the engine announces each under the submit's ticket).

use std::process::ExitCode;
use std::time::Duration;

use super::follow::{self, EXIT_NOT_SENT};
use crate::core::compose::PlaceholderImages;
use crate::core::cost::Estimate;
use crate::core::{Board, Provider, compose_with};
use crate::engine::EngineHandle;
use crate::engine::events::{Asked, JobCmd, JobEvent, JobId, JobView, Refusal, SubmitTicket};

/// What N takes cost together, said beside the one take's estimate; `None` for one take.
pub(super) fn total_line(est: Option<&Estimate>, takes: u32) -> Option<String> {
    (takes > 1).then(|| match est {
        Some(e) => format!(
            "{takes} takes, each its own task: ${:.2} in all ({takes} × ${:.2})",
            e.usd * f64::from(takes),
            e.usd
        ),
        None => format!("{takes} takes, each its own task (no price configured)"),
    })
}

/// What `--max-cost` is held to: every take together.
pub(super) fn total_usd(est: &Estimate, takes: u32) -> f64 {
    est.usd * f64::from(takes)
}

/// `--dry-run`'s request: one document for one take, and for N an array of the N creates
/// (each gets its own key at submit; here they are named by take).
pub(super) fn dry_run_requests(
    board: &Board,
    provider: Provider,
    config: &crate::files::config::Config,
    takes: u32,
) -> Result<serde_json::Value, ExitCode> {
    let compose = |key: &str| {
        compose_with(board, provider, &config.profiles, &PlaceholderImages, key)
            .map_err(|e| {
                eprintln!("{e}");
                ExitCode::from(EXIT_NOT_SENT)
            })
            .and_then(|r| serde_json::to_value(r).map_err(|_| ExitCode::from(EXIT_NOT_SENT)))
    };
    if takes <= 1 {
        return compose("<minted at submit>");
    }
    let creates = (1..=takes)
        .map(|k| compose(&format!("<minted at submit: take {k} of {takes}>")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(serde_json::Value::Array(creates))
}

/// Every job the engine recorded for the submit named by `ticket` (`takes` of them, all
/// or none), or why it refused.
pub(super) async fn recorded_jobs(
    engine: &mut EngineHandle,
    ticket: SubmitTicket,
    takes: u32,
) -> Result<Vec<JobView>, Refusal> {
    let mut jobs = Vec::new();
    while jobs.len() < takes.max(1) as usize {
        match engine.event_rx.recv().await {
            Some(JobEvent::Submitted { ticket: t, job }) if t == ticket => jobs.push(job),
            Some(JobEvent::Rejected {
                reason,
                ticket: Some(t),
            }) if t == ticket => return Err(reason),
            Some(_) => {}
            None => {
                return Err(Refusal::EngineStopped {
                    before: Some(Asked::Submit),
                });
            }
        }
    }
    Ok(jobs)
}

/// Stays with each take in turn, as one take's submit does (`--wait`: until its videos are
/// downloaded; otherwise until the provider has its task), each from its state as the
/// store has it now, so nothing another take's wait passed over is missed. `timeout`
/// applies to each take. The exit code is the first take's that did not succeed.
pub(super) async fn follow_takes(
    engine: &mut EngineHandle,
    jobs: Vec<JobView>,
    wait: bool,
    timeout: Option<Duration>,
) -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    for recorded in jobs {
        let id = recorded.id;
        let now = current_view(engine, id).await.unwrap_or(recorded);
        let this = if wait {
            let outcome = follow::follow(engine, id, Some(now), timeout).await;
            follow::finish(id, outcome, timeout)
        } else if let Some(task) = &now.task_id {
            println!("job {id} task {}", crate::core::printable(task));
            ExitCode::SUCCESS
        } else {
            super::submit::until_accepted(engine, id, now, timeout).await
        };
        if code == ExitCode::SUCCESS {
            code = this;
        }
    }
    code
}

/// Job `id` as the store has it now (the engine's answer to `Details`).
async fn current_view(engine: &mut EngineHandle, id: JobId) -> Option<JobView> {
    engine.cmd_tx.send(JobCmd::Details(id)).await.ok()?;
    loop {
        match engine.event_rx.recv().await? {
            JobEvent::Details(record) if record.view.id == id => return Some(record.view),
            JobEvent::Rejected { ticket: None, .. } => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_said_for_more_than_one_take_only() {
        let est = Estimate {
            provider: Provider::Kling,
            model: "kling-v3".into(),
            quality: "std".into(),
            seconds: 5.0,
            usd_per_second: 0.25,
            usd: 1.25,
        };
        assert_eq!(total_line(Some(&est), 1), None);
        let line = total_line(Some(&est), 3).unwrap();
        assert!(line.contains("$3.75 in all (3 × $1.25)"), "{line}");
        assert_eq!(total_usd(&est, 3), 3.75);
    }
}
