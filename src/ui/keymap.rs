//! The keymap: one table, grouped by context, that drives dispatch, the `?` help overlay,
//! the footer hints and the command palette, so none of them can drift from behaviour.
//!
//! Defaults live in `keymap.toml` (embedded). A user's `keymap.toml` and config.toml's
//! `[keys]` overlay it per action: naming an action in a context replaces its keys there.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::action::Action;
use super::keys::KeyChord;
use crate::files::config::KeyList;

const DEFAULT_KEYMAP: &str = include_str!("keymap.toml");

/// Where a key is looked up: the focused pane's context first, then `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    ShotList,
    Prompt,
    Settings,
    Timeline,
    Preview,
    Queue,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::ShotList,
        Context::Prompt,
        Context::Settings,
        Context::Timeline,
        Context::Preview,
        Context::Queue,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::ShotList => "shot_list",
            Context::Prompt => "prompt",
            Context::Settings => "settings",
            Context::Timeline => "timeline",
            Context::Preview => "preview",
            Context::Queue => "queue",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::ShotList => "Shot list",
            Context::Prompt => "Prompt editor",
            Context::Settings => "Settings",
            Context::Timeline => "Timeline",
            Context::Preview => "Request preview",
            Context::Queue => "Job queue",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn parse(name: &str) -> Result<Context, KeymapError> {
        Context::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| KeymapError::UnknownContext {
                name: name.to_string(),
            })
    }
}

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
    contexts: [Vec<Binding>; 7],
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

fn parse_keys(list: &KeyList, at: &str) -> Result<Vec<KeyChord>, KeymapError> {
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
        let mut contexts: [Vec<Binding>; 7] = Default::default();
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

    /// Applies per-action overrides. A key the user binds is taken away from any other
    /// action in that context, so the user's choice always wins.
    pub fn overlay(&mut self, overrides: &KeyOverrides) -> Result<(), KeymapError> {
        for (ctx_name, actions) in overrides {
            let c = Context::parse(ctx_name)?;
            for (action_name, keys) in actions {
                let action: Action = serde_json::from_value(serde_json::json!(action_name))
                    .map_err(|_| KeymapError::UnknownAction {
                        context: ctx_name.clone(),
                        action: action_name.clone(),
                    })?;
                let keys = parse_keys(keys, &format!("[{ctx_name}] {action_name}"))?;
                let list = &mut self.contexts[c.index()];
                for b in list.iter_mut().filter(|b| b.action != action) {
                    b.keys.retain(|k| !keys.contains(k));
                }
                match list.iter_mut().find(|b| b.action == action) {
                    Some(b) => b.keys = keys,
                    None => list.push(Binding {
                        keys,
                        action,
                        desc: action.description().to_string(),
                        hint: None,
                    }),
                }
            }
        }
        Ok(())
    }

    /// Reads a user keymap.toml (same shape as config.toml's `[keys]`).
    pub fn parse_overrides(text: &str) -> Result<KeyOverrides, KeymapError> {
        toml::from_str(text).map_err(|e| KeymapError::Syntax(e.to_string()))
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

    /// The first key bound to `action` in `c`, for messages like "press S to submit".
    pub fn key_for(&self, c: Context, action: Action) -> Option<KeyChord> {
        self.bindings(c)
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first().copied())
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
    fn every_action_is_bound_or_reachable_from_the_palette() {
        let km = Keymap::defaults();
        let bound: Vec<Action> = Context::ALL
            .iter()
            .flat_map(|c| km.bindings(*c).iter().map(|b| b.action))
            .collect();
        let palette = super::super::palette::entries(&km);
        for a in Action::ALL {
            let in_palette = palette.iter().any(|e| e.action == *a);
            assert!(in_palette, "{} is not in the palette", a.name());
            // Only actions that make no sense as a reflex may be palette-only.
            if !bound.contains(a) {
                assert_eq!(*a, Action::ReprobeImages, "{} has no key", a.name());
            }
        }
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

    #[test]
    fn user_overrides_replace_keys_per_action_and_win_conflicts() {
        let mut km = Keymap::defaults();
        let o = Keymap::parse_overrides("[shot_list]\ndelete_shot = \"d\"\nadd_shot = [\"x\"]\n")
            .unwrap();
        km.overlay(&o).unwrap();
        let d: KeyChord = "d".parse().unwrap();
        let x: KeyChord = "x".parse().unwrap();
        assert_eq!(km.lookup(Context::ShotList, &d), Some(Action::DeleteShot));
        assert_eq!(km.lookup(Context::ShotList, &x), Some(Action::AddShot));
        assert_eq!(km.duplicates(), vec![]);
        // Other contexts are untouched.
        assert_eq!(km.lookup(Context::Settings, &x), Some(Action::ClearValue));
    }

    #[test]
    fn bad_overrides_name_the_problem() {
        let mut km = Keymap::defaults();
        let e = km
            .overlay(&Keymap::parse_overrides("[shots]\nadd_shot = \"a\"").unwrap())
            .unwrap_err();
        assert!(matches!(&e, KeymapError::UnknownContext { name } if name == "shots"));
        assert!(
            e.to_string().contains("unknown keymap context [shots]"),
            "{e}"
        );
        let e = km
            .overlay(&Keymap::parse_overrides("[shot_list]\nexplode = \"a\"").unwrap())
            .unwrap_err();
        assert!(matches!(&e, KeymapError::UnknownAction { action, .. } if action == "explode"));
        assert!(e.to_string().contains("explode: unknown action"), "{e}");
        let e = km
            .overlay(&Keymap::parse_overrides("[shot_list]\nadd_shot = \"hyper-a\"").unwrap())
            .unwrap_err();
        assert!(matches!(&e, KeymapError::BadKey { at, .. } if at == "[shot_list] add_shot"));
        assert!(e.to_string().starts_with("[shot_list] add_shot: "), "{e}");
    }
}
