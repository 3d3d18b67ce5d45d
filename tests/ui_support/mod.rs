//! Shared fixtures for the UI tests: an app over a board in a temp dir, with the engine's
//! channels held by the test and a host that records instead of opening or copying.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shotdeck::core::{Board, Provider};
use shotdeck::engine::events::{JobCmd, JobError, JobEvent, JobFile, JobPhase, JobView};
use shotdeck::engine::{COMMAND_CAPACITY, EVENT_CAPACITY};
use shotdeck::files::board_file;
use shotdeck::files::config::{Config, NotifyMode};
use shotdeck::ui::{App, Host, HostError, OpenedBoard, UiDeps};
use tokio::sync::mpsc::{Receiver, Sender, channel};

/// A fixed clock for stable snapshots: 2026-01-01T00:00:00Z.
pub const NOW_MS: i64 = 1_767_225_600_000;

#[derive(Default, Clone)]
pub struct Recorded {
    pub opened: Arc<Mutex<Vec<PathBuf>>>,
    pub copied: Arc<Mutex<Vec<String>>>,
    /// (mode, title, body) of each notification.
    pub notified: Arc<Mutex<Vec<(NotifyMode, String, String)>>>,
}

pub struct RecordingHost {
    pub rec: Recorded,
    pub remote: bool,
}

impl Host for RecordingHost {
    fn open(&mut self, path: &Path) -> Result<(), HostError> {
        self.rec.opened.lock().unwrap().push(path.to_path_buf());
        Ok(())
    }
    fn copy(&mut self, text: &str) -> Result<(), HostError> {
        self.rec.copied.lock().unwrap().push(text.to_string());
        Ok(())
    }
    fn remote(&self) -> bool {
        self.remote
    }
    fn notify(&mut self, mode: NotifyMode, title: &str, body: &str) -> Result<(), HostError> {
        let note = (mode, title.to_string(), body.to_string());
        self.rec.notified.lock().unwrap().push(note);
        Ok(())
    }
}

pub struct Harness {
    pub app: App,
    pub cmds: Receiver<JobCmd>,
    pub events: Sender<JobEvent>,
    pub rec: Recorded,
    pub dir: tempfile::TempDir,
}

pub fn deps(jobs: Vec<JobView>) -> (UiDeps, Receiver<JobCmd>, Sender<JobEvent>, Recorded) {
    let (cmd_tx, cmd_rx) = channel(COMMAND_CAPACITY);
    let (ev_tx, ev_rx) = channel(EVENT_CAPACITY);
    let mut d = UiDeps::new(cmd_tx, ev_rx, Config::default());
    let rec = Recorded::default();
    d.host = Box::new(RecordingHost {
        rec: rec.clone(),
        remote: false,
    });
    d.initial_jobs = jobs;
    (d, cmd_rx, ev_tx, rec)
}

/// The board saved as `board.json` in a fresh temp dir, opened in an app.
pub fn harness(board: &Board) -> Harness {
    harness_with(board, |_| vec![])
}

/// Like [`harness`], with jobs built from the board's absolute path.
pub fn harness_with(board: &Board, jobs: impl FnOnce(&Path) -> Vec<JobView>) -> Harness {
    harness_tweaked(board, jobs, |_| {})
}

/// Like [`harness_with`], with `tweak` changing the deps (keys, say) before the app starts.
pub fn harness_tweaked(
    board: &Board,
    jobs: impl FnOnce(&Path) -> Vec<JobView>,
    tweak: impl FnOnce(&mut UiDeps),
) -> Harness {
    harness_full(board, |_| {}, jobs, tweak)
}

/// Like [`harness`], with `files` written into the board's folder before it is opened
/// (so the image probe sees them) and `tweak` changing the deps.
pub fn harness_with_files(
    board: &Board,
    files: impl FnOnce(&Path),
    tweak: impl FnOnce(&mut UiDeps),
) -> Harness {
    harness_full(board, files, |_| vec![], tweak)
}

fn harness_full(
    board: &Board,
    files: impl FnOnce(&Path),
    jobs: impl FnOnce(&Path) -> Vec<JobView>,
    tweak: impl FnOnce(&mut UiDeps),
) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let path = dir.path().join("board.json");
    board_file::save(&path, board).unwrap();
    let opened = OpenedBoard::open(&path, "std").unwrap();
    let jobs = jobs(&opened.path);
    let (mut deps, cmds, events, rec) = deps(jobs);
    tweak(&mut deps);
    let (mut app, _rx) = App::new(opened, deps);
    app.set_clock(Instant::now(), NOW_MS);
    // The receiver is dropped: tests feed engine events through `app.on_job_event`.
    Harness {
        app,
        cmds,
        events,
        rec,
        dir,
    }
}

