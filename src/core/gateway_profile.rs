//! Gateway profiles: where a gateway's public docs are silent or disagree (the shot list's
//! name and place, status words, where the video URL is), the answer is data, set per
//! profile in `config.toml`, not a guess baked into code. See the README's provider section
//! for the sources of every default (read 2026-11-25).
//!
//! ```toml
//! [profiles.gateway]          # --provider gateway: the new-api family's generic form
//! form_fields = "metadata"    # where Kling's own fields go: "flat", "metadata" or "both"
//! status_running = ["in_progress", "processing", "generating"]
//!
//! [profiles.kling-relay]      # --provider kling-relay: Kling's body under a prefix
//! prefix = "/api/kling"
//! ```
//!
//! Every key is optional (a missing one keeps the built-in value); an unknown key is an
//! error naming it.

use serde::{Deserialize, Serialize};

/// Where the fields a new-api gateway forwards to Kling (shot list, last frame, reference
/// images, `external_task_id`, …) are placed in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormFields {
    /// At the top level, as the ModelStream form lists them.
    Flat,
    /// In `metadata`, which stock new-api forwards to Kling ("last wins").
    Metadata,
    /// Both: a gateway reads the place it knows and ignores the other.
    Both,
}

impl FormFields {
    pub fn flat(self) -> bool {
        matches!(self, FormFields::Flat | FormFields::Both)
    }

    pub fn metadata(self) -> bool {
        matches!(self, FormFields::Metadata | FormFields::Both)
    }
}

/// How a shot's `duration` is written in the shot list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShotDuration {
    /// `"4"`: new-api's Kling adaptor unmarshals `multi_prompt[].duration` into a string.
    String,
    Number,
}

/// A new-api family gateway (`--provider gateway`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayProfile {
    /// `POST {base}{create_path}`.
    pub create_path: String,
    /// `GET {base}{poll_path}`, `{task_id}` replaced by the gateway's task id.
    pub poll_path: String,
    pub form_fields: FormFields,
    /// The shot list's field name (`{index, prompt, duration}` items).
    pub shots_field: String,
    pub shot_duration: ShotDuration,
    /// Status words, compared without regard to case. A word in none of the lists is
    /// shown as unknown and polled again: a paid task is never failed on a word we don't know.
    pub status_queued: Vec<String>,
    pub status_running: Vec<String>,
    pub status_succeeded: Vec<String>,
    pub status_failed: Vec<String>,
    /// Where the status is read, first match wins (dotted paths, `[0]` for a list's first).
    pub status_fields: Vec<String>,
    /// Where the video URL is read, first match wins.
    pub url_fields: Vec<String>,
    /// Where a failed task's reason is read, first match wins.
    pub failure_fields: Vec<String>,
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| w.to_string()).collect()
}

impl Default for GatewayProfile {
    fn default() -> Self {
        GatewayProfile {
            create_path: "/v1/video/generations".into(),
            poll_path: "/v1/video/generations/{task_id}".into(),
            form_fields: FormFields::Both,
            shots_field: "multi_prompt".into(),
            shot_duration: ShotDuration::String,
            status_queued: words(&["queued", "pending", "submitted", "not_start"]),
            status_running: words(&["in_progress", "processing", "running"]),
            status_succeeded: words(&["succeeded", "completed", "success", "succeed"]),
            status_failed: words(&["failed", "failure", "fail"]),
            status_fields: words(&["data.status", "status"]),
            url_fields: words(&[
                "data.result_url",
                "metadata.url",
                "url",
                "video_url",
                "content_url",
                "data[0].url",
                "output[0].url",
                "data.data.data.task_result.videos[0].url",
            ]),
            failure_fields: words(&["data.fail_reason", "error.message", "fail_reason"]),
        }
    }
}

impl GatewayProfile {
    /// The poll path of one task.
    pub fn poll_path_for(&self, task_id: &str) -> String {
        self.poll_path.replace("{task_id}", task_id)
    }
}

/// A relay taking Kling's own body and paths under a prefix (`--provider kling-relay`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KlingRelayProfile {
    /// Put before Kling's `/v1/videos/{kind}`: new-api's native route is `/kling`.
    pub prefix: String,
}

impl Default for KlingRelayProfile {
    fn default() -> Self {
        KlingRelayProfile {
            prefix: "/kling".into(),
        }
    }
}

/// `[profiles]` in config.toml.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profiles {
    pub gateway: GatewayProfile,
    #[serde(rename = "kling-relay")]
    pub kling_relay: KlingRelayProfile,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_keep_the_built_in_values() {
        let p: Profiles = toml::from_str("[gateway]\nform_fields = \"metadata\"\n").unwrap();
        assert_eq!(p.gateway.form_fields, FormFields::Metadata);
        assert_eq!(p.gateway.create_path, "/v1/video/generations");
        assert_eq!(p.kling_relay.prefix, "/kling");
        let relay: Profiles = toml::from_str("[kling-relay]\nprefix = \"/api/kling\"\n").unwrap();
        assert_eq!(relay.kling_relay.prefix, "/api/kling");
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let e = toml::from_str::<Profiles>("[gateway]\nshot_field = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("shot_field"), "{e}");
        let e = toml::from_str::<Profiles>("[relay]\n").unwrap_err();
        assert!(e.to_string().contains("relay"), "{e}");
    }

    #[test]
    fn the_poll_path_takes_the_task_id() {
        let p = GatewayProfile::default();
        assert_eq!(p.poll_path_for("task_1"), "/v1/video/generations/task_1");
    }
}
