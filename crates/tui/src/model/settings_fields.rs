//! The rows of the settings pane: what each shows, what it means, and how it changes.
//! Pure functions of the board; the pane in `settings.rs` decides when to call them.

use crate::keymap::action::Action;
use crate::keymap::{Context, Keymap};
use crate::model::edit::{self, Refusal};
use shotdeck_core::elements::remove_element;
use shotdeck_core::model::{Board, Mode, ShotType};
use shotdeck_core::models::{self, MODELS};
use shotdeck_core::renumber::{self, Renumbered};
use shotdeck_core::{FieldPath, Limits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingField {
    Title,
    Mode,
    Model,
    Quality,
    Aspect,
    Cfg,
    Sound,
    Watermark,
    MultiShot,
    /// Custom or auto; only while multi-shot is on.
    ShotType,
    Duration,
    FirstFrame,
    LastFrame,
    Reference(usize),
    AddReference,
    /// One of the board's elements (shown only when it has some).
    Element(usize),
}

impl SettingField {
    /// The rows the board currently has.
    pub fn all(b: &Board) -> Vec<SettingField> {
        let mut v = vec![
            SettingField::Title,
            SettingField::Mode,
            SettingField::Model,
            SettingField::Quality,
            SettingField::Aspect,
            SettingField::Cfg,
            SettingField::Sound,
            SettingField::Watermark,
            SettingField::MultiShot,
        ];
        if b.multi_shot {
            v.push(SettingField::ShotType);
        }
        // Auto boards have one duration, like single-shot ones.
        if !b.uses_shot_list() {
            v.push(SettingField::Duration);
        }
        v.extend([SettingField::FirstFrame, SettingField::LastFrame]);
        v.extend((0..b.references.len()).map(SettingField::Reference));
        v.push(SettingField::AddReference);
        v.extend((0..b.elements.len()).map(SettingField::Element));
        v
    }

    pub fn label(self) -> String {
        match self {
            SettingField::Title => "Title".into(),
            SettingField::Mode => "Mode".into(),
            SettingField::Model => "Model".into(),
            SettingField::Quality => "Quality".into(),
            SettingField::Aspect => "Aspect".into(),
            SettingField::Cfg => "CFG scale".into(),
            SettingField::Sound => "Sound".into(),
            SettingField::Watermark => "Watermark".into(),
            SettingField::MultiShot => "Multi-shot".into(),
            SettingField::ShotType => "Shots".into(),
            SettingField::Duration => "Duration".into(),
            SettingField::FirstFrame => "First frame".into(),
            SettingField::LastFrame => "Last frame".into(),
            SettingField::Reference(i) => format!("Ref {}", i + 1),
            SettingField::AddReference => "+ reference".into(),
            SettingField::Element(i) => format!("Element {}", i + 1),
        }
    }

    /// One line on what the setting means, shown when there is room.
    pub fn help(self) -> &'static str {
        match self {
            SettingField::Title => "Names the board in the job list; not sent.",
            SettingField::Mode => {
                "text: prompt only · image: a first frame guides · reference: images named <<<image_N>>> in prompts."
            }
            SettingField::Model => {
                "One of the model table (reference boards use the -omni variant on kling)."
            }
            SettingField::Quality => "std, pro or 4k where the model has it (each costs more).",
            SettingField::Aspect => {
                "16:9, 9:16 or 1:1. Image mode ignores it: the first frame decides."
            }
            SettingField::Cfg => "0–1: how closely the video follows the prompt.",
            SettingField::Sound => "Generate audio with the video (costs more).",
            SettingField::Watermark => "Ask the provider to watermark the video.",
            SettingField::MultiShot => {
                "on: up to 6 shots with their own prompts · off: one prompt for the whole video."
            }
            SettingField::ShotType => {
                "custom: your shot list · auto: one prompt, the model cuts the shots."
            }
            SettingField::Duration => "Length of a single-shot or auto video, 3–15 s.",
            SettingField::FirstFrame => {
                "Image mode (optional with references): a JPG/PNG path or an http(s) URL."
            }
            SettingField::LastFrame => {
                "Image or reference mode, single-shot only: the frame the video ends on."
            }
            SettingField::Reference(_) => "Reference mode: prompts name it as <<<image_N>>>.",
            SettingField::AddReference => "A new reference image: a path or an http(s) URL.",
            SettingField::Element(_) => {
                "An element of your Kling library (`shotdeck elements list`): prompts name it as <<<element_N>>>."
            }
        }
    }

    /// The keys that act on this row when they are not the usual change/edit, from the table.
    pub fn key_help(self, keys: &Keymap) -> Option<String> {
        let key = |a| keys.key_for(Context::Settings, a);
        match self {
            SettingField::Reference(_) => Some(format!(
                "{} edits, {} removes.",
                key(Action::EditValue),
                key(Action::ClearValue)
            )),
            SettingField::AddReference => Some(format!("{} adds one.", key(Action::EditValue))),
            SettingField::Element(_) => Some(format!(
                "{} removes it (its <<<element_N>>> tokens are renumbered).",
                key(Action::ClearValue)
            )),
            _ => None,
        }
    }

    /// Whether `step` changes it (the others are typed or cleared).
    pub fn steps(self) -> bool {
        !matches!(
            self,
            SettingField::Title
                | SettingField::FirstFrame
                | SettingField::LastFrame
                | SettingField::Reference(_)
                | SettingField::AddReference
                | SettingField::Element(_)
        )
    }

    /// Whether `clear` empties it.
    pub fn clears(self) -> bool {
        matches!(
            self,
            SettingField::Title
                | SettingField::Aspect
                | SettingField::FirstFrame
                | SettingField::LastFrame
                | SettingField::Reference(_)
                | SettingField::Element(_)
        )
    }

    /// The board field this row shows, and so the findings it answers for.
    pub fn path(self) -> FieldPath {
        match self {
            SettingField::Title => FieldPath::Title,
            SettingField::Mode => FieldPath::Mode,
            SettingField::Model => FieldPath::Model,
            SettingField::Quality => FieldPath::Quality,
            SettingField::Aspect => FieldPath::AspectRatio,
            SettingField::Cfg => FieldPath::CfgScale,
            SettingField::Sound => FieldPath::Sound,
            SettingField::Watermark => FieldPath::Watermark,
            SettingField::MultiShot => FieldPath::MultiShot,
            SettingField::ShotType => FieldPath::ShotType,
            SettingField::Duration => FieldPath::Duration,
            SettingField::FirstFrame => FieldPath::FirstFrame,
            SettingField::LastFrame => FieldPath::LastFrame,
            SettingField::Reference(i) => FieldPath::Reference(i),
            SettingField::AddReference => FieldPath::References,
            SettingField::Element(i) => FieldPath::Element(i),
        }
    }

    /// The row for a finding path, for "go to finding".
    pub fn for_path(b: &Board, path: FieldPath) -> Option<SettingField> {
        SettingField::all(b).into_iter().find(|f| f.path() == path)
    }

    /// Text fields that hold a file path or URL (Tab completes them).
    pub fn is_path(self) -> bool {
        self.is_text() && self != SettingField::Title
    }

    pub fn is_text(self) -> bool {
        matches!(
            self,
            SettingField::Title
                | SettingField::FirstFrame
                | SettingField::LastFrame
                | SettingField::Reference(_)
                | SettingField::AddReference
        )
    }

    pub fn text(self, b: &Board) -> String {
        match self {
            SettingField::Title => b.title.clone(),
            SettingField::FirstFrame => b.first_frame.clone().unwrap_or_default(),
            SettingField::LastFrame => b.last_frame.clone().unwrap_or_default(),
            SettingField::Reference(i) => b.references.get(i).cloned().unwrap_or_default(),
            _ => String::new(),
        }
    }

    pub fn value(self, b: &Board) -> String {
        let on = |v: bool| if v { "on" } else { "off" }.to_string();
        match self {
            SettingField::Mode => b.mode.as_str().into(),
            SettingField::Model => b.model.clone(),
            SettingField::ShotType => b.shot_type.as_str().into(),
            SettingField::Quality => b.quality.clone(),
            SettingField::Aspect => match &b.aspect_ratio {
                Some(r) => r.clone(),
                None => format!("{} (default)", b.effective_aspect_ratio()),
            },
            SettingField::Cfg => format!("{:.2}", b.cfg_scale),
            SettingField::Sound => on(b.sound),
            SettingField::Watermark => on(b.watermark),
            SettingField::MultiShot => on(b.multi_shot),
            SettingField::Duration => format!("{} s", crate::labels::secs(b.duration)),
            SettingField::AddReference => String::new(),
            SettingField::Element(i) => match b.elements.get(i) {
                Some(e) if e.name.is_empty() => format!("id {}", e.id),
                Some(e) => format!("{} (id {})", e.name, e.id),
                None => "—".into(),
            },
            text => {
                let t = text.text(b);
                if t.is_empty() { "—".into() } else { t }
            }
        }
    }

    /// Image rows the current mode does not send.
    pub fn unused(self, b: &Board) -> bool {
        match self {
            SettingField::FirstFrame | SettingField::LastFrame => b.mode == Mode::Text,
            SettingField::Reference(_) | SettingField::AddReference => b.mode != Mode::Reference,
            _ => false,
        }
    }
}

