//! Which service a request is composed for, and the limits each one enforces.
//!
//! The rules in `rules/` read every number from a [`Limits`] table, so a provider that
//! differs (the gateway's single-shot durations, say) changes data, not code.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// The official Kling API (JWT from access key + secret key).
    #[default]
    Kling,
    /// A new-api family gateway (`POST /v1/video/generations`, `Authorization: Bearer sk-…`).
    Gateway,
    /// A relay that takes Kling's own body and paths under a prefix (`/kling/v1/videos/…`)
    /// with the gateway's Bearer key.
    #[serde(rename = "kling-relay")]
    KlingRelay,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Kling, Provider::Gateway, Provider::KlingRelay];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Kling => "kling",
            Provider::Gateway => "gateway",
            Provider::KlingRelay => "kling-relay",
        }
    }

    /// Whether the provider can find a task by our `external_task_id`. Only the official
    /// API can; at a gateway an ambiguous create is never re-sent but waits for the user.
    pub fn looks_up_by_external_id(self) -> bool {
        self == Provider::Kling
    }

    pub fn limits(self) -> &'static Limits {
        match self {
            Provider::Kling => &KLING_LIMITS,
            Provider::Gateway => &GATEWAY_LIMITS,
            // The relay forwards Kling's own body: Kling's limits apply.
            Provider::KlingRelay => &KLING_LIMITS,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kling" => Ok(Provider::Kling),
            "gateway" => Ok(Provider::Gateway),
            "kling-relay" => Ok(Provider::KlingRelay),
            other => Err(format!(
                "unknown provider {other:?} (expected kling, gateway or kling-relay)"
            )),
        }
    }
}

/// Every number a validation rule checks against.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub min_shots: usize,
    pub max_shots: usize,
    pub shot_prompt_max_chars: usize,
    pub shot_min_seconds: f64,
    pub prompt_max_chars: usize,
    pub negative_prompt_max_chars: usize,
    pub total_min_seconds: f64,
    pub total_max_seconds: f64,
    pub cfg_scale_min: f64,
    pub cfg_scale_max: f64,
    pub qualities: &'static [&'static str],
    pub aspect_ratios: &'static [&'static str],
    pub min_references: usize,
    pub max_references: usize,
    pub image_max_bytes: u64,
    pub image_min_side_px: u32,
    /// Longest side over shortest side.
    pub image_max_ratio: f64,
    pub image_formats: &'static [&'static str],
    /// Single-shot durations the provider documents as standard; others draw a warning.
    /// Empty means every whole value in range is standard.
    pub single_shot_standard_seconds: &'static [u32],
}

/// The official API's limits (kling-api-notes: multi-shot, images, omni references).
const OFFICIAL: Limits = Limits {
    min_shots: 1,
    max_shots: 6,
    shot_prompt_max_chars: 512,
    shot_min_seconds: 1.0,
    prompt_max_chars: 2500,
    negative_prompt_max_chars: 2500,
    total_min_seconds: 3.0,
    total_max_seconds: 15.0,
    cfg_scale_min: 0.0,
    cfg_scale_max: 1.0,
    qualities: &["std", "pro"],
    aspect_ratios: &["16:9", "9:16", "1:1"],
    min_references: 1,
    max_references: 7,
    image_max_bytes: 10 * 1024 * 1024,
    image_min_side_px: 300,
    image_max_ratio: 2.5,
    image_formats: &["jpeg", "png"],
    single_shot_standard_seconds: &[],
};

pub static KLING_LIMITS: Limits = OFFICIAL;

/// The gateway's form schema documents 5 and 10 as the standard single-shot durations;
/// everything else matches the official limits.
pub static GATEWAY_LIMITS: Limits = Limits {
    single_shot_standard_seconds: &[5, 10],
    ..OFFICIAL
};
