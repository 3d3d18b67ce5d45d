//! `shotdeck sequence [PROJECT]`: the boards in order, each one's keeper, the running
//! time; `shotdeck cut PROJECT [-o FILE]`: the keepers joined into one MP4 with a shot list
//! (CSV and CMX3600 EDL) beside it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::out::outln;
use super::stored::Stored;
use crate::app::EXIT_UNREADABLE;
use crate::app::sequence::{project_dir, status};
use crate::core::printable;
use crate::core::sequence::continuation::{VIDEO_PREFIX, needs_prefix};
use crate::core::sequence::{Continuation, ContinueHow};
use crate::core::sequence::{SequenceStatus, running_time, shot_list_csv, shot_list_edl};
use crate::engine::cut::{CutInput, CutMethod, cut, find_ffmpeg, name_shots};

#[derive(Debug, clap::Args)]
pub struct SequenceArgs {
    /// The project folder (holding sequence.toml) or the file itself.
    #[arg(default_value = ".")]
    pub project: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct CutArgs {
    /// The project folder (holding sequence.toml) or the file itself.
    pub project: PathBuf,
    /// The cut's file; the shot list goes beside it (.csv, .edl). Default: cut.mp4 in the
    /// project folder.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The sequence's status, or the exit code after saying why not (2: the file; 1: the store).
fn load(project: &Path) -> Result<SequenceStatus, ExitCode> {
    let stored = Stored::open().map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(1)
    })?;
    stored.block(status(project, stored.store())).map_err(|e| {
        eprintln!("{}", printable(&e));
        ExitCode::from(EXIT_UNREADABLE)
    })
}

pub(super) fn show(args: SequenceArgs) -> ExitCode {
    let status = match load(&args.project) {
        Ok(s) => s,
        Err(code) => return code,
    };
    outln!("{}", printable(&status.summary()));
    let width = status
        .boards
        .iter()
        .map(|b| b.name.len())
        .max()
        .unwrap_or(0);
    for (i, b) in status.boards.iter().enumerate() {
        let keeper = match (&b.board, &b.keeper) {
            (Err(e), None) => format!("unreadable: {e}"),
            (Ok(_), None) => format!("no keeper (asks for {})", running_time(b.planned_seconds())),
            (board, Some(k)) => format!(
                "take {} · {}{}{}",
                k.take,
                running_time(k.seconds),
                k.file
                    .as_ref()
                    .map_or(" · not downloaded".into(), |f| format!(
                        " · {}",
                        f.display()
                    )),
                match board {
                    Ok(_) => String::new(),
                    Err(e) => format!(" · board unreadable ({e}): the cut uses the keeper as sent"),
                }
            ),
        };
        let continues = match status.continues_from(&b.path) {
            Some(Ok(line)) | Some(Err(line)) => format!(" · {line}"),
            None => String::new(),
        };
        outln!(
            "{:>2}  {:width$}  {}{}",
            i + 1,
            b.name,
            printable(&keeper),
            printable(&continues)
        );
    }
    ExitCode::SUCCESS
}

pub(super) fn cut_command(args: CutArgs) -> ExitCode {
    let status = match load(&args.project) {
        Ok(s) => s,
        Err(code) => return code,
    };
    for warning in status.boards.iter().filter_map(|b| b.unreadable_but_kept()) {
        eprintln!("warning: {}", printable(&warning));
    }
    let shots = match status.cut_shots() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot cut {}: {}", status.title, printable(&e));
            return ExitCode::from(1);
        }
    };
    let out = args
        .output
        .unwrap_or_else(|| project_dir(&args.project).join("cut.mp4"));
    let inputs: Vec<CutInput> = shots
        .iter()
        .map(|s| CutInput {
            label: format!("{} take {}", s.board, s.take),
            path: s.source.clone(),
        })
        .collect();
    let report = match cut(&inputs, &out, find_ffmpeg().as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}", printable(&e.to_string()));
            return ExitCode::from(1);
        }
    };
    // The shot list says the lengths the files have, which the cut follows.
    let shots: Vec<_> = shots
        .into_iter()
        .zip(&report.lengths)
        .map(|(mut s, &len)| {
            s.seconds = len;
            s
        })
        .collect();
    let (csv, edl) = (out.with_extension("csv"), out.with_extension("edl"));
    for (path, text) in [
        (&csv, shot_list_csv(&shots)),
        (&edl, shot_list_edl(&status.title, &shots, report.fps)),
    ] {
        if let Err(e) = crate::files::board_file::write_atomic(path, text.as_bytes()) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    if !report.silent.is_empty() {
        let has = if report.silent.len() == 1 {
            "has"
        } else {
            "have"
        };
        eprintln!(
            "{} {has} no sound: the cut's audio is silent there",
            printable(&name_shots(&inputs, &report.silent))
        );
    }
    let how = match (report.method, report.audio) {
        (CutMethod::Copied, false) => "joined without re-encoding".to_string(),
        (CutMethod::Copied, true) => "joined without re-encoding, sound kept".to_string(),
        (CutMethod::Ffmpeg, false) => {
            "re-encoded by ffmpeg (the streams differ), no shot has sound".to_string()
        }
        (CutMethod::Ffmpeg, true) if report.silent.is_empty() => {
            "re-encoded by ffmpeg (the streams differ), every shot's sound kept".to_string()
        }
        (CutMethod::Ffmpeg, true) => format!(
            "re-encoded by ffmpeg (the streams differ), sound kept, silence for {}",
            name_shots(&inputs, &report.silent)
        ),
    };
    outln!(
        "{} · {} shots, {} · {}",
        out.display(),
        shots.len(),
        running_time(report.lengths.iter().sum()),
        printable(&how)
    );
    outln!("{}", csv.display());
    outln!("{}", edl.display());
    ExitCode::SUCCESS
}

