//! `doctor`'s check of Kling's v2 design: the design takes the API key only, so the key the
//! route in use needs is checked with one free lookup of a task id no one issued
//! (`GET /tasks?task_ids=…`): an answer means the key passed, 401 that it did not.

use super::Check;
use crate::core::kling_v2::RoutePref;
use crate::providers::{KlingClient, ProviderError};

/// A task id Kling has never issued.
const MADE_UP_TASK: &str = "shotdeck-doctor-no-such-task";
const KEY_FIX: &str = "set KLING_API_KEY (or kling_api_key in the 0600 credentials.toml): \
                       the v2 design takes Kling's API key, not the access/secret key pair";

pub(super) async fn check(c: &KlingClient, route: RoutePref) -> Check {
    let in_use = match route {
        RoutePref::Legacy => {
            return Check::ok(
                "route",
                "kling legacy for every model ([profiles.kling] route = \"legacy\")",
            );
        }
        RoutePref::V2 => "kling v2 (api key) for every model that has it",
        RoutePref::Auto => "kling legacy; kling v2 (api key) for kling-v3-turbo",
    };
    if !c.has_v2_key() {
        let detail = format!("{in_use}; no API key is set for the v2 design");
        return match route {
            RoutePref::V2 => Check::fail("route", detail, KEY_FIX),
            // Only a Turbo board needs it: say so, without failing the legacy setup.
            _ => Check::ok("route", format!("{detail} (Turbo boards will be refused)")),
        };
    }
    match c.lookup_tasks(&[MADE_UP_TASK]).await {
        Ok(_) => Check::ok("route", format!("{in_use}; the API key is accepted")),
        Err(e @ ProviderError::Auth { .. }) => Check::fail("route", e.to_string(), KEY_FIX),
        Err(e) => Check::fail(
            "route",
            format!("the v2 lookup did not answer as documented: {e}"),
            "check the network and the Kling base URL; legacy boards are unaffected",
        ),
    }
}
