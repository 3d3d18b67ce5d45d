//! The keymap: one table, grouped by context (panes, global, overlays, an open field), that
//! drives dispatch, the `?` help overlay, the footer and overlay hints, the key names inside
//! messages and the command palette, so none of them can drift from behaviour.
//!
//! Defaults live in `keymap.toml` (embedded). A user's `keymap.toml` and config.toml's
//! `[keys]` overlay it per action (`overrides.rs`): naming an action in a context
//! replaces its keys there.

pub mod action;
pub mod context;
pub mod keys;
mod overrides;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::keymap::action::Action;
use crate::keymap::keys::KeyChord;
use shotdeck_files::config::KeyList;

pub use crate::keymap::context::Context;

const DEFAULT_KEYMAP: &str = include_str!("keymap.toml");

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: Vec<KeyChord>,
    pub action: Action,
    pub desc: String,
    /// Short footer label; `None` keeps the entry out of the footer.
    pub hint: Option<String>,
}

impl Binding {
    /// The keys as help shows them: `j/down`.
    pub fn keys_label(&self) -> String {
        let keys: Vec<String> = self.keys.iter().map(KeyChord::to_string).collect();
        keys.join("/")
    }
}

/// A keymap that failed to load, with the context, action or key at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeymapError {
    /// Not TOML, or not the shape of a keymap.
    #[error("keymap.toml: {0}")]
    Syntax(String),
    #[error(
        "unknown keymap context [{name}] (expected one of: {})",
        Context::ALL.map(Context::name).join(", ")
    )]
    UnknownContext { name: String },
    #[error(
        "[{context}] {action}: unknown action (see the `:` palette or the built-in keymap.toml for names)"
    )]
    UnknownAction { context: String, action: String },
    /// `at` names the context and action: `[global] quit`.
    #[error("{at}: {reason}")]
    BadKey { at: String, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub(crate) contexts: [Vec<Binding>; Context::ALL.len()],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultContext {
    keymap: Vec<DefaultEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultEntry {
    on: KeyList,
    run: Action,
    desc: Option<String>,
    hint: Option<String>,
}

/// Per-action overrides: context name → action name → keys.
pub type KeyOverrides = BTreeMap<String, BTreeMap<String, KeyList>>;

pub(crate) fn parse_keys(list: &KeyList, at: &str) -> Result<Vec<KeyChord>, KeymapError> {
    list.as_slice()
        .iter()
        .map(|k| {
            k.parse().map_err(|reason| KeymapError::BadKey {
                at: at.to_string(),
                reason,
            })
        })
        .collect()
}

impl Keymap {
    /// The embedded defaults. They are tested, so failing here is a build defect.
    pub fn defaults() -> Keymap {
        Keymap::parse_defaults(DEFAULT_KEYMAP).expect("the embedded keymap.toml is valid")
    }

    fn parse_defaults(text: &str) -> Result<Keymap, KeymapError> {
        let raw: BTreeMap<String, DefaultContext> =
            toml::from_str(text).map_err(|e| KeymapError::Syntax(e.to_string()))?;
        let mut contexts: [Vec<Binding>; Context::ALL.len()] = Default::default();
        for (name, ctx) in raw {
            let c = Context::parse(&name)?;
            for e in ctx.keymap {
                let at = format!("[{name}] {}", e.run.name());
                contexts[c.index()].push(Binding {
                    keys: parse_keys(&e.on, &at)?,
                    action: e.run,
                    desc: e.desc.unwrap_or_else(|| e.run.description().to_string()),
                    hint: e.hint,
                });
            }
        }
        Ok(Keymap { contexts })
    }

    pub fn bindings(&self, c: Context) -> &[Binding] {
        &self.contexts[c.index()]
    }

    /// The action bound to `key` in exactly this context.
    pub fn lookup(&self, c: Context, key: &KeyChord) -> Option<Action> {
        self.bindings(c)
            .iter()
            .find(|b| b.keys.contains(key))
            .map(|b| b.action)
    }

    /// What `key` runs while `c` has the keys, and the context that binds it: `c`'s own
    /// table first, then (for panes and an open field) the global one. Where plain
    /// characters are text, they never run anything, and keys that edit a line never reach
    /// the global table.
    pub fn resolve(&self, c: Context, key: &KeyChord) -> Option<(Context, Action)> {
        if c.is_typing() && key.is_text() {
            return None;
        }
        if let Some(a) = self.lookup(c, key) {
            return Some((c, a));
        }
        let global_reachable = c.reaches_global() && !(c.is_typing() && key.edits_text());
        global_reachable
            .then(|| self.lookup(Context::Global, key))
            .flatten()
            .map(|a| (Context::Global, a))
    }

    /// Every key that runs `action` while `c` has the keys, its own keys first: global keys
    /// shadowed by `c` (or that are text there) are left out.
    pub fn keys_running(&self, c: Context, action: Action) -> Vec<KeyChord> {
        let mut homes = vec![c];
        if c.reaches_global() {
            homes.push(Context::Global);
        }
        let mut out: Vec<KeyChord> = Vec::new();
        for home in homes {
            let keys = self
                .bindings(home)
                .iter()
                .filter(|b| b.action == action)
                .flat_map(|b| b.keys.iter());
            for k in keys {
                if self.resolve(c, k) == Some((home, action)) && !out.contains(k) {
                    out.push(*k);
                }
            }
        }
        out
    }

    /// Up to `limit` keys for `action` in `c` as hints write them (`y/enter`). An action the
    /// user left without a key is named the way the palette finds it (`: submit`).
    pub fn key_names(&self, c: Context, action: Action, limit: usize) -> String {
        let keys = self.keys_running(c, action);
        if keys.is_empty() {
            let palette = self
                .keys_running(Context::Global, Action::OpenPalette)
                .first()
                .map_or(":".to_string(), KeyChord::to_string);
            return format!("{palette} {}", action.name().replace('_', " "));
        }
        let names: Vec<String> = keys.iter().take(limit).map(KeyChord::to_string).collect();
        names.join("/")
    }

    /// The key to name in a message about `action` while `c` has the keys ("submit with S").
    pub fn key_for(&self, c: Context, action: Action) -> String {
        self.key_names(c, action, 1)
    }

    /// Keys bound more than once within one context: `(context, key, [actions])`.
    pub fn duplicates(&self) -> Vec<(Context, KeyChord, Vec<Action>)> {
        let mut out = Vec::new();
        for c in Context::ALL {
            let mut seen: BTreeMap<KeyChord, Vec<Action>> = BTreeMap::new();
            for b in self.bindings(c) {
                for k in &b.keys {
                    seen.entry(*k).or_default().push(b.action);
                }
            }
            out.extend(
                seen.into_iter()
                    .filter(|(_, v)| v.len() > 1)
                    .map(|(k, v)| (c, k, v)),
            );
        }
        out
    }

    /// Where an action belongs: the first context binding it, else where it acts.
    pub fn home_of(&self, action: Action) -> Context {
        Context::ALL
            .into_iter()
            .find(|c| self.bindings(*c).iter().any(|b| b.action == action))
            .unwrap_or(match action {
                Action::RefreshJobs
                | Action::RetryJob
                | Action::RedownloadJob
                | Action::OpenResult
                | Action::CopyUrl
                | Action::ToggleAllBoards => Context::Queue,
                _ => Context::Global,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_no_duplicate_keys_within_a_context() {
        let km = Keymap::defaults();
        assert_eq!(km.duplicates(), vec![], "duplicate keys in keymap.toml");
    }

    #[test]
    fn key_names_follow_shadowing_and_typing() {
        let km = Keymap::defaults();
        assert_eq!(km.key_for(Context::Queue, Action::Submit), "S");
        assert_eq!(
            km.key_names(Context::Confirm, Action::Confirm, 2),
            "y/enter"
        );
        // `q` is text in the prompt editor: quitting from there takes ctrl-c.
        assert_eq!(km.key_for(Context::Prompt, Action::Quit), "ctrl-c");
        // Overlays are modal: global keys do not reach them.
        assert_eq!(km.keys_running(Context::Help, Action::Quit), vec![]);
        let o = Keymap::parse_overrides(
            "[queue]\nretry_job = \"S\"\n[global]\nsubmit = [\"S\", \"f5\"]",
        )
        .unwrap();
        let mut km = km;
        km.overlay(&o).unwrap();
        assert_eq!(km.key_for(Context::Queue, Action::Submit), "f5");
        assert_eq!(km.key_for(Context::ShotList, Action::Submit), "S");
        let o = Keymap::parse_overrides("[global]\nsubmit = []").unwrap();
        km.overlay(&o).unwrap();
        assert_eq!(km.key_for(Context::Queue, Action::Submit), ": submit");
    }

    #[test]
    fn every_binding_has_keys_and_a_description() {
        let km = Keymap::defaults();
        for c in Context::ALL {
            for b in km.bindings(c) {
                assert!(!b.keys.is_empty(), "{} in {}", b.action.name(), c.name());
                assert!(!b.desc.is_empty());
            }
        }
    }
}