impl Harness {
    pub fn key(&mut self, code: KeyCode) {
        self.app
            .handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
    pub fn ctrl(&mut self, c: char) {
        self.app.handle_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }
    /// Presses each character as a key (upper case with shift, as terminals send it).
    pub fn keys(&mut self, s: &str) {
        for c in s.chars() {
            let m = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.app
                .handle_event(Event::Key(KeyEvent::new(KeyCode::Char(c), m)));
        }
    }
    pub fn render(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| self.app.render(f)).unwrap();
        t
    }
    /// The text a `w`×`h` frame shows, a line a row.
    pub fn screen(&self, w: u16, h: u16) -> String {
        let t = self.render(w, h);
        let buf = t.backend().buffer();
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
            .collect()
    }
    pub fn board_path(&self) -> PathBuf {
        self.app.doc().path().to_path_buf()
    }
}

pub fn job(id: i64, board: &Path, phase: JobPhase) -> JobView {
    JobView {
        board_key: Default::default(),
        id,
        board_path: board.to_path_buf(),
        board_title: "Noir opening".into(),
        provider: Provider::Kling,
        external_task_id: format!("shotdeck-0000000{id}"),
        task_id: Some(format!("8630{id}1234567")),
        phase,
        status_msg: None,
        error: None,
        files: vec![],
        seconds: 12.0,
        estimated_usd: Some(1.01),
        units_charged: None,
        created_at: NOW_MS - 95_000,
        updated_at: NOW_MS - 1_000,
        finished_at: None,
        take: id as u32,
        keeper: false,
        retry_of_take: None,
        submitted_by: None,
    }
}

/// Three jobs: one processing, one failed, one done (and one of another board).
pub fn sample_jobs(board: &Path) -> Vec<JobView> {
    let mut failed = job(2, board, JobPhase::Failed);
    failed.error = Some(JobError {
        code: Some("1102".into()),
        message: "Account balance not enough".into(),
        retryable: false,
    });
    failed.finished_at = Some(NOW_MS - 60_000);
    let mut done = job(1, board, JobPhase::Done);
    done.files = vec![JobFile {
        url: "https://cdn.example.test/v/abc.mp4".into(),
        path: board.parent().unwrap().join("board.renders/job-1.mp4"),
        bytes_done: 26_000_000,
        bytes_total: Some(26_000_000),
        complete: true,
        media_seconds: None,
    }];
    done.created_at = NOW_MS - 600_000;
    done.finished_at = Some(NOW_MS - 420_000);
    let mut downloading = job(3, board, JobPhase::Downloading);
    downloading.files = vec![JobFile {
        url: "https://cdn.example.test/v/def.mp4".into(),
        path: board.parent().unwrap().join("board.renders/job-3.mp4"),
        bytes_done: 13_000_000,
        bytes_total: Some(26_000_000),
        complete: false,
        media_seconds: None,
    }];
    let processing = job(4, board, JobPhase::Processing);
    let other = job(5, Path::new("/elsewhere/other.json"), JobPhase::Done);
    vec![done, failed, downloading, processing, other]
}

/// The noir example board: valid, 12 s, three shots.
pub fn noir() -> Board {
    board_file::parse(
        include_str!("../../examples/noir-3-shot.json"),
        Path::new("noir.json"),
    )
    .unwrap()
}

/// The noir board in reference mode with two reference images (`<<<image_1>>>`, `_2`).
pub fn noir_with_references() -> Board {
    Board {
        mode: shotdeck::core::Mode::Reference,
        references: vec![
            "https://example.com/detective.png".into(),
            "https://example.com/singer.png".into(),
        ],
        ..noir()
    }
}

/// `sample_jobs` with the done job's video at a fixed, long path (the temp dir changes every
/// run), four units charged and a header length off the 12 s asked for.
pub fn detailed_jobs(board: &Path) -> Vec<JobView> {
    let mut jobs = sample_jobs(board);
    let done = &mut jobs[0];
    done.units_charged = Some("4".into());
    done.files[0].path =
        "/home/ana/films/noir-opening/board.renders/noir-opening-1-00000001-take.mp4".into();
    done.files[0].media_seconds = Some(10.0);
    jobs
}

/// What the engine answers to `JobCmd::Details` for `view`: its phases, a minute apart.
pub fn record_of(view: &JobView) -> shotdeck::engine::store::JobRecord {
    use shotdeck::engine::store::PhaseEvent;
    let phases = [
        (JobPhase::Queued, None),
        (JobPhase::Submitting, None),
        (JobPhase::Processing, Some("task 86301234567 accepted")),
        (JobPhase::Downloading, None),
        (JobPhase::Done, None),
    ];
    shotdeck::engine::store::JobRecord {
        view: view.clone(),
        board: noir(),
        request: shotdeck::core::ComposedRequest {
            method: "POST".into(),
            path: "/v1/videos/text2video".into(),
            body: serde_json::json!({}),
        },
        create_path: "/v1/videos/text2video".into(),
        retry_of: None,
        stalled: false,
        lease_owner: None,
        lease_until: None,
        last_polled_at: None,
        history: phases
            .into_iter()
            .enumerate()
            .map(|(i, (phase, note))| PhaseEvent {
                at: view.created_at + i as i64 * 45_000,
                phase,
                note: note.map(str::to_string),
            })
            .collect(),
    }
}
