#![doc = include_str!("README.md")]

mod auth;
mod cli;
mod control;
mod elements;
mod fault_layer;
mod faults;
mod gateway_api;
mod keys;
mod kling_api;
mod kling_v2_api;
mod responses;
mod server;
mod stats;
mod store;
mod task;
mod validate;
mod video;

pub use cli::{SimServerArgs, run_server};
pub use elements::DEMO_ELEMENT_ID;
pub use faults::{Faults, ScriptedFault};
pub use keys::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, SimKeys};
pub use server::{DEFAULT_TASK_SECONDS, SimConfig, SimServer};
pub use stats::SimStats;
pub use video::SAMPLE_MP4;

/// The simulator's `/kling` relay passes Kling's body through whole, omni-video included;
/// an engine talking to it says so in its kling-relay profile.
pub fn describe_relay(profiles: &mut shotdeck_core::gateway_profile::Profiles) {
    profiles.kling_relay.body_whole = true;
    profiles.kling_relay.omni = true;
}
