//! The rows of the settings pane: what each shows, what it means, and how it changes.
//! Pure functions of the board; the pane in `settings.rs` decides when to call them.

use super::action::Action;
use super::edit;
use super::keymap::{Context, Keymap};
use crate::core::Limits;
use crate::core::model::{Board, Mode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Mode,
    Model,
    Quality,
    Aspect,
    Cfg,
    Sound,
    Watermark,
    MultiShot,
    Duration,
    FirstFrame,
    LastFrame,
    Reference(usize),
    AddReference,
}

impl Field {
    /// The rows the board currently has.
    pub fn all(b: &Board) -> Vec<Field> {
        let mut v = vec![
            Field::Title,
            Field::Mode,
            Field::Model,
            Field::Quality,
            Field::Aspect,
            Field::Cfg,
            Field::Sound,
            Field::Watermark,
            Field::MultiShot,
        ];
        if !b.multi_shot {
            v.push(Field::Duration);
        }
        v.extend([Field::FirstFrame, Field::LastFrame]);
        v.extend((0..b.references.len()).map(Field::Reference));
        v.push(Field::AddReference);
        v
    }

    pub fn label(self) -> String {
        match self {
            Field::Title => "Title".into(),
            Field::Mode => "Mode".into(),
            Field::Model => "Model".into(),
            Field::Quality => "Quality".into(),
            Field::Aspect => "Aspect".into(),
            Field::Cfg => "CFG scale".into(),
            Field::Sound => "Sound".into(),
            Field::Watermark => "Watermark".into(),
            Field::MultiShot => "Multi-shot".into(),
            Field::Duration => "Duration".into(),
            Field::FirstFrame => "First frame".into(),
            Field::LastFrame => "Last frame".into(),
            Field::Reference(i) => format!("Ref {}", i + 1),
            Field::AddReference => "+ reference".into(),
        }
    }

    /// One line on what the setting means, shown when there is room.
    pub fn help(self) -> &'static str {
        match self {
            Field::Title => "Names the board in the job list; not sent.",
            Field::Mode => {
                "text: prompt only · image: a first frame guides · reference: images named <<<image_N>>> in prompts."
            }
            Field::Model => {
                "The model asked for (reference boards use the -omni variant on kling)."
            }
            Field::Quality => "std or pro (pro costs more).",
            Field::Aspect => "16:9, 9:16 or 1:1. Image mode ignores it: the first frame decides.",
            Field::Cfg => "0–1: how closely the video follows the prompt.",
            Field::Sound => "Generate audio with the video (costs more).",
            Field::Watermark => "Ask the provider to watermark the video.",
            Field::MultiShot => {
                "on: up to 6 shots with their own prompts · off: one prompt for the whole video."
            }
            Field::Duration => "Length of a single-shot video, 3–15 s.",
            Field::FirstFrame => {
                "Image mode: a JPG/PNG path (relative to the board) or an http(s) URL."
            }
            Field::LastFrame => "Image mode, single-shot only: the frame the video ends on.",
            Field::Reference(_) => "Reference mode: prompts name it as <<<image_N>>>.",
            Field::AddReference => "A new reference image: a path or an http(s) URL.",
        }
    }

    /// The keys that act on this row when they are not the usual change/edit, from the table.
    pub fn key_help(self, keys: &Keymap) -> Option<String> {
        let key = |a| keys.key_for(Context::Settings, a);
        match self {
            Field::Reference(_) => Some(format!(
                "{} edits, {} removes.",
                key(Action::EditValue),
                key(Action::ClearValue)
            )),
            Field::AddReference => Some(format!("{} adds one.", key(Action::EditValue))),
            _ => None,
        }
    }

    /// Whether `step` changes it (the others are typed or cleared).
    pub fn steps(self) -> bool {
        !matches!(
            self,
            Field::Title
                | Field::FirstFrame
                | Field::LastFrame
                | Field::Reference(_)
                | Field::AddReference
        )
    }

    /// Whether `clear` empties it.
    pub fn clears(self) -> bool {
        matches!(
            self,
            Field::Title
                | Field::Aspect
                | Field::FirstFrame
                | Field::LastFrame
                | Field::Reference(_)
        )
    }

    /// The finding path this row answers for.
    pub fn path(self) -> Option<String> {
        Some(match self {
            Field::Model => "model".into(),
            Field::Quality => "quality".into(),
            Field::Aspect => "aspect_ratio".into(),
            Field::Cfg => "cfg_scale".into(),
            Field::Duration => "duration".into(),
            Field::FirstFrame => "first_frame".into(),
            Field::LastFrame => "last_frame".into(),
            Field::Reference(i) => format!("references[{i}]"),
            Field::AddReference => "references".into(),
            _ => return None,
        })
    }

    /// The row for a finding path, for "go to finding".
    pub fn for_path(b: &Board, path: &str) -> Option<Field> {
        Field::all(b)
            .into_iter()
            .find(|f| f.path().as_deref() == Some(path))
    }

    pub fn is_text(self) -> bool {
        matches!(
            self,
            Field::Title
                | Field::Model
                | Field::FirstFrame
                | Field::LastFrame
                | Field::Reference(_)
                | Field::AddReference
        )
    }

    pub fn text(self, b: &Board) -> String {
        match self {
            Field::Title => b.title.clone(),
            Field::Model => b.model.clone(),
            Field::FirstFrame => b.first_frame.clone().unwrap_or_default(),
            Field::LastFrame => b.last_frame.clone().unwrap_or_default(),
            Field::Reference(i) => b.references.get(i).cloned().unwrap_or_default(),
            _ => String::new(),
        }
    }

    pub fn value(self, b: &Board) -> String {
        let on = |v: bool| if v { "on" } else { "off" }.to_string();
        match self {
            Field::Mode => b.mode.as_str().into(),
            Field::Quality => b.quality.clone(),
            Field::Aspect => match &b.aspect_ratio {
                Some(r) => r.clone(),
                None => format!("{} (default)", b.effective_aspect_ratio()),
            },
            Field::Cfg => format!("{:.2}", b.cfg_scale),
            Field::Sound => on(b.sound),
            Field::Watermark => on(b.watermark),
            Field::MultiShot => on(b.multi_shot),
            Field::Duration => format!("{} s", super::labels::secs(b.duration)),
            Field::AddReference => String::new(),
            text => {
                let t = text.text(b);
                if t.is_empty() { "—".into() } else { t }
            }
        }
    }

    /// Image rows the current mode does not send.
    pub fn unused(self, b: &Board) -> bool {
        match self {
            Field::FirstFrame | Field::LastFrame => b.mode != Mode::Image,
            Field::Reference(_) | Field::AddReference => b.mode != Mode::Reference,
            _ => false,
        }
    }
}

