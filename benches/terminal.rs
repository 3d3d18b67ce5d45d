//! The real binary in an 80×24 pseudo-terminal: startup to first complete frame, bytes the
//! terminal receives per typed character, and what an idle session costs (CPU, context
//! switches, resident memory). `cargo bench --bench terminal`
//!
//! The screen is read through a terminal emulator (vt100), because ratatui writes only the
//! cells that change. A reader thread timestamps every chunk the moment it arrives, so no
//! poll interval is added to the times measured here.
//!
//! With `SLUMBER_BIN` set it then alternates launches of shotdeck and slumber (`against`).

#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, Instant};

#[path = "terminal/against.rs"]
mod against;
#[path = "support/pty.rs"]
mod pty;
use pty::{Pty, board_dir, complete_frame, full_frame, median, memory_kb, ms, status_field};

const LAUNCHES: usize = 10;
const TYPED_CHARS: usize = 100;
const IDLE: Duration = Duration::from_secs(10);

/// Spawn → first frame, and spawn → complete screen (history and spend shown), over
/// `LAUNCHES` launches (each in a fresh dir).
fn startup(demo: bool) -> (Vec<Duration>, Vec<Duration>) {
    (0..LAUNCHES)
        .map(|_| {
            let (dir, board) = board_dir();
            let board = board.to_str().expect("a UTF-8 path");
            let args: Vec<&str> = if demo {
                vec!["--demo", board]
            } else {
                vec![board]
            };
            let (mut pty, started) = Pty::spawn(dir.path(), &args);
            let first = pty.wait_for("the first frame", full_frame);
            let complete = pty.wait_for("the complete screen", complete_frame);
            pty.settle(Duration::from_millis(200));
            pty.quit();
            (first - started, complete - started)
        })
        .unzip()
}

/// utime + stime in clock ticks, from /proc/PID/stat (fields 14 and 15).
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read stat");
    // The command name may hold spaces; the fields after it are space-separated.
    let rest = &stat[stat.rfind(')').expect("stat has a comm") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// Voluntary + involuntary context switches of every thread, by thread id and name.
fn switches(pid: i32) -> Vec<(String, String, u64)> {
    let mut out = vec![];
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).expect("read tasks");
    for task in tasks.flatten() {
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        let name = status_field_text(&status, "Name");
        let n = status_field(&status, "voluntary_ctxt_switches")
            + status_field(&status, "nonvoluntary_ctxt_switches");
        out.push((task.file_name().to_string_lossy().into_owned(), name, n));
    }
    out
}

fn status_field_text(status: &str, name: &str) -> String {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map_or(String::new(), |v| v.trim().to_string())
}

struct Idle {
    cpu_ms_per_s: f64,
    switches: u64,
    /// Since the process started: shows the counters were read at all.
    switches_before: u64,
    busy_threads: Vec<String>,
    threads: u64,
}

