//! Reliability: many faults at once, SIGKILL at any moment, and keys that never leak.
//!
//! Everything talks to a simulated backend on 127.0.0.1 and is bounded in time and count.

// The engine-vs-sim harness, shared rather than copied; this binary uses only part of it.
#[path = "../engine_sim/support/mod.rs"]
#[allow(dead_code)]
mod support;

mod child;
mod crash;
mod panics;
mod secrets;
mod secrets_cli;
mod secrets_tui;
mod soak;
