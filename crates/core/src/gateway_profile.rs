//! Gateway profiles: how each Bearer-key route carries a board (the shot list's place and
//! name, Auto, references, frames) and how its answers read (status words, where the video
//! URL is). Data, set per profile in `config.toml`, not a guess baked into code. See the
//! README's provider section for the source of every default (read 2026-12-06).
//!
//! ```toml
//! [profiles.gateway]          # --provider gateway: the seed's ModelStream form
//! status_running = ["in_progress", "processing", "generating"]
//!
//! [profiles.newapi]           # --provider newapi: stock new-api; a fork that forwards the
//! shot_list = "metadata"      #   shot list in metadata says so here
//!
//! [profiles.kling-relay]      # --provider kling-relay: Kling's body under a prefix
//! prefix = "/api/kling"
//! ```
//!
//! Every key is optional (a missing one keeps the profile's built-in value); an unknown key
//! is an error naming it.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Where the fields a new-api gateway forwards to Kling (last frame, negative prompt,
/// `external_task_id`, …) are placed in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormFields {
    /// At the top level, as the ModelStream form lists them.
    Flat,
    /// In `metadata`, which new-api unmarshals over its Kling request struct.
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

/// Where a route carries the shot list (with `multi_shot` and `shot_type` beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShotList {
    /// The route cannot carry one: a custom multi-shot board is refused before sending.
    None,
    /// At the top level of the body (the Kling v3 gateway docs' `multi_prompt`).
    TopLevel,
    /// In `metadata` (a new-api fork whose Kling adaptor declares `multi_prompt`).
    Metadata,
}

/// How a shot's `duration` is written in the shot list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShotDuration {
    /// `"4"`, as Kling's own `multi_prompt[].duration` and the gateway docs write it.
    String,
    Number,
}

/// A route on `/v1/video/generations` (`--provider gateway` and `--provider newapi`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayProfile {
    /// `POST {base}{create_path}`.
    pub create_path: String,
    /// `GET {base}{poll_path}`, `{task_id}` replaced by the gateway's task id.
    pub poll_path: String,
    /// Where Kling's own single-shot fields go.
    pub form_fields: FormFields,
    /// Where the shot list goes, or `none` when the route cannot carry one.
    pub shot_list: ShotList,
    /// The shot list's field name (`{index, prompt, duration}` items).
    pub shots_field: String,
    pub shot_duration: ShotDuration,
    /// Whether the route carries Auto (`multi_shot` with `shot_type: "intelligence"`).
    pub auto: bool,
    /// Whether the route reaches omni-video with reference images (`image_list`).
    pub references: bool,
    /// Whether the route carries a last frame (`image_tail`).
    pub last_frame: bool,
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

impl GatewayProfile {
    /// `--provider gateway`: the seed's ModelStream form (`multi_shot` boolean,
    /// `negative_prompt`, `mode`, `duration` number, `cfg_scale`, `aspect_ratio`,
    /// `watermark_enabled`, all top level), the shot list as the top-level `multi_prompt`
    /// the Kling v3 gateway docs document. Nothing goes into `metadata`.
    pub fn modelstream() -> Self {
        GatewayProfile {
            create_path: "/v1/video/generations".into(),
            poll_path: "/v1/video/generations/{task_id}".into(),
            form_fields: FormFields::Flat,
            shot_list: ShotList::TopLevel,
            shots_field: "multi_prompt".into(),
            shot_duration: ShotDuration::String,
            auto: true,
            // ModelStream's kling-v3 form: "Reference to Video: upload reference images …;
            // refer to them with <<<image_1>>> in the prompt" (README, "gateway").
            references: true,
            last_frame: true,
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

    /// `--provider newapi`: stock new-api. Its Kling adaptor unmarshals `metadata` over a
    /// request struct without `multi_shot`, `shot_type`, `multi_prompt` or `image_list`
    /// (`relay/channel/task/kling/adaptor.go` @ 070818b8), so those never reach Kling: no
    /// shot list, no Auto, no references. `image_tail` is declared: a last frame goes.
    pub fn stock_newapi() -> Self {
        GatewayProfile {
            form_fields: FormFields::Metadata,
            shot_list: ShotList::None,
            auto: false,
            references: false,
            ..GatewayProfile::modelstream()
        }
    }

    /// The poll path of one task.
    pub fn poll_path_for(&self, task_id: &str) -> String {
        self.poll_path.replace("{task_id}", task_id)
    }
}

/// The ModelStream form: `--provider gateway`'s profile.
impl Default for GatewayProfile {
    fn default() -> Self {
        GatewayProfile::modelstream()
    }
}

/// `[profiles.gateway]`: missing keys keep the ModelStream form's values.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ModelStreamProfile(pub GatewayProfile);

/// `[profiles.newapi]`: missing keys keep stock new-api's values.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct NewApiProfile(pub GatewayProfile);

impl Default for NewApiProfile {
    fn default() -> Self {
        NewApiProfile(GatewayProfile::stock_newapi())
    }
}

macro_rules! derefs_to_profile {
    ($t:ty) => {
        impl std::ops::Deref for $t {
            type Target = GatewayProfile;
            fn deref(&self) -> &GatewayProfile {
                &self.0
            }
        }
        impl std::ops::DerefMut for $t {
            fn deref_mut(&mut self) -> &mut GatewayProfile {
                &mut self.0
            }
        }
    };
}
derefs_to_profile!(ModelStreamProfile);
derefs_to_profile!(NewApiProfile);

/// The keys given over `base`, read with every check (`deny_unknown_fields`) of the struct.
fn over<'de, D: Deserializer<'de>>(base: GatewayProfile, d: D) -> Result<GatewayProfile, D::Error> {
    let given = serde_json::Map::<String, Value>::deserialize(d)?;
    let Ok(Value::Object(mut merged)) = serde_json::to_value(base) else {
        return Err(D::Error::custom("a profile serializes to an object"));
    };
    merged.extend(given);
    serde_json::from_value(Value::Object(merged)).map_err(D::Error::custom)
}

impl<'de> Deserialize<'de> for ModelStreamProfile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        over(GatewayProfile::modelstream(), d).map(ModelStreamProfile)
    }
}

