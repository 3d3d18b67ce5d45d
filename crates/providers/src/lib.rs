//! Provider HTTP clients: a composed request in, a task snapshot or a classified error out.
//!
//! One adapter per provider ([`KlingClient`] for the official API, [`GatewayClient`] for a
//! Bearer-key gateway, new-api form or Kling relay), joined by the [`Client`] enum, which adds the lookup that makes
//! submitting safe to repeat. Every call is one attempt: the job engine waits and retries.
//! Responses are read by the pure parsers in [`parse`]; this is the only module that uses
//! reqwest.

mod client;
pub mod errors;
mod gateway;
mod http;
mod json_stream;
pub mod jwt;
mod kling;
mod kling_elements;
mod kling_v2;
pub mod parse;

use serde::{Deserialize, Serialize};

pub use client::{Client, DEFAULT_REQUEST_TIMEOUT};
pub use errors::ProviderError;
pub use gateway::{GATEWAY_BASE_ENV, GatewayClient, GatewayForm};
pub use http::{USER_AGENT, is_loopback as is_loopback_url};
pub use kling::{DEFAULT_KLING_BASE, KLING_BASE_ENV, KlingClient, LIST_PAGE_SIZE, Probe};
pub use kling_elements::{ELEMENT_LIST_MAX_PAGES, ELEMENTS_PATH, ElementListing, NewElement};
pub use parse::{
    parse_gateway_created, parse_gateway_error, parse_gateway_task, parse_kling_envelope,
    parse_kling_list, parse_kling_task, parse_kling_v2_created, parse_kling_v2_tasks,
    parse_relay_task,
};

use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::gateway_profile::Profiles;

/// Where a task is in its life, in the same words for every provider.
pub use shotdeck_core::jobs::TaskState;

/// One generated video as the provider reports it. The URL expires: download promptly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteVideo {
    pub id: Option<String>,
    pub url: String,
    /// The watermarked copy Kling makes beside the clean one when `watermark_info.enabled`
    /// was set (query answers' `videos[].watermark_url`).
    #[serde(default)]
    pub watermark_url: Option<String>,
    pub duration_secs: Option<f64>,
}

/// A task as the provider last described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSnapshot {
    pub task_id: String,
    pub external_task_id: Option<String>,
    pub state: TaskState,
    /// Why a task failed (Kling's `task_status_msg`, the gateway's `fail_reason`), or a
    /// gateway status word shotdeck does not know.
    pub status_msg: Option<String>,
    pub videos: Vec<RemoteVideo>,
    /// Kling's `final_unit_deduction`, as sent.
    pub units_charged: Option<String>,
    /// The gateway's `error.code` (or `error.type`) on a failed task.
    pub error_code: Option<String>,
}

/// Base URLs and the request timeout from the user's config. `Default` reads nothing: the
/// environment is consulted by [`Client::from_env`], and wins over these values.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderSettings {
    pub kling_base: Option<String>,
    pub gateway_base: Option<String>,
    /// The gateway profiles from `[profiles]` in config.toml.
    pub profiles: Profiles,
    /// Bound on each single request, sending and reading the answer included.
    pub request_timeout: std::time::Duration,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        ProviderSettings {
            kling_base: None,
            gateway_base: None,
            profiles: Profiles::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

/// The HTTP method a composed request names, checked before anything is sent.
fn ensure_method(req: &ComposedRequest) -> Result<reqwest::Method, ProviderError> {
    reqwest::Method::from_bytes(req.method.trim().to_ascii_uppercase().as_bytes()).map_err(|_| {
        ProviderError::Config(format!(
            "request method {:?} is not an HTTP method",
            req.method
        ))
    })
}
