//! `shotdeck jobs [--json] [--board BOARD]`, `shotdeck jobs show ID [--json]`,
//! `shotdeck jobs wait ID [--timeout SECS]`, and for a job in `needs_attention`
//! `shotdeck jobs attach ID TASK_ID` and `shotdeck jobs lost ID`; `jobs send` and `jobs
//! cancel` are in `jobs_send.rs`. Listing and showing read
//! the store directly: no engine, no network.

use super::out::outln;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;

use crate::core::{printable, printable_path};

use super::stored::Stored;
use crate::engine::events::JobId;
use crate::engine::store::{JobRecord, Resolution, now_ms};

#[derive(Debug, clap::Args)]
pub struct JobsArgs {
    #[command(subcommand)]
    pub action: Option<JobsAction>,
    /// Print the jobs as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Only the jobs of this board file.
    #[arg(long, value_name = "BOARD")]
    pub board: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum JobsAction {
    /// Everything stored about one job, with its phase history.
    Show {
        id: JobId,
        #[arg(long)]
        json: bool,
    },
    /// Reattach: poll and download until the job is done (exit 0); exit 4 when the provider
    /// failed the task it accepted (it may be charged), 1 when nothing was sent, 3 on
    /// `--timeout`, 5 when it needs attention (the exit table is in `shotdeck man`).
    ///
    /// On a machine that did not ask for the job, the wait ends (exit 0) once the task is
    /// done on the team, saying where and how to get the videos here; `--fetch` downloads
    /// them into this machine's copy of the project (as `jobs fetch`) instead.
    Wait {
        id: JobId,
        /// Give up waiting after this many seconds (exit 3; the job carries on).
        #[arg(long, value_name = "SECS")]
        timeout: Option<u64>,
        /// Done on another machine: download the videos here too.
        #[arg(long)]
        fetch: bool,
    },
    /// Download a job's videos onto this machine (into this machine's copy of its project,
    /// found from the working folder or `--project`), whichever machine asked for it.
    Fetch(super::download::DownloadArgs),
    /// A job that needs attention: enter the task id the gateway's dashboard shows; polling
    /// resumes and this command follows the job like `wait`. An id entered by mistake may
    /// be attached again until a download begins.
    Attach {
        id: JobId,
        task_id: String,
        /// Only record the task id; an engine (the editor, `jobs wait`) polls it.
        #[arg(long)]
        no_wait: bool,
    },
    /// A job that needs attention and has no task at the gateway: mark it lost (failed; it
    /// may still have been charged). Retry it afterwards if you want a new task.
    Lost { id: JobId },
    /// A job recorded but never sent (not_sent): send it now (it costs money; asks first).
    Send(super::jobs_send::SendArgs),
    /// Stop waiting for an unfinished job (it fails as cancelled). The provider cannot be
    /// asked to stop a task: one it accepted may still run and be charged.
    Cancel { id: JobId },
    /// Make a done job its board's keeper (the take you keep; one per board, so the mark
    /// moves from the take that had it), or clear the mark with `--clear`.
    Keep {
        id: JobId,
        #[arg(long)]
        clear: bool,
    },
}

pub(super) fn run(args: JobsArgs) -> ExitCode {
    match args.action {
        None => super::jobs_list::list(args.json, args.board),
        Some(JobsAction::Show { id, json }) => show(id, json),
        Some(JobsAction::Fetch(args)) => super::download::run(args),
        Some(JobsAction::Wait { id, timeout, fetch }) => {
            super::wait::wait(id, timeout.map(Duration::from_secs), fetch)
        }
        Some(JobsAction::Attach {
            id,
            task_id,
            no_wait,
        }) => match resolve(id, Resolution::Attach(task_id)) {
            Ok(()) if no_wait => ExitCode::SUCCESS,
            Ok(()) => super::wait::wait(id, None, false),
            Err(code) => code,
        },
        Some(JobsAction::Lost { id }) => match resolve(id, Resolution::Lost) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Some(JobsAction::Send(args)) => super::jobs_send::send(args),
        Some(JobsAction::Cancel { id }) => super::jobs_send::cancel(id),
        Some(JobsAction::Keep { id, clear }) => keep(id, !clear),
    }
}

/// Writes the user's answer to a job in `needs_attention`.
fn resolve(id: JobId, resolution: Resolution) -> Result<(), ExitCode> {
    let stored = open_store()?;
    let owner = format!("cli-{}", std::process::id());
    let answer = resolution.clone();
    match stored.block(
        stored
            .store()
            .resolve_attention(id, answer, &owner, now_ms()),
    ) {
        Ok(v) => {
            let what = match &resolution {
                Resolution::Attach(_) => format!(
                    "job {id}: task {} attached; polling resumes",
                    printable(v.task_id.as_deref().unwrap_or("-"))
                ),
                Resolution::Lost => {
                    format!("job {id}: marked lost (it may still have been charged)")
                }
            };
            eprintln!("{what}");
            Ok(())
        }
        Err(e) => {
            eprintln!("{e}");
            Err(ExitCode::from(1))
        }
    }
}

/// Sets or clears a board's keeper; says which takes changed (exit 1 when refused).
fn keep(id: JobId, keep: bool) -> ExitCode {
    let stored = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match stored.block(stored.store().set_keeper(id, keep, now_ms())) {
        Ok(changed) if changed.is_empty() => {
            let state = if keep { "already" } else { "not" };
            eprintln!("job {id}: {state} the keeper; nothing changed");
            ExitCode::SUCCESS
        }
        Ok(changed) => {
            for v in changed {
                let board = v
                    .board_path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy();
                let what = if v.keeper { "is now" } else { "is no longer" };
                eprintln!(
                    "job {}: Take {} of {} {what} the keeper",
                    v.id,
                    v.take,
                    printable(&board)
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// The configured store (SQLite or the team's PostgreSQL); exit 1 when it cannot open.
pub(super) fn open_store() -> Result<Stored, ExitCode> {
    Stored::open().map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(1)
    })
}

fn show(id: JobId, json: bool) -> ExitCode {
    let stored = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let rec = match stored.block(stored.store().record(id)) {
        Ok(Some(r)) => r,
        Ok(None) => {
            eprintln!("no job {id}");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if json {
        let mut v = serde_json::to_value(&rec).expect("records serialize");
        v["request"] = crate::engine::sidecar::request_naming_images(&rec);
        elide_long_strings(&mut v["request"]["body"]);
        super::out::write_with(|w| super::json_out::write_pretty(w, &v));
    } else {
        print_record(&rec);
    }
    if let Some(warning) = super::stored::expiry_warning(&stored) {
        eprintln!("warning: {warning}");
    }
    ExitCode::SUCCESS
}

/// Embedded images are megabytes of Base64: shown as their size.
fn elide_long_strings(v: &mut Value) {
    const MAX: usize = 200;
    match v {
        Value::String(s) if s.len() > MAX => {
            *s = format!("<{} characters elided>", s.len());
        }
        Value::Array(items) => items.iter_mut().for_each(elide_long_strings),
        Value::Object(map) => map.values_mut().for_each(elide_long_strings),
        _ => {}
    }
}

fn print_record(rec: &JobRecord) {
    let v = &rec.view;
    let now = now_ms();
    outln!("job {}  {}  {}", v.id, v.phase.as_str(), v.provider);
    outln!(
        "board     {} ({:?})",
        printable_path(&v.board_path),
        v.board_title
    );
    // A shared store records who asked; one machine's jobs are all its user's.
    if let Some(who) = &v.submitted_by {
        outln!("by        {}", printable(who));
    }
    let keeper = if v.keeper { " · keeper" } else { "" };
    let retry = v
        .retry_of_take
        .map_or(String::new(), |t| format!(" · retry of take {t}"));
    outln!("take      {}{keeper}{retry}", v.take);
    outln!(
        "request   {} {}",
        rec.request.method,
        printable(&rec.request.path)
    );
    outln!("external  {}", printable(&v.external_task_id));
    outln!(
        "task      {}",
        printable(v.task_id.as_deref().unwrap_or("-"))
    );
    outln!(
        "created   {} ({} ago)",
        utc(v.created_at),
        age(now - v.created_at)
    );
    if let Some(f) = v.finished_at {
        outln!("finished  {}", utc(f));
    }
    if let Some(usd) = v.estimated_usd {
        outln!("estimate  ${usd:.2} for {} s", v.seconds);
    }
    if let Some(units) = &v.units_charged {
        outln!("charged   {} units", printable(units));
    }
    if let Some(of) = rec.retry_of {
        outln!("retry of  job {of}");
    }
    if let Some(c) = &rec.board.continues {
        outln!("continues from {}", printable(&c.from()));
    }
    if let Some(m) = &v.status_msg {
        outln!("status    {}", printable(m));
    }
    if let Some(e) = &v.error {
        let code = e
            .code
            .as_deref()
            .map(|c| format!("[{c}] "))
            .unwrap_or_default();
        outln!("error     {}{}", printable(&code), printable(&e.message));
    }
    if let (Some(owner), Some(until)) = (&rec.lease_owner, rec.lease_until) {
        outln!("lease     {owner} until {}", utc(until));
    }
    if let Some(hint) = v.fetch_hint() {
        outln!("files     {}", printable(&hint));
    }
    if !v.files.is_empty() {
        outln!("files");
        for f in &v.files {
            let total = f.bytes_total.map(|t| format!("/{t}")).unwrap_or_default();
            let state = if f.complete { "complete" } else { "partial" };
            outln!(
                "  {}  {}{total} bytes  {state}",
                printable_path(&f.path),
                f.bytes_done
            );
        }
    }
    outln!("history");
    for e in &rec.history {
        let line = match &e.note {
            Some(note) => format!(
                "  {}  {:<11}  {}",
                utc(e.at),
                e.phase.as_str(),
                printable(note)
            ),
            None => format!("  {}  {}", utc(e.at), e.phase.as_str()),
        };
        outln!("{line}");
    }
}

/// `42s`, `5m`, `3h`, `2d`.
pub(super) fn age(ms: i64) -> String {
    let s = (ms / 1000).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m", s / 60),
        3_600..86_400 => format!("{}h", s / 3_600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS.mmm UTC`.
pub(super) fn utc(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Howard Hinnant's days-to-civil: proleptic Gregorian, valid for any i64 day count here.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}.{milli:03} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00.000 UTC");
        assert_eq!(utc(1_795_563_123_456), "2026-11-24 23:32:03.456 UTC");
    }

    #[test]
    fn ages_are_short() {
        assert_eq!(age(-5), "0s");
        assert_eq!(age(59_999), "59s");
        assert_eq!(age(60_000), "1m");
        assert_eq!(age(7_200_000), "2h");
        assert_eq!(age(3 * 86_400_000), "3d");
    }

    #[test]
    fn only_long_strings_are_elided() {
        let mut v = serde_json::json!({
            "prompt": "short",
            "image": "A".repeat(500),
            "image_list": [{"image_url": "B".repeat(300)}],
        });
        elide_long_strings(&mut v);
        assert_eq!(v["prompt"], "short");
        assert_eq!(v["image"], "<500 characters elided>");
        assert_eq!(v["image_list"][0]["image_url"], "<300 characters elided>");
    }
}