impl<'de> Deserialize<'de> for NewApiProfile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        over(GatewayProfile::stock_newapi(), d).map(NewApiProfile)
    }
}

/// A relay taking Kling's own body and paths under a prefix (`--provider kling-relay`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KlingRelayProfile {
    /// Put before Kling's `/v1/videos/{kind}`: new-api's native route is `/kling`.
    pub prefix: String,
    /// Whether the relay passes Kling's body through whole (shot list, Auto). new-api's
    /// `/kling/v1` does not: `middleware/kling_adapter.go` wraps the body into `metadata`,
    /// where its adaptor drops the multi-shot keys.
    pub body_whole: bool,
    /// Whether the relay serves `/v1/videos/omni-video` (references). new-api's
    /// `router/video-router.go` routes only text2video and image2video under `/kling/v1`.
    pub omni: bool,
}

impl Default for KlingRelayProfile {
    fn default() -> Self {
        KlingRelayProfile {
            prefix: "/kling".into(),
            body_whole: false,
            omni: false,
        }
    }
}

/// `[profiles]` in config.toml.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profiles {
    pub gateway: ModelStreamProfile,
    pub newapi: NewApiProfile,
    #[serde(rename = "kling-relay")]
    pub kling_relay: KlingRelayProfile,
    /// `[profiles.kling]`: which of Kling's request designs the official provider uses.
    pub kling: crate::kling_v2::KlingProfile,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_keep_each_profiles_built_in_values() {
        let p: Profiles = toml::from_str("[gateway]\nform_fields = \"both\"\n").unwrap();
        assert_eq!(p.gateway.form_fields, FormFields::Both);
        assert_eq!(p.gateway.shot_list, ShotList::TopLevel);
        assert_eq!(p.gateway.create_path, "/v1/video/generations");
        assert_eq!(p.newapi.shot_list, ShotList::None);
        assert_eq!(p.kling_relay.prefix, "/kling");
        let fork: Profiles = toml::from_str("[newapi]\nshot_list = \"metadata\"\n").unwrap();
        assert_eq!(fork.newapi.shot_list, ShotList::Metadata);
        assert_eq!(fork.newapi.form_fields, FormFields::Metadata);
        assert!(!fork.newapi.references);
        let relay: Profiles = toml::from_str("[kling-relay]\nprefix = \"/api/kling\"\n").unwrap();
        assert_eq!(relay.kling_relay.prefix, "/api/kling");
        assert!(!relay.kling_relay.body_whole);
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let e = toml::from_str::<Profiles>("[gateway]\nshot_field = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("shot_field"), "{e}");
        let e = toml::from_str::<Profiles>("[newapi]\nshots = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("shots"), "{e}");
        let e = toml::from_str::<Profiles>("[relay]\n").unwrap_err();
        assert!(e.to_string().contains("relay"), "{e}");
    }

    #[test]
    fn the_poll_path_takes_the_task_id() {
        let p = GatewayProfile::modelstream();
        assert_eq!(p.poll_path_for("task_1"), "/v1/video/generations/task_1");
    }
}