/// A board its sequence says continues from the previous board's keeper: the way chosen
/// (omni's video reference, or the previous keeper's last frame as the first frame) is said
/// on stderr before the cost line and the confirmation, and returned so `--dry-run` shows
/// the request with it; the engine's intake plans it again from the store (the same
/// `SequenceStatus::continuation`) and does it. When neither way can be built: the
/// refusal, exit 2, nothing sent. `Ok(None)` when the board continues from nothing.
pub(super) fn continuation(
    board_path: &Path,
    board: &crate::core::Board,
    provider: crate::core::Provider,
    profiles: &crate::core::gateway_profile::Profiles,
) -> Result<Option<Continuation>, ExitCode> {
    let Some(dir) = crate::app::sequence::sequence_of_board(board_path) else {
        return Ok(None);
    };
    let Ok(status) = load(&dir) else {
        return Ok(None);
    };
    let identity = crate::files::board_file::identity(board_path);
    let now = crate::engine::store::now_ms();
    match status.continuation(&identity, board, provider, profiles, now) {
        None => Ok(None),
        Some(Ok(c)) => {
            let name = identity.to_string_lossy();
            let name = crate::core::sequence::board_name(&name);
            let mut line = c.line(name);
            match &c.how {
                ContinueHow::VideoReference { .. } if needs_prefix(board) => {
                    line.push_str(&format!(
                        " ({:?} goes before the prompt, which does not name <<<video_1>>>)",
                        VIDEO_PREFIX.trim_end()
                    ))
                }
                ContinueHow::VideoReference { .. } => {}
                ContinueHow::LastFrame { .. } => {
                    let decoder = if find_ffmpeg().is_some() {
                        "decoded with OpenH264, ffmpeg if that fails"
                    } else {
                        "decoded with OpenH264"
                    };
                    line.push_str(&format!(
                        " ({decoder} when sent; the board file is not changed)"
                    ));
                }
            }
            eprintln!("{}", printable(&line));
            Ok(Some(c))
        }
        Some(Err(refusal)) => {
            eprintln!(
                "{}: {}",
                crate::core::printable_path(board_path),
                printable(&refusal.to_string())
            );
            Err(ExitCode::from(EXIT_UNREADABLE))
        }
    }
}

/// `board` as a submit of it sends it: with the continuation its sequence asks for (said on
/// stderr, see [`continuation`]), held to the video reference's rules before any question
/// (a last frame is checked by the engine once written). `Err`: the exit code, already
/// explained; nothing sent.
pub(super) fn board_as_sent(
    path: &Path,
    board: &crate::core::Board,
    provider: crate::core::Provider,
    profiles: &crate::core::gateway_profile::Profiles,
) -> Result<crate::core::Board, ExitCode> {
    let mut sent = board.clone();
    sent.continues = None;
    let Some(c) = continuation(path, board, provider, profiles)? else {
        return Ok(sent);
    };
    let video = matches!(c.how, ContinueHow::VideoReference { .. });
    c.apply(&mut sent);
    if video {
        let dir = crate::files::board_file::board_dir(path);
        let findings = crate::files::image_probe::validate_on_disk(&sent, &dir, provider, profiles);
        if !crate::core::is_submittable(&findings) {
            super::validate::print_findings(&mut std::io::stderr(), &findings);
            eprintln!(
                "{} is not submittable with its continuation; nothing was sent",
                crate::core::printable_path(path)
            );
            // Like a board its route cannot carry whole (and a continuation that cannot be
            // built): 2, nothing sent.
            return Err(ExitCode::from(EXIT_UNREADABLE));
        }
    }
    Ok(sent)
}