fn idle(pid: i32) -> Idle {
    let tick_ms = 1000.0 / clock_ticks_per_second() as f64;
    let cpu0 = cpu_ticks(pid);
    let sw0 = switches(pid);
    let t0 = Instant::now();
    std::thread::sleep(IDLE);
    let cpu1 = cpu_ticks(pid);
    let secs = t0.elapsed().as_secs_f64();
    let sw1 = switches(pid);
    let mut total = 0;
    let mut busy_threads = vec![];
    for (tid, name, n) in &sw1 {
        let before = sw0.iter().find(|(t, ..)| t == tid).map_or(0, |s| s.2);
        let d = n - before.min(*n);
        total += d;
        if d > 0 {
            busy_threads.push(format!("{name}({tid}): {d}"));
        }
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    Idle {
        cpu_ms_per_s: (cpu1 - cpu0) as f64 * tick_ms / secs,
        switches: total,
        switches_before: sw0.iter().map(|s| s.2).sum(),
        busy_threads,
        threads: status_field(&status, "Threads"),
    }
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: skip the half-minute measurement.
    if !std::env::args().any(|a| a == "--bench") {
        println!("terminal: measured only under `cargo bench --bench terminal`");
        return;
    }
    let (plain, plain_done) = startup(false);
    let (demo, demo_done) = startup(true);

    let (dir, board) = board_dir();
    let (mut pty, _) = Pty::spawn(dir.path(), &["--demo", board.to_str().unwrap()]);
    pty.wait_for("the first frame", full_frame);
    // Let startup work (store open, sim bind, first autosave check) finish before sampling.
    pty.settle(Duration::from_millis(1000));
    std::thread::sleep(Duration::from_secs(1));
    let after_start = memory_kb(pty.pid);
    let idle = idle(pty.pid);

    pty.send(b"\r");
    pty.wait_for("the prompt editor", |c| c.contains("negative"));
    pty.settle(Duration::from_millis(300));
    let text = "a slow push in through neon rain ".repeat(4);
    let mut per_char = vec![];
    for c in text.chars().take(TYPED_CHARS) {
        pty.send(c.encode_utf8(&mut [0; 4]).as_bytes());
        per_char.push(pty.settle(Duration::from_secs(1)));
    }
    // The debounced autosave redraws the header once typing stops.
    let autosave = pty.settle(Duration::from_secs(1));
    let after_typing = memory_kb(pty.pid);
    // Esc alone: Esc and q in one read would arrive as Alt+q.
    pty.send(b"\x1b");
    pty.wait_for("the shot list", |c| c.contains("a add"));
    pty.quit();

    let total: usize = per_char.iter().sum();
    let fmt_list = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        v.iter()
            .map(|d| format!("{:.0}", d.as_secs_f64() * 1000.0))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("shotdeck in an 80x24 pty ({})", pty::binary().display());
    println!("| measure | value | target |");
    println!("|---|---|---|");
    println!(
        "| startup → first frame, `shotdeck BOARD` (median of {LAUNCHES}; min) | {}; {} | ≤ 30 ms |",
        ms(median(plain.clone())),
        ms(*plain.iter().min().unwrap())
    );
    println!(
        "| startup → first frame, `shotdeck --demo BOARD` (median of {LAUNCHES}; min) | {}; {} | ≤ 30 ms |",
        ms(median(demo.clone())),
        ms(*demo.iter().min().unwrap())
    );
    println!(
        "| startup → complete screen (jobs, spend), `shotdeck BOARD` (median of {LAUNCHES}; min) | {}; {} | |",
        ms(median(plain_done.clone())),
        ms(*plain_done.iter().min().unwrap())
    );
    println!(
        "| startup → complete screen (jobs, spend), `shotdeck --demo BOARD` (median of {LAUNCHES}; min) | {}; {} | |",
        ms(median(demo_done.clone())),
        ms(*demo_done.iter().min().unwrap())
    );
    println!(
        "| bytes per typed char, prompt editor (total / {TYPED_CHARS}) | {:.1} B | ≤ 30 B |",
        total as f64 / per_char.len() as f64
    );
    println!(
        "| bytes per typed char, median (min–max) | {} B ({}–{}) | ≤ 40 B |",
        median(per_char.clone()),
        per_char.iter().min().unwrap(),
        per_char.iter().max().unwrap()
    );
    println!("| autosave redraw after typing stops | {autosave} B | |");
    println!(
        "| idle CPU over {} s | {:.2} ms/s | < 2 ms/s |",
        IDLE.as_secs(),
        idle.cpu_ms_per_s
    );
    println!(
        "| idle context switches over {} s, all {} threads | {} | 0 |",
        IDLE.as_secs(),
        idle.threads,
        idle.switches
    );
    println!(
        "| VmRSS / VmHWM after startup | {:.1} / {:.1} MB | RSS ≤ 20 MB |",
        after_start.0 as f64 / 1024.0,
        after_start.1 as f64 / 1024.0
    );
    println!(
        "| VmRSS / VmHWM after typing {TYPED_CHARS} chars | {:.1} / {:.1} MB | RSS ≤ 20 MB |",
        after_typing.0 as f64 / 1024.0,
        after_typing.1 as f64 / 1024.0
    );
    println!();
    println!("startup, plain, sorted (ms): {}", fmt_list(&plain));
    println!("startup, demo, sorted (ms):  {}", fmt_list(&demo));
    println!("complete, plain, sorted (ms): {}", fmt_list(&plain_done));
    println!("complete, demo, sorted (ms):  {}", fmt_list(&demo_done));
    println!(
        "context switches from spawn to the idle window: {}",
        idle.switches_before
    );
    if !idle.busy_threads.is_empty() {
        println!(
            "threads that woke while idle: {}",
            idle.busy_threads.join(", ")
        );
    }
    if let Some(bin) = std::env::var_os("SLUMBER_BIN") {
        against::against_slumber(std::path::Path::new(&bin), LAUNCHES);
    }
}
