//! A user's keys over the defaults. Naming an action in a context replaces its keys there.
//!
//! An override that collides with another binding still applies, because the user asked for
//! it, but never silently: taking a key from another action in the same context, a pane key
//! that hides a global key there, and a global key that a pane's own key hides each come
//! back as a warning naming both actions. Plain characters where they are text (the prompt
//! editor, the palette's query, an open field) are the one refusal: they stay text.

use crate::keymap::action::Action;
use crate::keymap::keys::KeyChord;
use crate::keymap::{Binding, Context, KeyOverrides, Keymap, KeymapError, parse_keys};

/// Something a user override changed beyond its own action, shown once at start.
pub(super) type KeymapWarning = String;

impl Keymap {
    /// Applies per-action overrides and says what they took from other actions. Errors
    /// (an unknown context, action or key) leave the caller to fall back to the defaults.
    pub fn overlay(&mut self, overrides: &KeyOverrides) -> Result<Vec<KeymapWarning>, KeymapError> {
        let mut warnings = Vec::new();
        for (ctx_name, actions) in overrides {
            let c = Context::parse(ctx_name)?;
            for (action_name, keys) in actions {
                let action: Action = serde_json::from_value(serde_json::json!(action_name))
                    .map_err(|_| KeymapError::UnknownAction {
                        context: ctx_name.clone(),
                        action: action_name.clone(),
                    })?;
                let at = format!("[{ctx_name}] {action_name}");
                let mut keys = parse_keys(keys, &at)?;
                if c.is_typing() {
                    keys.retain(|k| {
                        let text = k.is_text();
                        if text {
                            warnings.push(format!(
                                "{at}: \"{k}\" not bound: plain characters are text in {}",
                                c.title().to_lowercase()
                            ));
                        }
                        !text
                    });
                }
                for k in &keys {
                    warnings.extend(self.collisions(c, action, k, &at));
                }
                self.bind(c, action, keys);
            }
        }
        Ok(warnings)
    }

    /// Reads a user keymap.toml (same shape as config.toml's `[keys]`).
    pub fn parse_overrides(text: &str) -> Result<KeyOverrides, KeymapError> {
        toml::from_str(text).map_err(|e| KeymapError::Syntax(e.to_string()))
    }

    /// Gives `action` exactly `keys` in `c`, taking them from any other action there.
    fn bind(&mut self, c: Context, action: Action, keys: Vec<KeyChord>) {
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

    /// What binding `key` to `action` in `c` would take from, or hide behind, other actions.
    pub(crate) fn collisions(
        &self,
        c: Context,
        action: Action,
        key: &KeyChord,
        at: &str,
    ) -> Vec<KeymapWarning> {
        let mut out = Vec::new();
        if let Some(other) = self.lookup(c, key).filter(|a| *a != action) {
            out.push(format!(
                "{at}: \"{key}\" taken from {} (it had that key in [{}])",
                other.name(),
                c.name()
            ));
        }
        let global_reached = c.reaches_global()
            && !(c.is_typing() && key.edits_text())
            && !deliberate_shadow(c, action);
        if global_reached
            && let Some(global) = self.lookup(Context::Global, key).filter(|a| *a != action)
        {
            out.push(format!(
                "{at}: \"{key}\" hides the global {} while {} has the keys",
                global.name(),
                c.title().to_lowercase()
            ));
        }
        if c == Context::Global {
            for pane in Context::ALL.into_iter().filter(|p| p.reaches_global()) {
                let hidden_by = self.lookup(pane, key).filter(|a| *a != action);
                let text_there = pane.is_typing() && key.edits_text();
                let meant = |local: &Action| deliberate_shadow(pane, *local);
                if let Some(local) = hidden_by.filter(|l| !text_there && !meant(l)) {
                    out.push(format!(
                        "{at}: \"{key}\" runs {} instead in [{}]",
                        local.name(),
                        pane.name()
                    ));
                }
            }
        }
        out
    }
}

/// Path completion in an open field takes its key (Tab) from the global table on purpose,
/// as a shell's does: there is no pane to move to while a field is open.
fn deliberate_shadow(c: Context, local: Action) -> bool {
    c == Context::FieldEdit && local == Action::CompletePath
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyChord {
        s.parse().unwrap()
    }

    fn overlay(km: &mut Keymap, text: &str) -> Vec<KeymapWarning> {
        km.overlay(&Keymap::parse_overrides(text).unwrap()).unwrap()
    }

    #[test]
    fn defaults_collide_nowhere() {
        let km = Keymap::defaults();
        for c in Context::ALL {
            for b in km.bindings(c) {
                for k in &b.keys {
                    let at = format!("[{}] {}", c.name(), b.action.name());
                    assert_eq!(km.collisions(c, b.action, k, &at), Vec::<String>::new());
                    assert!(!(c.is_typing() && k.is_text()), "{at}: {k} is text there");
                }
            }
        }
    }

    #[test]
    fn overrides_replace_keys_per_action_and_report_what_they_take() {
        let mut km = Keymap::defaults();
        let w = overlay(
            &mut km,
            "[shot_list]\ndelete_shot = \"d\"\nadd_shot = [\"x\"]\n",
        );
        assert_eq!(
            km.lookup(Context::ShotList, &key("d")),
            Some(Action::DeleteShot)
        );
        assert_eq!(
            km.lookup(Context::ShotList, &key("x")),
            Some(Action::AddShot)
        );
        assert_eq!(km.duplicates(), vec![]);
        // Other contexts are untouched.
        assert_eq!(
            km.lookup(Context::Settings, &key("x")),
            Some(Action::ClearValue)
        );
        // add_shot took `x` from delete_shot; delete_shot's own change took nothing.
        assert_eq!(
            w,
            vec![
                "[shot_list] add_shot: \"x\" taken from delete_shot (it had that key in [shot_list])"
            ]
        );
    }

    #[test]
    fn shadowing_a_global_key_is_reported_both_ways() {
        let mut km = Keymap::defaults();
        let w = overlay(&mut km, "[queue]\nretry_job = \"S\"");
        assert_eq!(
            w,
            vec!["[queue] retry_job: \"S\" hides the global submit while job queue has the keys"]
        );
        assert_eq!(
            km.resolve(Context::Queue, &key("S")),
            Some((Context::Queue, Action::RetryJob))
        );
        let w = overlay(&mut km, "[global]\nsave = [\"ctrl-s\", \"j\"]");
        assert!(
            w.contains(&"[global] save: \"j\" runs select_next instead in [shot_list]".to_string()),
            "{w:?}"
        );
        // In the prompt editor `j` is text, so nothing hides the global key there.
        assert!(!w.iter().any(|x| x.contains("[prompt]")), "{w:?}");
        assert_eq!(km.lookup(Context::Global, &key("j")), Some(Action::Save));
    }

    #[test]
    fn plain_characters_stay_text_where_text_is_typed() {
        let mut km = Keymap::defaults();
        let w = overlay(&mut km, "[prompt]\nnext_shot = [\"n\", \"f8\"]");
        assert_eq!(
            w,
            vec!["[prompt] next_shot: \"n\" not bound: plain characters are text in prompt editor"]
        );
        assert_eq!(km.lookup(Context::Prompt, &key("n")), None);
        assert_eq!(
            km.lookup(Context::Prompt, &key("f8")),
            Some(Action::NextShot)
        );
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