/// Changes a choice field by one step (toggles ignore the direction).
pub fn step(field: SettingField, b: &mut Board, dir: i32, limits: &Limits) -> Result<(), Refusal> {
    match field {
        SettingField::Mode => edit::cycle_mode(b, dir),
        SettingField::Model => {
            b.model = edit::cycle(&models::names(MODELS), &b.model, dir).into();
        }
        SettingField::Quality => b.quality = edit::cycle(&limits.qualities, &b.quality, dir).into(),
        SettingField::Aspect => {
            let current = b.effective_aspect_ratio().to_string();
            b.aspect_ratio = Some(edit::cycle(limits.aspect_ratios, &current, dir).into());
        }
        SettingField::Cfg => edit::nudge_cfg_scale(b, dir, limits),
        SettingField::Sound => b.sound = !b.sound,
        SettingField::Watermark => b.watermark = !b.watermark,
        SettingField::MultiShot => b.multi_shot = !b.multi_shot,
        SettingField::ShotType => {
            let names = ShotType::ALL.map(ShotType::as_str);
            let next = edit::cycle(&names, b.shot_type.as_str(), dir);
            b.shot_type = ShotType::ALL
                .into_iter()
                .find(|t| t.as_str() == next)
                .unwrap_or_default();
        }
        SettingField::Duration => {
            edit::change_duration(b, 0, dir, limits)?;
        }
        _ => return Err(Refusal::NotAChoice),
    }
    Ok(())
}

