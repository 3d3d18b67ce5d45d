//! `shotdeck download ID…` / `shotdeck jobs fetch ID…` [--timeout SECS] [--project DIR]:
//! fetch jobs' videos onto this machine, one job after the other, resuming partial files; files already complete
//! on disk are kept. A job another machine asked for lands in this machine's copy of its
//! project (found from DIR, else the working folder), else in the render dir here.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::follow;
use crate::engine::EngineSettings;
use crate::engine::events::{JobCmd, JobId};

#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
    /// One or more jobs (`jobs` lists the ones nobody has fetched yet).
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<JobId>,
    /// Give up waiting for each job after this many seconds (exit 3).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// This machine's copy of the job's project (default: the project around the working
    /// folder).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
}

pub(super) fn run(args: DownloadArgs) -> ExitCode {
    let ids = args.ids.clone();
    let timeout = args.timeout.map(Duration::from_secs);
    follow::block_on(async {
        let here = match args.project.clone().map_or_else(std::env::current_dir, Ok) {
            Ok(dir) => dir,
            Err(e) => {
                eprintln!("the working folder: {e}");
                return ExitCode::from(1);
            }
        };
        let place = |s: &mut EngineSettings| s.place_from(&here);
        let mut engine = match follow::start_engine_with(ids.iter().copied(), place).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        // One job after the other; the first that does not end well gives the exit code.
        let mut code = ExitCode::SUCCESS;
        for &id in &ids {
            let one = fetch_one(&mut engine, id, timeout).await;
            if code == ExitCode::SUCCESS {
                code = one;
            }
        }
        follow::stop_engine(engine).await;
        code
    })
}

async fn fetch_one(
    engine: &mut crate::engine::EngineHandle,
    id: JobId,
    timeout: Option<Duration>,
) -> ExitCode {
    follow::note_foreign_lease(engine, id);
    if !engine.initial_jobs.iter().any(|v| v.id == id) {
        eprintln!("no job {id}");
        return ExitCode::from(1);
    }
    let _ = engine.cmd_tx.send(JobCmd::Redownload(id)).await;
    // The job may start out done: only what happens after the request counts.
    let outcome = follow::follow(engine, id, None, timeout).await;
    follow::finish(id, outcome, timeout)
}
