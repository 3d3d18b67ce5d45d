//! Where a key is looked up: one context per pane, the global keys, and one per overlay (and
//! for an open settings field). Each context says whether global keys reach it and whether
//! plain characters are text there, which is what dispatch, the footer and key names follow.

use serde::Deserialize;

use crate::keymap::KeymapError;

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
    /// A settings field open for typing.
    FieldEdit,
    /// Choosing an image file for a settings row.
    ImagePicker,
    /// Choosing an element of the account's library for the board.
    ElementPicker,
    Help,
    Palette,
    Confirm,
    /// A message that asks nothing (a refused submit).
    Notice,
    /// The board changed on disk while there are unsaved edits.
    Conflict,
    /// One job's whole record.
    JobDetails,
    /// Typing a filter over a list (the key help's, a pane's).
    Filter,
    /// The log of the status bar's messages.
    Messages,
    /// Two takes side by side.
    TakeCompare,
    /// What `y` copies: the request, the prompt or the job's file.
    CopyMenu,
}

impl Context {
    pub const ALL: [Context; 20] = [
        Context::Global,
        Context::ShotList,
        Context::Prompt,
        Context::Settings,
        Context::Timeline,
        Context::Preview,
        Context::Queue,
        Context::FieldEdit,
        Context::ImagePicker,
        Context::ElementPicker,
        Context::Help,
        Context::Palette,
        Context::Confirm,
        Context::Notice,
        Context::Conflict,
        Context::JobDetails,
        Context::Filter,
        Context::Messages,
        Context::TakeCompare,
        Context::CopyMenu,
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
            Context::FieldEdit => "field_edit",
            Context::Help => "help",
            Context::Palette => "palette",
            Context::Confirm => "confirm",
            Context::Notice => "notice",
            Context::Conflict => "conflict",
            Context::JobDetails => "job_details",
            Context::Filter => "filter",
            Context::ImagePicker => "image_picker",
            Context::ElementPicker => "element_picker",
            Context::Messages => "messages",
            Context::TakeCompare => "take_compare",
            Context::CopyMenu => "copy_menu",
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
            Context::FieldEdit => "Editing a setting",
            Context::Help => "Key help",
            Context::Palette => "Command palette",
            Context::Confirm => "Confirmation",
            Context::Notice => "Notice",
            Context::Conflict => "Changed on disk",
            Context::JobDetails => "Job details",
            Context::Filter => "Typing a filter",
            Context::ImagePicker => "Image picker",
            Context::ElementPicker => "Element library",
            Context::Messages => "Message log",
            Context::TakeCompare => "Comparing takes",
            Context::CopyMenu => "Copy menu",
        }
    }

    /// The six pane contexts (what the palette offers, with the global keys).
    pub fn is_pane(self) -> bool {
        !matches!(self, Context::Global | Context::FieldEdit) && !self.is_overlay()
    }

    /// Overlays are modal: they take every key and global keys do not act under them.
    pub fn is_overlay(self) -> bool {
        matches!(
            self,
            Context::Help
                | Context::Palette
                | Context::Confirm
                | Context::Notice
                | Context::Conflict
                | Context::JobDetails
                | Context::TakeCompare
                | Context::Filter
                | Context::ImagePicker
                | Context::ElementPicker
                | Context::Messages
                | Context::CopyMenu
        )
    }

    /// Where plain characters (and space) are text, never actions.
    pub fn is_typing(self) -> bool {
        matches!(
            self,
            Context::Prompt
                | Context::FieldEdit
                | Context::Palette
                | Context::Filter
                | Context::ImagePicker
                | Context::ElementPicker
        )
    }

    /// Whether a key this context leaves unbound is looked up among the global keys.
    pub fn reaches_global(self) -> bool {
        self != Context::Global && !self.is_overlay()
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn parse(name: &str) -> Result<Context, KeymapError> {
        Context::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| KeymapError::UnknownContext {
                name: name.to_string(),
            })
    }
}