/// Clears the field. Removing a reference renumbers the `<<<image_N>>>` tokens with it
/// (what was rewritten comes back, for the status line).
pub fn clear(field: SettingField, b: &mut Board) -> Result<Renumbered, Refusal> {
    match field {
        SettingField::Title => b.title.clear(),
        SettingField::Aspect => b.aspect_ratio = None,
        SettingField::FirstFrame => b.first_frame = None,
        SettingField::LastFrame => b.last_frame = None,
        SettingField::Reference(i) if i < b.references.len() => {
            return Ok(renumber::remove_reference(b, i));
        }
        SettingField::Element(i) => {
            return remove_element(b, i).ok_or(Refusal::NotClearable);
        }
        _ => return Err(Refusal::NotClearable),
    }
    Ok(Renumbered::default())
}

/// Sets a text field; an emptied reference is removed as [`clear`] removes it.
pub fn apply_text(
    field: SettingField,
    b: &mut Board,
    value: String,
) -> Result<Renumbered, Refusal> {
    let opt = |v: String| (!v.is_empty()).then_some(v);
    match field {
        SettingField::Title => b.title = value,
        SettingField::FirstFrame => b.first_frame = opt(value),
        SettingField::LastFrame => b.last_frame = opt(value),
        SettingField::Reference(i) if value.is_empty() && i < b.references.len() => {
            return Ok(renumber::remove_reference(b, i));
        }
        SettingField::Reference(i) if i < b.references.len() => b.references[i] = value,
        SettingField::AddReference if !value.is_empty() => b.references.push(value),
        _ => {}
    }
    Ok(Renumbered::default())
}

#[cfg(test)]
#[path = "settings_fields_elements.rs"]
mod elements_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_clears_say_which_fields_step_and_clear_refuse() {
        let limits = &shotdeck_core::Provider::Kling.limits_for("kling-v3");
        for multi_shot in [true, false] {
            let mut b = Board::starter();
            b.multi_shot = multi_shot;
            b.references.push("ref.png".into());
            b.elements
                .push(shotdeck_core::model::ElementRef::new("7", "Hat"));
            for field in SettingField::all(&b) {
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

    #[test]
    fn model_cycles_through_the_table_and_shots_appear_with_multi_shot() {
        let limits = &shotdeck_core::Provider::Kling.limits_for("kling-v3");
        let mut b = Board::starter();
        assert!(!SettingField::Model.is_text());
        step(SettingField::Model, &mut b, 1, limits).unwrap();
        assert_eq!(b.model, "kling-v3-omni");
        step(SettingField::Model, &mut b, 1, limits).unwrap();
        assert_eq!(b.model, "kling-v3-turbo");
        step(SettingField::Model, &mut b, 1, limits).unwrap();
        assert_eq!(b.model, models::DEFAULT_MODEL);

        let rows = SettingField::all(&b);
        assert!(rows.contains(&SettingField::ShotType));
        assert!(!rows.contains(&SettingField::Duration));
        step(SettingField::ShotType, &mut b, 1, limits).unwrap();
        assert_eq!(SettingField::ShotType.value(&b), "auto");
        assert!(SettingField::all(&b).contains(&SettingField::Duration));
        b.multi_shot = false;
        assert!(!SettingField::all(&b).contains(&SettingField::ShotType));
    }

    #[test]
    fn quality_offers_4k_from_the_table() {
        let limits = &shotdeck_core::Provider::Kling.limits_for("kling-v3");
        let mut b = Board::starter();
        step(SettingField::Quality, &mut b, -1, limits).unwrap();
        assert_eq!(b.quality, "4k");
    }
}
