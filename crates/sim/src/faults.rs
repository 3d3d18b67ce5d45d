//! Fault injection: what can go wrong, how often, and a deterministic script for tests.

use rand::RngExt;
use serde::{Deserialize, Serialize};

/// Faults the simulated backend injects. Every field is optional in JSON; the defaults inject
/// nothing. Rates are probabilities in 0..=1, rolled per API request (or per task).
#[derive(Clone, Debug, Serialize, Deserialize, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Delay before every API request is answered.
    pub latency_ms: u64,
    /// Answer 429 (Kling code 1302 / gateway `rate_limit_exceeded`) with `Retry-After`.
    pub rate_limit_rate: f64,
    /// The `Retry-After` seconds sent with rate-limit answers (0 means the default, 1).
    pub retry_after_secs: u64,
    /// Answer 500 (Kling code 5000 / gateway `server_error`).
    pub server_error_rate: f64,
    /// Abort the connection without a complete response.
    pub drop_rate: f64,
    /// Answer 200 with a body that is not valid JSON (the request is not handled).
    pub malformed_rate: f64,
    /// Created tasks end `failed`.
    pub task_failure_rate: f64,
    /// Created tasks stay `processing` forever.
    pub never_finish_rate: f64,
    /// Every create answers "resource pack used up" (Kling 429/1102, gateway 402).
    pub balance_exhausted: bool,
    /// The first video response of each task is cut after this many bytes; later (resumed)
    /// requests for that task are served whole.
    pub download_drop_after_bytes: Option<u64>,
    /// Serve result videos at about this many bytes per second (0: as fast as possible), so
    /// tests can interrupt a download in the middle.
    pub video_bytes_per_sec: u64,
    /// The account's concurrency limit: tasks count from `submitted` until they end, and a
    /// create past the limit is refused (Kling 429/1303) without creating a task. None:
    /// unlimited.
    pub max_in_flight: Option<u32>,
    /// One-shot faults applied, in order, to the next API requests (not control or video
    /// requests), before any probabilistic fault is rolled.
    pub script: Vec<ScriptedFault>,
}

/// A one-shot fault for the next API request.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ScriptedFault {
    /// 429 as with `rate_limit_rate`.
    RateLimit,
    /// 500 as with `server_error_rate`.
    ServerError,
    /// Abort the connection; the request is not handled.
    Drop,
    /// Handle the request for real (a create creates its task), then abort the connection:
    /// the "response was lost" case.
    DropAfterCreate,
    /// 200 with invalid JSON; the request is not handled.
    Malformed,
    /// Handle the request for real, then send only the first half of its body (a complete
    /// HTTP message whose JSON is cut short).
    Truncated,
    /// The balance answer (Kling 429/1102, gateway 402) for this one request.
    Balance,
}

/// What the fault layer does to one API request.
pub(crate) type Injection = ScriptedFault;

/// What happens to a task created under the current faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Succeed,
    Fail(&'static str),
    NeverFinish,
}

/// The reasons a failed task gives, as the real service words them.
const FAILURE_MESSAGES: [&str; 2] = ["Content safety check failed", "Internal generation error"];

