//! `shotdeck jobs wait ID [--timeout SECS] [--fetch]`: follow a job until it ends. On a
//! team's store, a machine that did not ask for the job stops waiting once the task is
//! done on the team (its videos are left for the machine that asked), and says how to get
//! them here; with `--fetch` it downloads them into this machine's copy of the project.

use std::process::ExitCode;
use std::time::Duration;

use super::follow::{self, Outcome};
use crate::engine::EngineSettings;
use crate::engine::events::{JobCmd, JobId};

pub(super) fn wait(id: JobId, timeout: Option<Duration>, fetch: bool) -> ExitCode {
    follow::block_on(async {
        // Placed as `jobs fetch` places them, in case they are fetched here.
        let here = std::env::current_dir().ok();
        let place = |s: &mut EngineSettings| {
            if let Some(dir) = &here {
                s.place_from(dir);
            }
        };
        let mut engine = match follow::start_engine_with([id], place).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        follow::note_foreign_lease(&engine, id);
        let Some(start) = engine.initial_jobs.iter().find(|v| v.id == id).cloned() else {
            eprintln!("no job {id}");
            follow::stop_engine(engine).await;
            return ExitCode::from(1);
        };
        let host = engine.host.clone();
        let elsewhere = |v: &crate::engine::events::JobView| {
            let hint = v.done_elsewhere(host.as_deref())?;
            Some(Outcome::DoneElsewhere(hint))
        };
        let mut outcome =
            follow::follow_until(&mut engine, id, Some(start), timeout, elsewhere).await;
        let done_there = match &outcome {
            Outcome::DoneElsewhere(..) => true,
            Outcome::Done(v) => v.fetch_hint().is_some(),
            _ => false,
        };
        if fetch && done_there {
            let _ = engine.cmd_tx.send(JobCmd::Redownload(id)).await;
            outcome = follow::follow(&mut engine, id, None, timeout).await;
        }
        follow::stop_engine(engine).await;
        follow::finish(id, outcome, timeout)
    })
}
