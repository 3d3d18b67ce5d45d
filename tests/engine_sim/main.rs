//! The job engine against the simulated backend over 127.0.0.1.

mod account_limit;
mod continues;
mod downloads;
mod element_pages;
mod faults;
mod fetch_here;
mod happy;
mod in_flight;
mod library;
mod money;
mod orphans;
mod partition;
mod projects;
mod restart;
mod retries;
mod secrets;
mod sidecar;
mod stored_retry;
mod submit;
mod support;
mod takes;
mod unsent;
mod v2_batch;
mod v2_lost;
mod variants;