impl Faults {
    /// Rejects rates outside 0..=1 (and NaN), naming the field.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("rate_limit_rate", self.rate_limit_rate),
            ("server_error_rate", self.server_error_rate),
            ("drop_rate", self.drop_rate),
            ("malformed_rate", self.malformed_rate),
            ("task_failure_rate", self.task_failure_rate),
            ("never_finish_rate", self.never_finish_rate),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, got {rate}"));
            }
        }
        if self.max_in_flight == Some(0) {
            return Err("max_in_flight must be at least 1 (leave it out for no limit)".into());
        }
        Ok(())
    }

    /// One line for humans: `none`, or the active faults.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.latency_ms > 0 {
            parts.push(format!("latency {} ms", self.latency_ms));
        }
        let rates = [
            ("rate limit", self.rate_limit_rate),
            ("server error", self.server_error_rate),
            ("drop", self.drop_rate),
            ("malformed", self.malformed_rate),
            ("task failure", self.task_failure_rate),
            ("never finish", self.never_finish_rate),
        ];
        for (name, rate) in rates.into_iter().filter(|&(_, r)| r > 0.0) {
            parts.push(format!("{name} {:.0}%", rate * 100.0));
        }
        if self.balance_exhausted {
            parts.push("balance exhausted".into());
        }
        if let Some(n) = self.download_drop_after_bytes {
            parts.push(format!("downloads cut after {n} bytes once"));
        }
        if self.video_bytes_per_sec > 0 {
            parts.push(format!("videos at {} B/s", self.video_bytes_per_sec));
        }
        if let Some(n) = self.max_in_flight {
            parts.push(format!("at most {n} in flight"));
        }
        if !self.script.is_empty() {
            parts.push(format!("{} scripted", self.script.len()));
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(", ")
        }
    }

    pub fn retry_after(&self) -> u64 {
        if self.retry_after_secs == 0 {
            1
        } else {
            self.retry_after_secs
        }
    }

    /// The fault for the next API request: the script first, then the rates.
    pub fn next_injection(&mut self) -> Option<Injection> {
        if !self.script.is_empty() {
            // Scripts are a handful of entries long: shifting them is cheaper than a deque
            // in the public type.
            return Some(self.script.remove(0));
        }
        let mut rng = rand::rng();
        let rolls = [
            (self.rate_limit_rate, ScriptedFault::RateLimit),
            (self.server_error_rate, ScriptedFault::ServerError),
            (self.drop_rate, ScriptedFault::Drop),
            (self.malformed_rate, ScriptedFault::Malformed),
        ];
        rolls
            .into_iter()
            .find(|&(rate, _)| rate > 0.0 && rng.random_bool(rate.min(1.0)))
            .map(|(_, fault)| fault)
    }

    /// Decides at creation how a task will end.
    pub fn roll_outcome(&self) -> Outcome {
        let mut rng = rand::rng();
        if self.never_finish_rate > 0.0 && rng.random_bool(self.never_finish_rate.min(1.0)) {
            return Outcome::NeverFinish;
        }
        if self.task_failure_rate > 0.0 && rng.random_bool(self.task_failure_rate.min(1.0)) {
            let msg = FAILURE_MESSAGES[rng.random_range(0..FAILURE_MESSAGES.len())];
            return Outcome::Fail(msg);
        }
        Outcome::Succeed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_runs_in_order_before_rates() {
        let mut f = Faults {
            script: vec![ScriptedFault::Drop, ScriptedFault::Balance],
            ..Faults::default()
        };
        assert_eq!(f.next_injection(), Some(ScriptedFault::Drop));
        assert_eq!(f.next_injection(), Some(ScriptedFault::Balance));
        assert_eq!(f.next_injection(), None);
    }

    #[test]
    fn certain_rates_always_fire_and_zero_never_does() {
        let mut f = Faults {
            server_error_rate: 1.0,
            ..Faults::default()
        };
        assert!((0..50).all(|_| f.next_injection() == Some(ScriptedFault::ServerError)));
        let mut none = Faults::default();
        assert!((0..50).all(|_| none.next_injection().is_none()));
        assert!((0..50).all(|_| none.roll_outcome() == Outcome::Succeed));
    }

    #[test]
    fn outcome_rates_decide_the_ending() {
        let failing = Faults {
            task_failure_rate: 1.0,
            ..Faults::default()
        };
        assert!(matches!(failing.roll_outcome(), Outcome::Fail(m) if !m.is_empty()));
        let stuck = Faults {
            never_finish_rate: 1.0,
            ..Faults::default()
        };
        assert_eq!(stuck.roll_outcome(), Outcome::NeverFinish);
    }

    #[test]
    fn json_fields_are_optional_and_validated() {
        let f: Faults = serde_json::from_str(r#"{"drop_rate":0.5,"script":["drop_after_create"]}"#)
            .expect("parses");
        assert_eq!(f.drop_rate, 0.5);
        assert_eq!(f.script, [ScriptedFault::DropAfterCreate]);
        assert!(f.validate().is_ok());
        let bad = Faults {
            malformed_rate: 1.5,
            ..Faults::default()
        };
        assert!(bad.validate().unwrap_err().contains("malformed_rate"));
        assert!(serde_json::from_str::<Faults>(r#"{"dropp_rate":1}"#).is_err());
    }

    #[test]
    fn summary_lists_active_faults() {
        assert_eq!(Faults::default().summary(), "none");
        let f = Faults {
            latency_ms: 200,
            drop_rate: 0.1,
            balance_exhausted: true,
            ..Faults::default()
        };
        assert_eq!(f.summary(), "latency 200 ms, drop 10%, balance exhausted");
        let slow = Faults {
            video_bytes_per_sec: 500,
            ..Faults::default()
        };
        assert_eq!(slow.summary(), "videos at 500 B/s");
        let limited = Faults {
            max_in_flight: Some(2),
            ..Faults::default()
        };
        assert_eq!(limited.summary(), "at most 2 in flight");
        let zero = Faults {
            max_in_flight: Some(0),
            ..Faults::default()
        };
        assert!(zero.validate().unwrap_err().contains("max_in_flight"));
    }
}
