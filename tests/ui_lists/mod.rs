//! Issue 13's lists: the message log, clicks on rows, and `/` filters over shots, findings
//! and jobs. A module of `ui_keys` (one test binary fewer to link).

mod messages;

use super::ui_support::Harness;

pub fn snap_at(name: &str, h: &Harness, w: u16, ht: u16) {
    let t = h.render(w, ht);
    insta::assert_snapshot!(name, t.backend());
}
