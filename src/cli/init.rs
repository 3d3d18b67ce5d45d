//! `shotdeck init [DIR] [--name NAME]`: makes a folder a project, so the team's job store
//! names its boards the same way on every machine (`files::project`).

use std::path::PathBuf;
use std::process::ExitCode;

use super::out::outln;
use crate::core::{printable, printable_path};
use crate::files::project::{self, Init};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The project's root folder (default: the current folder).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The project's name (default: the folder's name).
    #[arg(long)]
    pub name: Option<String>,
}

pub(super) fn run(args: InitArgs) -> ExitCode {
    match project::init(&args.dir, args.name.as_deref()) {
        Ok(Init::Created { marker, id }) => {
            outln!(
                "wrote {} (project {id}); commit it: boards under {} are then one board on \
                 every machine that shares the job store",
                printable_path(&marker),
                printable_path(&args.dir)
            );
            ExitCode::SUCCESS
        }
        Ok(Init::Exists { marker, id }) => {
            outln!(
                "{} is already a project ({}, project {id}); nothing changed",
                printable_path(&args.dir),
                printable_path(&marker)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("nothing was written: {}", printable(&e.to_string()));
            ExitCode::from(1)
        }
    }
}
