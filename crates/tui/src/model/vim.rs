//! The vim commands the `:` palette understands when typed whole.

/// A vim command typed whole in the `:` palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VimCommand {
    /// `:w`: save now.
    Write,
    /// `:q`: quit as `q` does (edits save themselves; a job in flight asks first).
    Quit,
    /// `:wq` / `:x`: save, then quit.
    WriteQuit,
    /// `:q!`: quit without asking: no job question, and edits that may not be written
    /// (a read-only board, a file someone else changed) are dropped, as vim drops them.
    ForceQuit,
}

impl VimCommand {
    pub fn parse(query: &str) -> Option<VimCommand> {
        Some(match query.trim() {
            "w" => VimCommand::Write,
            "q" | "qa" => VimCommand::Quit,
            "wq" | "x" | "wqa" | "xa" => VimCommand::WriteQuit,
            "q!" | "qa!" => VimCommand::ForceQuit,
            _ => return None,
        })
    }
}
