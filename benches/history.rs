//! Cost that does not grow with history: the editor's first frame and resident memory
//! with an empty job store against one of 100,000 jobs (10,000 on the open board), in an
//! 80×24 pty. `cargo bench --bench history`

#![cfg(unix)]

use std::path::Path;
use std::time::Duration;

use rusqlite::params;
use shotdeck::core::Provider;
use shotdeck::core::compose::{PlaceholderImages, compose};
use shotdeck::core::model::Board;
use shotdeck::engine::store::{NewJob, STORE_FILE, Store};
use shotdeck::files::board_file::identity;

#[path = "support/pty.rs"]
mod pty;
use pty::{Pty, board_dir, complete_frame, full_frame, median, memory_kb, ms};

const LAUNCHES: usize = 10;
const JOBS: i64 = 100_000;
/// Every tenth job is the open board's.
const OPEN_BOARD_EVERY: i64 = 10;

/// Fills `dir`'s store with `JOBS` finished jobs, one downloaded file each: one recorded
/// the ordinary way, copied in SQL (the triggers keep the counts as inserts would).
fn build_history(dir: &Path, board: &Path) {
    let store_path = dir.join("data").join(STORE_FILE);
    let mut store = Store::open(&store_path).expect("open the store");
    let template = Board::starter();
    let request = compose(
        &template,
        Provider::Kling,
        &PlaceholderImages,
        "shotdeck-hist-1",
    )
    .expect("compose the starter board");
    let job = NewJob {
        board_key: None,
        board_path: identity(board),
        board: template,
        provider: Provider::Kling,
        request,
        external_task_id: "shotdeck-hist-1".into(),
        estimated_usd: Some(1.01),
        retry_of: None,
    };
    store
        .insert_job(&job, "bench", 0, 1_000)
        .expect("insert the template");
    drop(store);
    let db = rusqlite::Connection::open(&store_path).expect("open the store file");
    db.execute_batch("UPDATE jobs SET phase = 'done', lease_owner = NULL, finished_at = 2000")
        .expect("finish the template");
    // `take = i`: unique on every board (takes are numbered per board; gaps are harmless).
    db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO jobs (board_path, board_title, board_json, provider, request_json,
             create_path, external_task_id, task_id, phase, seconds, estimated_usd,
             created_at, updated_at, finished_at, model, take)
         SELECT CASE WHEN i % ?2 = 0 THEN j.board_path
                     ELSE '/elsewhere/board-' || (i % 37) || '.json' END,
             j.board_title, j.board_json, j.provider, j.request_json, j.create_path,
             'shotdeck-hist-' || i, 'task-' || i, 'done', j.seconds, j.estimated_usd,
             1000 + i, 2000 + i, 2000 + i, j.model, i
         FROM n, jobs j WHERE j.id = 1",
        params![JOBS, OPEN_BOARD_EVERY],
    )
    .expect("copy the template");
    db.execute_batch(
        "INSERT INTO job_files (job_id, idx, url, path, bytes_done, bytes_total, complete)
         SELECT id, 0, 'https://cdn.example/' || id || '.mp4', '/videos/' || id || '.mp4',
             1000, 1000, 1 FROM jobs",
    )
    .expect("add the files");
    let (jobs, on_board): (i64, i64) = db
        .query_row(
            "SELECT count(*), sum(board_path = (SELECT board_path FROM jobs WHERE id = 1)) FROM jobs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("count");
    let bytes = std::fs::metadata(&store_path).map_or(0, |m| m.len());
    println!(
        "history store: {jobs} jobs, {on_board} on the open board, {:.1} MB",
        bytes as f64 / 1e6
    );
}

/// One launch: spawn → first frame, spawn → complete screen (history and spend shown),
/// and VmRSS / VmHWM a second later.
struct Launch {
    first: Duration,
    complete: Duration,
    rss_kb: u64,
    hwm_kb: u64,
}

/// One launch of `shotdeck BOARD` in `dir`.
fn launch(dir: &Path, board: &Path) -> Launch {
    let (mut pty, started) = Pty::spawn(dir, &[board.to_str().expect("a UTF-8 path")]);
    let first = pty.wait_for("the first frame", full_frame);
    let complete = pty.wait_for("the complete screen", complete_frame);
    pty.settle(Duration::from_millis(1000));
    let (rss_kb, hwm_kb) = memory_kb(pty.pid);
    pty.quit();
    Launch {
        first: first - started,
        complete: complete - started,
        rss_kb,
        hwm_kb,
    }
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: skip building 100,000 jobs.
    if !std::env::args().any(|a| a == "--bench") {
        println!("history: measured only under `cargo bench --bench history`");
        return;
    }
    let (empty_dir, empty_board) = board_dir();
    let (full_dir, full_board) = board_dir();
    build_history(full_dir.path(), &full_board);
    // Alternating launches, so load on the machine hits both alike.
    let (mut empty, mut full) = (Vec::new(), Vec::new());
    for _ in 0..LAUNCHES {
        empty.push(launch(empty_dir.path(), &empty_board));
        full.push(launch(full_dir.path(), &full_board));
    }
    let first = |v: &[Launch]| median(v.iter().map(|x| x.first).collect());
    let complete = |v: &[Launch]| median(v.iter().map(|x| x.complete).collect());
    let rss = |v: &[Launch]| median(v.iter().map(|x| x.rss_kb).collect()) as f64 / 1024.0;
    let hwm = |v: &[Launch]| median(v.iter().map(|x| x.hwm_kb).collect()) as f64 / 1024.0;
    println!("| store | first frame | complete screen | VmRSS 1 s later | VmHWM 1 s later |");
    println!("|---|---|---|---|---|");
    for (name, v) in [
        ("empty".to_string(), &empty),
        (
            format!("{JOBS} jobs ({} on the board)", JOBS / OPEN_BOARD_EVERY),
            &full,
        ),
    ] {
        println!(
            "| {name} | {} | {} | {:.1} MB | {:.1} MB |",
            ms(first(v)),
            ms(complete(v)),
            rss(v),
            hwm(v)
        );
    }
    println!("(medians of {LAUNCHES} alternating launches each)");
    println!(
        "ratio: first frame {:.2}×, complete screen {:.2}×, VmRSS {:.2}×, VmHWM {:.2}×",
        first(&full).as_secs_f64() / first(&empty).as_secs_f64(),
        complete(&full).as_secs_f64() / complete(&empty).as_secs_f64(),
        rss(&full) / rss(&empty),
        hwm(&full) / hwm(&empty)
    );
    let list = |v: &[Launch], kb: fn(&Launch) -> u64| {
        v.iter()
            .map(|l| format!("{:.1}", kb(l) as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "VmRSS in launch order (MB): empty {}",
        list(&empty, |l| l.rss_kb)
    );
    println!(
        "VmRSS in launch order (MB): full  {}",
        list(&full, |l| l.rss_kb)
    );
}
