//! Which service a request is composed for, and the limits each one enforces.
//!
//! The rules in `rules/` read every number from [`Limits`], built from the model's row in
//! the model table plus what the provider adds (the gateway's single-shot durations), so a
//! provider or model that differs changes data, not code.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::models::{self, ModelRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// The official Kling API (JWT from access key + secret key).
    #[default]
    Kling,
    /// The seed's ModelStream form of a new-api family gateway (`POST /v1/video/generations`,
    /// `Authorization: Bearer sk-…`): Kling's fields flat, the shot list as `multi_prompt`.
    Gateway,
    /// Stock new-api (QuantumNous/new-api) on the same route: only the keys its Kling
    /// adaptor's request struct declares reach Kling, so no shot list and no references.
    #[serde(rename = "newapi")]
    NewApi,
    /// A relay that takes Kling's own body and paths under a prefix (`/kling/v1/videos/…`)
    /// with the gateway's Bearer key.
    #[serde(rename = "kling-relay")]
    KlingRelay,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Kling,
        Provider::Gateway,
        Provider::NewApi,
        Provider::KlingRelay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Kling => "kling",
            Provider::Gateway => "gateway",
            Provider::NewApi => "newapi",
            Provider::KlingRelay => "kling-relay",
        }
    }

    /// Whether the provider can find a task by our `external_task_id`. Only the official
    /// API can, on both of its designs (legacy: the path form and the kind's list; v2:
    /// `GET /tasks?external_task_ids=`); at a gateway an ambiguous create is never re-sent
    /// but waits for the user.
    pub fn looks_up_by_external_id(self) -> bool {
        self == Provider::Kling
    }

    /// Whether the provider lists a kind's tasks (`GET {create path}?pageNum=&pageSize=`), so
    /// the engine can poll many tasks with one request. Gateways have no list endpoint.
    pub fn lists_tasks(self) -> bool {
        self == Provider::Kling
    }

    /// The limits for the board's model (the default model's when the name is unknown).
    pub fn limits_for(self, model: &str) -> Limits {
        Limits::new(self, models::row_or_default(models::MODELS, model))
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
            "newapi" | "new-api" => Ok(Provider::NewApi),
            "kling-relay" => Ok(Provider::KlingRelay),
            other => Err(format!(
                "unknown provider {other:?} (expected kling, gateway, newapi or kling-relay)"
            )),
        }
    }
}

/// Every number a validation rule checks against: the model's row, plus what the provider
/// adds on top of it.
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
    pub qualities: Vec<&'static str>,
    pub aspect_ratios: &'static [&'static str],
    pub min_references: usize,
    /// References and frames together, as one omni-video `image_list`.
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

impl Limits {
    /// The official API's limits for `row`; the gateway adds its standard durations.
    pub fn new(provider: Provider, row: &ModelRow) -> Limits {
        Limits {
            min_shots: 1,
            max_shots: row.max_shots,
            shot_prompt_max_chars: row.shot_prompt_max_chars,
            shot_min_seconds: 1.0,
            prompt_max_chars: row.prompt_max_chars,
            negative_prompt_max_chars: row.prompt_max_chars,
            total_min_seconds: f64::from(row.min_seconds),
            total_max_seconds: f64::from(row.max_seconds),
            cfg_scale_min: 0.0,
            cfg_scale_max: 1.0,
            qualities: row.quality_names(),
            aspect_ratios: row.aspect_ratios,
            min_references: 1,
            max_references: row.images.max_images,
            image_max_bytes: row.images.max_bytes,
            image_min_side_px: row.images.min_side_px,
            image_max_ratio: row.images.max_ratio,
            image_formats: row.images.formats,
            single_shot_standard_seconds: match provider {
                // The relay and stock new-api forward Kling's own body: Kling's limits apply.
                Provider::Kling | Provider::KlingRelay | Provider::NewApi => &[],
                // The gateway's form schema documents 5 and 10 as the standard single-shot
                // durations.
                Provider::Gateway => &[5, 10],
            },
        }
    }
}

/// How long one request may take, sending and reading the answer included, unless the
/// settings say otherwise. Create bodies may carry two 10 MB images as Base64: this leaves
/// room for slow uplinks.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
