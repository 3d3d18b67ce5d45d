//! `shotdeck jobs [--json] [--board BOARD]`: the list, streamed from the store a chunk of
//! rows at a time, so a long history costs time to print, not memory.

use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::ser::{Serialize, SerializeSeq, Serializer};

use super::jobs::{age, open_store};
use super::out::outln;
use super::stored::Stored;
use crate::core::printable;
use crate::engine::events::{JobPhase, JobView};
use crate::engine::store::{ListFilter, StoreError, now_ms};

pub(super) fn list(json: bool, board: Option<PathBuf>) -> ExitCode {
    let store = match open_store() {
        Ok(s) => s,
        Err(code) => return code,
    };
    // Boards are recorded by absolute path.
    let board_path = board.map(|b| crate::files::board_file::identity(&b));
    let filter = ListFilter {
        board_path,
        limit: None,
    };
    let listed = if json {
        json_list(&store, &filter)
    } else {
        table(&store, &filter)
    };
    if let Some(warning) = super::stored::expiry_warning(&store) {
        eprintln!("warning: {warning}");
    }
    match listed {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// The JSON array, written element by element: the same bytes as one serialized list.
fn json_list(store: &Stored, filter: &ListFilter) -> Result<(), StoreError> {
    let rows = StreamedJobs {
        store,
        filter,
        failure: RefCell::new(None),
    };
    super::out::write_with(|w| super::json_out::write_pretty(w, &rows));
    match rows.failure.into_inner() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Serializes as the array of `filter`'s jobs, read while writing; a store error ends the
/// array early and is kept in `failure`.
struct StreamedJobs<'a> {
    store: &'a Stored,
    filter: &'a ListFilter,
    failure: RefCell<Option<StoreError>>,
}

/// Why streaming stopped: the store, or the writer.
enum Stop<W> {
    Store(StoreError),
    Write(W),
}

impl<W> From<StoreError> for Stop<W> {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

impl Serialize for StreamedJobs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        let streamed = self.store.for_each_view(self.filter, |view| {
            seq.serialize_element(&view).map_err(Stop::Write)
        });
        match streamed {
            Ok(()) => {}
            Err(Stop::Write(e)) => return Err(e),
            Err(Stop::Store(e)) => *self.failure.borrow_mut() = Some(e),
        }
        seq.end()
    }
}

fn table(store: &Stored, filter: &ListFilter) -> Result<(), StoreError> {
    let widest = store.block(store.store().widest_task_id(filter.clone()))?;
    let Some(widest_task) = widest else {
        eprintln!("no jobs yet");
        return Ok(());
    };
    let now = now_ms();
    // A column no wider than any id a provider answer may carry (a longer one, from a store
    // written before that cap, runs past its column rather than past the formatter's limit).
    let task_width = widest_task.clamp("TASK".len(), crate::providers::parse::MAX_ID_CHARS);
    // A shared store (it keeps an account) lists the team's jobs: who asked gets a column.
    let shared = store.block(store.store().account())?.is_some();
    let by_header = if shared {
        format!("{:<BY_WIDTH$}  ", "BY")
    } else {
        String::new()
    };
    outln!(
        "{:>5}  {:>5}  {:<11}  {:<8}  {:<task_width$}  {:>4}  {:<5}  {by_header}BOARD / ERROR",
        "ID",
        "TAKE",
        "PHASE",
        "PROVIDER",
        "TASK",
        "AGE",
        "FILES"
    );
    store.for_each_view(filter, |v| {
        let by = match shared {
            true => format!("{:<BY_WIDTH$}  ", by_label(&v)),
            false => String::new(),
        };
        outln!(
            "{:>5}  {:>5}  {:<11}  {:<8}  {:<task_width$}  {:>4}  {:<5}  {by}{}",
            v.id,
            take_label(&v),
            v.phase.as_str(),
            v.provider.as_str(),
            printable(v.task_id.as_deref().unwrap_or("-")),
            age(now - v.created_at),
            files_summary(&v),
            detail(&v),
        );
        Ok::<(), StoreError>(())
    })
}

/// The BY column's width: `user@host` of a usual length (a longer one runs past it).
const BY_WIDTH: usize = 18;

/// Who submitted the job, escaped; `-` when the store does not say.
fn by_label(v: &JobView) -> String {
    v.submitted_by
        .as_deref()
        .map_or("-".to_string(), |who| printable(who).into_owned())
}

/// The take, starred when it is its board's keeper.
fn take_label(v: &JobView) -> String {
    match v.keeper {
        true => format!("*{}", v.take),
        false => v.take.to_string(),
    }
}

fn files_summary(v: &JobView) -> String {
    let complete = v.files.iter().filter(|f| f.complete).count();
    format!("{complete}/{}", v.files.len())
}

/// The error (from the provider: printed escaped) or the board, and why a queued job waits
/// (a team's account has no free slot).
fn detail(v: &JobView) -> String {
    let text = match &v.error {
        Some(e) => e.summary(),
        None if v.fetch_hint().is_some() => {
            let name = v.board_path.file_name().unwrap_or_default();
            let hint = v.fetch_hint().unwrap_or_default();
            format!("{} {:?} — {hint}", name.to_string_lossy(), v.board_title)
        }
        None => {
            let name = v
                .board_path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy();
            let waits = v
                .status_msg
                .as_ref()
                .filter(|_| v.phase == JobPhase::Queued);
            match waits {
                Some(why) => format!("{name} {:?} — {why}", v.board_title),
                None => format!("{name} {:?}", v.board_title),
            }
        }
    };
    printable(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::provider::Provider;

    fn view(phase: JobPhase, status_msg: Option<&str>) -> JobView {
        JobView {
            board_key: Default::default(),
            id: 7,
            board_path: PathBuf::from("/b/noir.json"),
            board_title: "Noir".into(),
            provider: Provider::Kling,
            external_task_id: "shotdeck-x".into(),
            task_id: None,
            phase,
            status_msg: status_msg.map(str::to_string),
            error: None,
            files: Vec::new(),
            seconds: 5.0,
            estimated_usd: None,
            units_charged: None,
            created_at: 0,
            updated_at: 0,
            finished_at: None,
            take: 1,
            keeper: false,
            retry_of_take: None,
            submitted_by: Some("ann@host-a".into()),
        }
    }

    #[test]
    fn a_job_done_on_another_machine_says_how_to_get_it_here() {
        let mut v = view(JobPhase::Done, None);
        v.id = 12;
        assert_eq!(
            detail(&v),
            "noir.json \"Noir\" — done on host-a; `shotdeck jobs fetch 12` to get it here"
        );
        v.files.push(shotdeck_core::jobs::JobFile {
            url: "https://x/v.mp4".into(),
            path: "/films/noir.renders/v.mp4".into(),
            bytes_done: 1,
            bytes_total: Some(1),
            complete: true,
            media_seconds: None,
        });
        assert_eq!(detail(&v), "noir.json \"Noir\"");
    }

    #[test]
    fn a_queued_job_says_why_it_waits() {
        let why = "queued: 3 of 3 slots in use on account studio-a";
        assert_eq!(
            detail(&view(JobPhase::Queued, Some(why))),
            format!("noir.json \"Noir\" — {why}")
        );
        // A provider's status on a running job is not a wait.
        assert_eq!(
            detail(&view(JobPhase::Processing, Some("rendering"))),
            "noir.json \"Noir\""
        );
        assert_eq!(by_label(&view(JobPhase::Queued, None)), "ann@host-a");
    }
}
