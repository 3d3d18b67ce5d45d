//! The `team` bench's figures: what one run measured, where a slot's time went, and the
//! table printed for it.

use std::time::Duration;

use shotdeck::engine::events::{JobPhase, PhaseEvent};

pub const LIMIT: u32 = 2;
pub const TASK_SECONDS: f64 = 0.1;

pub struct Run {
    pub name: String,
    pub seconds: f64,
    pub cap: Duration,
    pub sim_requests: u64,
    pub creates_accepted: u64,
    pub refused_1303: u64,
    pub max_in_flight_seen: u64,
    pub jobs: usize,
    /// Stopped at the cap with jobs still queued.
    pub capped: bool,
    pub done: usize,
    pub not_sent: usize,
    pub failed: usize,
    /// Queued → submitting, per job, in seconds.
    pub waits: Vec<f64>,
    pub cycle: Cycle,
    pub store_calls: u64,
    pub busiest: Vec<(&'static str, u64)>,
    /// Time spent in store calls, all engines, by method, the longest first.
    pub slowest: Vec<(&'static str, Duration)>,
    pub pg_transactions: Option<i64>,
}

/// Where a slot's time goes, means in seconds over the jobs that held one: from taking
/// it to the create's answer recorded (`submitted`), from there to giving it back (the
/// task's run and the polls that notice its end), and from a slot given back to the
/// next job taking it while jobs were waiting (the hand-off). The ideal: 0, the task
/// time, 0.
#[derive(Default)]
pub struct Cycle {
    pub create: f64,
    pub held: f64,
    pub hand_off: f64,
    pub hand_offs: usize,
}

/// The phases in which a job holds a slot (the gate's count).
fn holds(phase: JobPhase) -> bool {
    matches!(
        phase,
        JobPhase::Submitting | JobPhase::Submitted | JobPhase::Processing
    )
}

/// From every job's history (each a list of phase events, oldest first).
pub fn cycle(histories: &[Vec<PhaseEvent>]) -> Cycle {
    let mut create = Vec::new();
    let mut held = Vec::new();
    // (at, +1 taken / -1 given back), every slot of every job.
    let mut moves = Vec::new();
    for history in histories {
        let mut taken: Option<i64> = None;
        let mut submitted: Option<i64> = None;
        for e in history {
            match (taken, holds(e.phase)) {
                (None, true) => {
                    taken = Some(e.at);
                    moves.push((e.at, 1));
                }
                (Some(from), false) => {
                    held.push((e.at - submitted.unwrap_or(from)) as f64 / 1000.0);
                    taken = None;
                    submitted = None;
                    moves.push((e.at, -1));
                }
                _ => {}
            }
            if e.phase == JobPhase::Submitted
                && let (Some(from), None) = (taken, submitted)
            {
                submitted = Some(e.at);
                create.push((e.at - from) as f64 / 1000.0);
            }
        }
    }
    // Given back before taken at the same millisecond: a hand-off of 0.
    moves.sort();
    let mut in_use = 0i64;
    let mut free_since = std::collections::VecDeque::new();
    let mut gaps = Vec::new();
    for (at, d) in moves {
        in_use += d;
        if d < 0 && in_use < i64::from(LIMIT) {
            free_since.push_back(at);
        } else if d > 0
            && let Some(since) = free_since.pop_front()
        {
            gaps.push((at - since) as f64 / 1000.0);
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    Cycle {
        create: mean(&create),
        held: mean(&held),
        hand_off: mean(&gaps),
        hand_offs: gaps.len(),
    }
}

pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = (sorted.len().max(1) - 1) as f64 * q;
    sorted.get(at.round() as usize).copied().unwrap_or(f64::NAN)
}

pub fn print(r: &Run) {
    // Per job done: a run stopped at the cap counts what it finished.
    let done = r.done.max(1) as f64;
    let per = |n: f64| n / done;
    let ideal = r.done as f64 / LIMIT as f64 * TASK_SECONDS;
    // All jobs queued at once: job k (0-based) waits floor(k / limit) task times.
    let ideal_mean_wait = (0..r.jobs)
        .map(|k| (k / LIMIT as usize) as f64 * TASK_SECONDS)
        .sum::<f64>()
        / r.jobs as f64;
    let mean_wait = r.waits.iter().sum::<f64>() / r.waits.len().max(1) as f64;
    println!("## {}", r.name);
    if r.capped {
        println!(
            "(stopped at the {} s cap with jobs still queued)",
            r.cap.as_secs()
        );
    }
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| jobs done / parked not_sent / failed | {} / {} / {} of {} |",
        r.done, r.not_sent, r.failed, r.jobs
    );
    println!(
        "| creates accepted / refused 1303 | {} / {} |",
        r.creates_accepted, r.refused_1303
    );
    println!(
        "| most tasks in flight at the simulator | {} (limit {LIMIT}) |",
        r.max_in_flight_seen
    );
    println!(
        "| run time vs ideal for the jobs done (done ÷ limit × task time) | {:.1} s vs {ideal:.1} s ({:.1}×) |",
        r.seconds,
        r.seconds / ideal.max(f64::MIN_POSITIVE)
    );
    println!(
        "| jobs done per minute (ideal {:.0}) | {:.1} |",
        LIMIT as f64 * 60.0 / TASK_SECONDS,
        r.done as f64 * 60.0 / r.seconds
    );
    println!(
        "| simulator requests per minute | {:.0} ({:.2} per job done) |",
        r.sim_requests as f64 * 60.0 / r.seconds,
        per(r.sim_requests as f64)
    );
    println!(
        "| wait for a slot (queued → submitting), {} jobs: mean vs ideal mean of a whole run | {mean_wait:.1} s vs {ideal_mean_wait:.1} s |",
        r.waits.len()
    );
    println!(
        "| wait for a slot, median / p95 / max | {:.1} / {:.1} / {:.1} s |",
        quantile(&r.waits, 0.5),
        quantile(&r.waits, 0.95),
        quantile(&r.waits, 1.0)
    );
    let c = &r.cycle;
    // Without a gate in the store (SQLite) every job takes its "slot" at once: no cycle.
    if c.hand_offs > 0 {
        println!(
            "| a slot's cycle, mean: taken → create answered / → given back / → next taken ({} hand-offs) | {:.3} / {:.3} / {:.3} s (ideal 0 / {TASK_SECONDS} / 0) |",
            c.hand_offs, c.create, c.held, c.hand_off
        );
    }
    println!(
        "| store calls per job done (every engine) | {:.1} ({} in all) |",
        per(r.store_calls as f64),
        r.store_calls
    );
    let busiest: Vec<String> = r
        .busiest
        .iter()
        .map(|(m, n)| format!("{m} {:.1}", per(*n as f64)))
        .collect();
    println!(
        "| busiest store calls per job done | {} |",
        busiest.join(", ")
    );
    let slowest: Vec<String> = r
        .slowest
        .iter()
        .map(|(m, d)| format!("{m} {:.1}", per(d.as_secs_f64() * 1000.0)))
        .collect();
    println!(
        "| store time per job done, ms (every engine, calls overlap) | {} |",
        slowest.join(", ")
    );
    if let Some(x) = r.pg_transactions {
        println!(
            "| PostgreSQL transactions per job done (pg_stat_database) | {:.1} ({x} in all) |",
            per(x as f64)
        );
    }
    println!();
}
