//! A simulated task and its time-based lifecycle.
//!
//! Nothing runs in the background: a task's state is computed from its age whenever it is
//! read. It is `submitted` for the first fifth of its run time, then `processing`, then ends
//! as its [`Outcome`] (decided at creation from the faults) says.

use std::time::{Duration, Instant};

use super::faults::Outcome;

/// The official API's three create endpoints; the kind is part of the query path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// `text2video`
    Text,
    /// `image2video`
    Image,
    /// `omni-video`
    Omni,
}

impl Kind {
    pub(crate) fn from_path(segment: &str) -> Option<Kind> {
        match segment {
            "text2video" => Some(Kind::Text),
            "image2video" => Some(Kind::Image),
            "omni-video" => Some(Kind::Omni),
            _ => None,
        }
    }

    pub(crate) fn as_path(self) -> &'static str {
        match self {
            Kind::Text => "text2video",
            Kind::Image => "image2video",
            Kind::Omni => "omni-video",
        }
    }
}

/// Which wire form created a task. Each form is its own account: `external_task_id`s are
/// unique within one, and a task is only visible through the form that created it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Api {
    Kling(Kind),
    Gateway,
    /// Kling's body and paths under the gateway's `/kling` prefix: the gateway's account.
    Relay(Kind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Account {
    Kling,
    Gateway,
}

impl Api {
    pub(crate) fn account(self) -> Account {
        match self {
            Api::Kling(_) => Account::Kling,
            Api::Gateway | Api::Relay(_) => Account::Gateway,
        }
    }
}

/// What a validated create asked for, as far as the result depends on it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TaskSpec {
    pub duration_secs: u32,
    /// `std` or `pro`.
    pub mode: String,
    pub sound: bool,
    pub watermark: bool,
    pub external_task_id: Option<String>,
    /// omni-video's `element_list`, checked against the element library at create.
    pub element_ids: Vec<i64>,
    /// omni-video's `video_list` URLs (a reference video), as accepted.
    pub video_urls: Vec<String>,
}

impl TaskSpec {
    /// Units charged: one per second of std output, pro costs 4/3 and sound 3/2 of that —
    /// the ratios of the official kling-v3 price list.
    pub(crate) fn units(&self) -> f64 {
        let quality = if self.mode == "pro" { 4.0 / 3.0 } else { 1.0 };
        let sound = if self.sound { 1.5 } else { 1.0 };
        let units = f64::from(self.duration_secs) * quality * sound;
        (units * 100.0).round() / 100.0
    }
}

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Submitted,
    Processing,
    Succeeded,
    Failed(&'static str),
}

impl Phase {
    /// Succeeded or failed: the task no longer counts against the account's limit.
    pub(crate) fn ended(self) -> bool {
        matches!(self, Phase::Succeeded | Phase::Failed(_))
    }
}

/// A phase and when the task last changed (Unix milliseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Status {
    pub phase: Phase,
    pub updated_ms: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct TaskRecord {
    pub task_id: String,
    pub api: Api,
    pub spec: TaskSpec,
    pub created: Instant,
    pub created_ms: u64,
    pub run_for: Duration,
    pub outcome: Outcome,
}

/// The share of the run time a task spends `submitted` before it starts `processing`.
const SUBMITTED_SHARE: f64 = 0.2;

impl TaskRecord {
    pub(crate) fn status_at(&self, now: Instant) -> Status {
        let age = now.saturating_duration_since(self.created);
        let starts = self.run_for.mul_f64(SUBMITTED_SHARE);
        let at = |offset: Duration| self.created_ms + offset.as_millis() as u64;
        if age < starts {
            return Status {
                phase: Phase::Submitted,
                updated_ms: self.created_ms,
            };
        }
        let ended = match self.outcome {
            Outcome::NeverFinish => None,
            Outcome::Succeed => Some(Phase::Succeeded),
            Outcome::Fail(msg) => Some(Phase::Failed(msg)),
        };
        match ended {
            Some(phase) if age >= self.run_for => Status {
                phase,
                updated_ms: at(self.run_for),
            },
            _ => Status {
                phase: Phase::Processing,
                updated_ms: at(starts),
            },
        }
    }

    pub(crate) fn status(&self) -> Status {
        self.status_at(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(outcome: Outcome) -> TaskRecord {
        TaskRecord {
            task_id: "1".into(),
            api: Api::Gateway,
            spec: TaskSpec {
                duration_secs: 5,
                mode: "std".into(),
                sound: false,
                watermark: false,
                external_task_id: None,
                element_ids: Vec::new(),
                video_urls: Vec::new(),
            },
            created: Instant::now(),
            created_ms: 1_000,
            run_for: Duration::from_secs(10),
            outcome,
        }
    }

    #[test]
    fn phases_follow_the_clock() {
        let t = task(Outcome::Succeed);
        let at = |s: f64| t.status_at(t.created + Duration::from_secs_f64(s));
        assert_eq!(at(0.0).phase, Phase::Submitted);
        assert_eq!(at(0.0).updated_ms, 1_000);
        assert_eq!(at(2.0).phase, Phase::Processing);
        assert_eq!(at(2.0).updated_ms, 3_000);
        assert_eq!(at(10.0).phase, Phase::Succeeded);
        assert_eq!(at(99.0).updated_ms, 11_000);
    }

    #[test]
    fn failing_and_stuck_tasks() {
        let failed = task(Outcome::Fail("Internal generation error"));
        let late = failed.created + Duration::from_secs(11);
        assert_eq!(
            failed.status_at(late).phase,
            Phase::Failed("Internal generation error")
        );
        let stuck = task(Outcome::NeverFinish);
        let much_later = stuck.created + Duration::from_secs(10_000);
        assert_eq!(stuck.status_at(much_later).phase, Phase::Processing);
    }

    #[test]
    fn units_follow_the_price_ratios() {
        let mut spec = task(Outcome::Succeed).spec;
        assert_eq!(spec.units(), 5.0);
        spec.mode = "pro".into();
        spec.sound = true;
        assert_eq!(spec.units(), 10.0);
    }

    #[test]
    fn kinds_round_trip_their_paths() {
        for kind in [Kind::Text, Kind::Image, Kind::Omni] {
            assert_eq!(Kind::from_path(kind.as_path()), Some(kind));
        }
        assert_eq!(Kind::from_path("generations"), None);
    }
}
