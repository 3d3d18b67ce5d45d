//! `shotdeck download ID` / `shotdeck jobs fetch ID` [--timeout SECS] [--project DIR]:
//! fetch a job's videos onto this machine, resuming partial files; files already complete
//! on disk are kept. A job another machine asked for lands in this machine's copy of its
//! project (found from DIR, else the working folder), else in the render dir here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use super::follow;
use crate::engine::events::{JobCmd, JobId};
use crate::engine::{EngineSettings, ProjectHere};
use crate::files::project;

#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
    pub id: JobId,
    /// Give up waiting after this many seconds (exit 3).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// This machine's copy of the job's project (default: the project around the working
    /// folder).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
}

pub(super) fn run(args: DownloadArgs) -> ExitCode {
    let id = args.id;
    let timeout = args.timeout.map(Duration::from_secs);
    follow::block_on(async {
        let here = match args.project.clone().map_or_else(std::env::current_dir, Ok) {
            Ok(dir) => dir,
            Err(e) => {
                eprintln!("the working folder: {e}");
                return ExitCode::from(1);
            }
        };
        let place = |s: &mut EngineSettings| place_here(s, &here);
        let mut engine = match follow::start_engine_with([id], place).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        follow::note_foreign_lease(&engine, id);
        if !engine.initial_jobs.iter().any(|v| v.id == id) {
            eprintln!("no job {id}");
            follow::stop_engine(engine).await;
            return ExitCode::from(1);
        }
        let _ = engine.cmd_tx.send(JobCmd::Redownload(id)).await;
        // The job may start out done: only what happens after the request counts.
        let outcome = follow::follow(&mut engine, id, None, timeout).await;
        follow::stop_engine(engine).await;
        follow::finish(id, outcome, timeout)
    })
}

/// Where a job asked for on another machine lands here: beside the same board in the
/// project around `dir` (when `dir` is in one that every machine can name), else in the
/// render dir of a board of that name in `dir`.
fn place_here(settings: &mut EngineSettings, dir: &Path) {
    let found = project::resolve(&dir.join("board.json"));
    if found.key.is_shared() {
        settings.project_here = Some(ProjectHere {
            id: found.key.project,
            root: found.root,
        });
    }
    settings.fetch_dir = Some(found.board_path.parent().unwrap_or(dir).to_path_buf());
}
