//! `shotdeck download ID [--timeout SECS]`: fetch a job's videos again, resuming partial
//! files; files already complete on disk are kept.

use std::process::ExitCode;
use std::time::Duration;

use super::follow;
use crate::engine::events::{JobCmd, JobId};

#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
    pub id: JobId,
    /// Give up waiting after this many seconds (exit 3).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
}

pub(super) fn run(args: DownloadArgs) -> ExitCode {
    let id = args.id;
    let timeout = args.timeout.map(Duration::from_secs);
    follow::block_on(async {
        let mut engine = match follow::start_engine([id]).await {
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
