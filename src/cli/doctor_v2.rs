//! `doctor`'s check of Kling's v2 design, when `[profiles.kling] route = "v2"`: the design
//! takes the API key only, so that key is checked with one free lookup of a task id no one
//! issued (`GET /tasks?task_ids=…`): an answer means the key passed, 401 that it did not.

use super::Check;
use crate::core::kling_v2::RoutePref;
use crate::providers::{KlingClient, ProviderError};

/// A task id Kling has never issued.
const MADE_UP_TASK: &str = "shotdeck-doctor-no-such-task";
const KEY_FIX: &str = "set KLING_API_KEY (or kling_api_key in the 0600 credentials.toml): \
                       the v2 design takes Kling's API key, not the access/secret key pair";

/// `None` unless `[profiles.kling] route = "v2"`: with the table's choice (the default),
/// the default model goes legacy, whose key the checks before this one try already.
pub(super) async fn check(c: &KlingClient, route: RoutePref) -> Option<Check> {
    if route != RoutePref::V2 {
        return None;
    }
    let in_use = "kling v2 (api key) for every model that has it";
    if !c.has_v2_key() {
        let detail = format!("{in_use}; no API key is set for the v2 design");
        return Some(Check::fail("route", detail, KEY_FIX));
    }
    Some(match c.lookup_tasks(&[MADE_UP_TASK]).await {
        Ok(_) => Check::ok("route", format!("{in_use}; the API key is accepted")),
        Err(e @ ProviderError::Auth { .. }) => Check::fail("route", e.to_string(), KEY_FIX),
        Err(e) => Check::fail(
            "route",
            format!("the v2 lookup did not answer as documented: {e}"),
            "check the network and the Kling base URL; legacy boards are unaffected",
        ),
    })
}