/// Changes a choice field by one step (toggles ignore the direction).
pub fn step(field: Field, b: &mut Board, dir: i32, limits: &Limits) -> Result<(), String> {
    match field {
        Field::Mode => edit::cycle_mode(b, dir),
        Field::Model => {
            b.model = edit::cycle(&["kling-v3", "kling-v3-omni"], &b.model, dir).into();
        }
        Field::Quality => b.quality = edit::cycle(limits.qualities, &b.quality, dir).into(),
        Field::Aspect => {
            let current = b.effective_aspect_ratio().to_string();
            b.aspect_ratio = Some(edit::cycle(limits.aspect_ratios, &current, dir).into());
        }
        Field::Cfg => edit::nudge_cfg_scale(b, dir, limits),
        Field::Sound => b.sound = !b.sound,
        Field::Watermark => b.watermark = !b.watermark,
        Field::MultiShot => b.multi_shot = !b.multi_shot,
        Field::Duration => {
            edit::change_duration(b, 0, dir, limits)?;
        }
        _ => return Err("press Enter to edit this field".into()),
    }
    Ok(())
}

pub fn clear(field: Field, b: &mut Board) -> Result<(), String> {
    match field {
        Field::Title => b.title.clear(),
        Field::Aspect => b.aspect_ratio = None,
        Field::FirstFrame => b.first_frame = None,
        Field::LastFrame => b.last_frame = None,
        Field::Reference(i) if i < b.references.len() => {
            b.references.remove(i);
        }
        _ => return Err("this setting cannot be cleared; change it with h/l".into()),
    }
    Ok(())
}

pub fn apply_text(field: Field, b: &mut Board, value: String) -> Result<(), String> {
    let opt = |v: String| (!v.is_empty()).then_some(v);
    match field {
        Field::Title => b.title = value,
        Field::Model if value.is_empty() => {
            return Err("the model cannot be empty (e.g. kling-v3)".into());
        }
        Field::Model => b.model = value,
        Field::FirstFrame => b.first_frame = opt(value),
        Field::LastFrame => b.last_frame = opt(value),
        Field::Reference(i) if value.is_empty() && i < b.references.len() => {
            b.references.remove(i);
        }
        Field::Reference(i) if i < b.references.len() => b.references[i] = value,
        Field::AddReference if !value.is_empty() => b.references.push(value),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_clears_say_which_fields_step_and_clear_refuse() {
        let limits = crate::core::Provider::Kling.limits();
        for multi_shot in [true, false] {
            let mut b = Board::starter();
            b.multi_shot = multi_shot;
            b.references.push("ref.png".into());
            for field in Field::all(&b) {
                let label = field.label();
                let stepped = step(field, &mut b.clone(), 1, limits).is_ok();
                assert_eq!(stepped, field.steps(), "{label}");
                assert_eq!(
                    clear(field, &mut b.clone()).is_ok(),
                    field.clears(),
                    "{label}"
                );
            }
        }
    }
}
