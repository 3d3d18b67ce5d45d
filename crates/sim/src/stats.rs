//! Counters that let tests prove what a client did: no duplicate creates, no double polling.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A snapshot of what the simulated backend has seen (`GET /__sim/stats`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SimStats {
    /// Every request under `/v1/`, including ones answered by an injected fault.
    pub api_requests: u64,
    /// Requests answered (or damaged) by an injected fault.
    pub faults_injected: u64,
    /// Tasks created.
    pub creates_accepted: u64,
    /// Tasks between `submitted` and their end right now (what Kling's concurrency limit
    /// counts), and the most there ever were at once.
    pub in_flight: u64,
    pub max_in_flight_seen: u64,
    /// Authenticated create requests with a JSON body, by the `external_task_id` they
    /// carried, whether accepted or rejected (a duplicate shows as 2).
    pub creates_by_external_id: BTreeMap<String, u64>,
    /// Single-task queries by task id (a query by `external_task_id` counts under the task
    /// it found).
    pub queries_by_task: BTreeMap<String, u64>,
    /// When each of those queries arrived, in milliseconds since the server started.
    pub query_times_ms: BTreeMap<String, Vec<u64>>,
    /// Task list requests (`GET /v1/videos/{kind}?pageNum=…&pageSize=…`), answered or
    /// refused, and when each arrived (milliseconds since the server started).
    pub list_requests: u64,
    pub list_times_ms: Vec<u64>,
    /// v2 lookups (`GET /tasks?task_ids=a,b`), answered or refused, however many ids each
    /// asked for; the ids are counted per task in `queries_by_task`.
    pub task_lookups: u64,
    /// Of those, the ones by our own ids (`GET /tasks?external_task_ids=…`): how a client
    /// finds the task of a create whose answer was lost.
    pub external_lookups: u64,
    /// Requests for result videos.
    pub video_requests: u64,
    /// Video bytes actually sent (a cut download counts what went out).
    pub video_bytes_served: u64,
}
