//! Everything a key (or the command palette) can ask the UI to do.
//!
//! Actions are data: the keymap table names them in snake_case, the help overlay and the
//! palette show their descriptions, and code only ever `match`es on the enum. Text typed into
//! an editor is not an action: it goes straight to the focused text field.

use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($($(#[$meta:meta])* $variant:ident => $desc:literal,)+) => {
        /// One bindable command. The serde name (snake_case) is what keymap files use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Action {
            $($(#[$meta])* $variant,)+
        }

        impl Action {
            /// Every action, in the order the palette lists them.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// One line saying what the action does.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $desc,)+
                }
            }
        }
    };
}

actions! {
    Quit => "Quit (asks first while a job is in flight)",
    ToggleHelp => "Show or hide the key help",
    OpenPalette => "Open the command palette",
    FocusNext => "Focus the next pane",
    FocusPrev => "Focus the previous pane",
    FocusShots => "Focus the shot list",
    FocusPrompt => "Focus the prompt editor",
    FocusSettings => "Focus the settings",
    FocusTimeline => "Focus the timeline and findings",
    FocusPreview => "Focus the request preview",
    FocusQueue => "Focus the job queue",
    Suspend => "Suspend shotdeck (the shell's `fg` brings it back)",
    Undo => "Undo the last edit",
    Redo => "Redo the last undone edit",
    Save => "Save the board now",
    Submit => "Submit the board (asks for confirmation)",
    ToggleProvider => "Switch the provider (kling / gateway / newapi / kling-relay)",
    ReprobeImages => "Read the image files again (after changing them on disk)",
    SelectNext => "Move the selection down",
    SelectPrev => "Move the selection up",
    SelectFirst => "Jump to the first item",
    SelectLast => "Jump to the last item",
    PageDown => "Scroll down a page",
    PageUp => "Scroll up a page",
    AddShot => "Add a shot after the selected one",
    DeleteShot => "Delete the selected shot",
    DuplicateShot => "Duplicate the selected shot",
    MoveShotUp => "Move the selected shot up",
    MoveShotDown => "Move the selected shot down",
    SplitShot => "Split the selected shot in two (prompt copied, duration halved)",
    DurationUp => "Lengthen the selected shot by 1 s",
    DurationDown => "Shorten the selected shot by 1 s",
    SpreadDurations => "Spread the total duration evenly across the shots",
    EditPrompt => "Edit the prompt",
    EditNegative => "Edit the negative prompt",
    LeaveEditor => "Stop editing and go back to the shot list",
    NextShot => "Edit the next shot's prompt",
    PrevShot => "Edit the previous shot's prompt",
    ToggleNegative => "Switch between the prompt and the negative prompt",
    ValueNext => "Next value of the selected setting",
    ValuePrev => "Previous value of the selected setting",
    EditValue => "Toggle or edit the selected setting",
    ClearValue => "Clear the selected setting (or remove the reference)",
    AddReference => "Add a reference image",
    MoveReferenceUp => "Move the selected reference up (its <<<image_N>>> tokens follow it)",
    MoveReferenceDown => "Move the selected reference down (its <<<image_N>>> tokens follow it)",
    PickImage => "Pick an image file under the board's folder (fuzzy search)",
    PickElement => "Add an element from the account's library (Kling's element list)",
    CompletePath => "Complete the typed path (again: the next match)",
    InsertImageToken => "Insert the selected reference's <<<image_N>>> at the prompt cursor",
    CycleImageToken => "Insert <<<image_1>>> at the cursor; again: the next reference",
    JumpToFinding => "Go to what the selected finding is about",
    RetryJob => "Retry the selected failed job (as a new job)",
    RedownloadJob => "Download the selected job's videos again",
    OpenResult => "Open the selected job's video",
    CopyUrl => "Copy the selected job's video URL (OSC 52)",
    ToggleAllBoards => "Show jobs of all boards or only this one",
    RefreshJobs => "Reload the job list from the store",
    ShowJobDetails => "Show the selected job's whole record",
    ToggleKeeper => "Make the selected take its board's keeper, or clear the mark",
    MarkCompare => "Mark the selected take for comparison (again on another take compares)",
    CompareTakes => "Compare the marked take with the selected one",
    ToggleZoom => "Zoom the focused pane to the whole screen and back",
    ShowMessages => "Show the last messages (the status bar keeps only one)",
    Filter => "Filter the list (type; Esc clears, Enter keeps)",
    Close => "Close the overlay",
    RunCommand => "Run the selected command",
    Confirm => "Yes: go ahead (or apply the edited value)",
    Cancel => "No: close without doing it (or drop the edit)",
    ReloadBoard => "Take the version on disk (your unsaved edits stay one undo away)",
    KeepMine => "Write your version over the one on disk",
    SaveAs => "Save your version under another name",
    TakesCount => "Submit as many takes (variants) as the digit says",
    EditExternal => "Write the prompt (from Shots or Prompt) or the whole board in $VISUAL / $EDITOR",
    CopyMenu => "Copy the request JSON, the shot's prompt or the job's file path (OSC 52)",
    CopyRequest => "Copy the request JSON as composed for the provider (no keys in it)",
    CopyPrompt => "Copy the selected shot's prompt",
    CopyPath => "Copy the selected job's video file path",
}

impl Action {
    /// The snake_case name used in keymap files and the palette.
    pub fn name(self) -> String {
        // Serializing a unit variant to a string cannot fail.
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Actions that only mean something inside an overlay or an open field: the palette
    /// does not offer them.
    pub fn overlay_only(self) -> bool {
        matches!(
            self,
            Action::Close
                | Action::RunCommand
                | Action::Confirm
                | Action::Cancel
                | Action::ReloadBoard
                | Action::KeepMine
                | Action::SaveAs
                | Action::CompletePath
                | Action::TakesCount
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_and_round_trip() {
        for &a in Action::ALL {
            let name = a.name();
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
            let back: Action = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(back, a);
            assert!(!a.description().is_empty());
        }
        assert_eq!(Action::SplitShot.name(), "split_shot");
    }
}
