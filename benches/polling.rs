//! How hard the engine polls: 50 jobs in flight for a minute against the simulated Kling
//! backend, with the engine's DEFAULT tuning (the one users get). `cargo bench --bench polling`
//!
//! Tasks take 600 s in the simulator, so every job stays in flight for the whole run and
//! the numbers show the polling schedule alone, not downloads. A poll is a task list request
//! (one for all the jobs of an endpoint kind) or, for a task the list does not show, a
//! single query.

use std::path::Path;
use std::time::{Duration, Instant};

use shotdeck::app::runtime::Flavor;
use shotdeck::core::Provider;
use shotdeck::engine::events::{JobCmd, SubmitOptions, SubmitRequest};
use shotdeck::engine::schedule::{JITTER, PollSchedule};
use shotdeck::files::board_file;
use shotdeck::files::config::Config;
use shotdeck::sim::SimStats;

const JOBS: usize = 50;
const RUN: Duration = Duration::from_secs(60);
const TASK_SECONDS: f64 = 600.0;

fn submit_cmd(board_path: &Path) -> JobCmd {
    let board = board_file::load(board_path).expect("load the board");
    JobCmd::Submit(SubmitRequest::new(
        board_path,
        board,
        Provider::Kling,
        SubmitOptions::default(),
    ))
}

struct Report {
    requests: u64,
    creates: u64,
    queries: u64,
    lists: u64,
    /// Poll requests (lists and queries) in the second half of the run, per minute: the
    /// steady state.
    late_polls_per_min: f64,
    /// Most queries one task got inside one of its own (jitter-shortened) poll intervals.
    max_per_interval: usize,
    min_gap_ms: u64,
    /// Smallest gap divided by the un-jittered interval the schedule asked for.
    min_gap_ratio: f64,
    polls_per_task: (u64, u64),
}

fn analyse(stats: &SimStats, schedule: &PollSchedule, run_ms: u64) -> Report {
    let mut max_per_interval = 0;
    let mut min_gap_ms = u64::MAX;
    let mut min_gap_ratio = f64::MAX;
    // The run starts with the first create; the simulator's clock started a little earlier.
    let start = stats
        .query_times_ms
        .values()
        .flatten()
        .chain(&stats.list_times_ms)
        .min()
        .copied()
        .unwrap_or(0);
    let half = start + run_ms / 2;
    let mut late = stats.list_times_ms.iter().filter(|t| **t > half).count() as u64;
    for times in stats.query_times_ms.values() {
        late += times.iter().filter(|t| **t > half).count() as u64;
        for (i, t) in times.iter().enumerate() {
            // Poll i+1 is due base_interval(i+1) after poll i, give or take the jitter.
            let shortest = schedule
                .base_interval(i as u32 + 1)
                .mul_f64(1.0 - JITTER)
                .as_millis() as u64;
            let within = times[i..].iter().take_while(|u| **u < t + shortest).count();
            max_per_interval = max_per_interval.max(within);
            if let Some(next) = times.get(i + 1) {
                let gap = next - t;
                min_gap_ms = min_gap_ms.min(gap);
                let asked = schedule.base_interval(i as u32 + 1).as_millis() as f64;
                min_gap_ratio = min_gap_ratio.min(gap as f64 / asked);
            }
        }
    }
    let polls = stats.queries_by_task.values();
    Report {
        requests: stats.api_requests,
        creates: stats.creates_accepted,
        queries: stats.queries_by_task.values().sum(),
        lists: stats.list_requests,
        late_polls_per_min: late as f64 * 60_000.0 / (run_ms / 2) as f64,
        max_per_interval,
        min_gap_ms,
        min_gap_ratio,
        polls_per_task: (
            polls.clone().copied().min().unwrap_or(0),
            polls.copied().max().unwrap_or(0),
        ),
    }
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: skip the minute-long measurement.
    if !std::env::args().any(|a| a == "--bench") {
        println!("polling: measured only under `cargo bench --bench polling`");
        return;
    }
    let runtime = shotdeck::app::runtime::build(Flavor::MultiThread).expect("a tokio runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a temp dir");
        let board = dir.path().join("noir.json");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/noir-3-shot.json"),
            &board,
        )
        .expect("copy the example board");
        // The demo's wiring: the embedded simulator and an engine with default tuning.
        let config = Config::default();
        let (demo, mut engine) =
            shotdeck::app::demo::start(&config, dir.path().to_path_buf(), TASK_SECONDS)
                .await
                .expect("start the simulator and the engine");
        let started = Instant::now();
        for _ in 0..JOBS {
            engine
                .cmd_tx
                .send(submit_cmd(&board))
                .await
                .expect("the engine is running");
        }
        // Keep the event channel drained, as the UI would.
        let drain = tokio::spawn(async move { while engine.event_rx.recv().await.is_some() {} });
        tokio::time::sleep(RUN).await;
        let stats = demo.sim.stats();
        let elapsed = started.elapsed();
        let _ = engine.cmd_tx.send(JobCmd::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), engine.task).await;
        drain.abort();
        demo.sim.shutdown().await;

        let schedule = PollSchedule::default();
        let r = analyse(&stats, &schedule, RUN.as_millis() as u64);
        let per_min = |n: u64| n as f64 * 60.0 / elapsed.as_secs_f64();
        println!(
            "{JOBS} jobs in flight for {:.1} s, default tuning ({}), simulated task {TASK_SECONDS} s",
            elapsed.as_secs_f64(),
            format_schedule(&schedule)
        );
        println!("| measure | value | target |");
        println!("|---|---|---|");
        println!("| creates accepted | {} of {JOBS} | {JOBS} |", r.creates);
        println!(
            "| all requests per minute (creates + polls) | {:.0} | |",
            per_min(r.requests)
        );
        println!(
            "| poll requests per minute, first minute (lists + queries) | {:.0} ({} + {}) | |",
            per_min(r.lists + r.queries),
            r.lists,
            r.queries
        );
        println!(
            "| poll requests per minute, second half of the run | {:.0} ({:.2} per job) | |",
            r.late_polls_per_min,
            r.late_polls_per_min / JOBS as f64
        );
        println!(
            "| single queries per job in the run (min–max) | {}–{} | |",
            r.polls_per_task.0, r.polls_per_task.1
        );
        println!(
            "| max single queries of one job within one poll interval | {} | ≤ 1 |",
            r.max_per_interval
        );
        if r.min_gap_ms != u64::MAX {
            println!(
                "| min gap between two queries of one job | {} ms ({:.2} × the interval asked for) | ≥ 0.8 × |",
                r.min_gap_ms, r.min_gap_ratio
            );
        }
        let gaps = list_gaps(&stats.list_times_ms);
        if let (Some(min), Some(max)) = (gaps.iter().min(), gaps.iter().max()) {
            println!("| gap between two list requests (min–max) | {min}–{max} ms | |");
        }
        println!("| load average (1 min) at the end | {} | |", load_average());
    });
}

fn format_schedule(s: &PollSchedule) -> String {
    format!(
        "first poll {:.1} s, ×{} per poll, max {} s, ±{:.0} % jitter",
        s.first.as_secs_f64(),
        s.growth,
        s.max.as_secs(),
        JITTER * 100.0
    )
}

fn list_gaps(times: &[u64]) -> Vec<u64> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

/// The machine's one-minute load average, as /proc/loadavg reports it (Linux).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}
