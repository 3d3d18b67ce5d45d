//! `E`: the shot's prompt (or the whole board) written in the user's own editor. The text
//! goes to a private temp file, the editor runs on the real terminal (the loop hands it
//! over as for Ctrl-Z, see [`super::event_loop::Outside::external`]) without the keys in its
//! environment, and what comes back takes the same way in as typing: a long prompt is kept
//! and flagged, a board must parse exactly or nothing changes (and the text is kept for the
//! next `E`, never lost). One undo step either way.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use crate::app::App;
use crate::keymap::Context;
use crate::keymap::action::Action;
use crate::model::history::EditKind;
use crate::model::msg::PaneId;
use crate::panes::prompt_editor::{PromptField, Target};
use shotdeck_files::board_file;

/// What `E` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EditTarget {
    Prompt(PromptField, Target),
    Board,
}

/// A pending `E`: the loop runs the editor on `text` and hands the outcome back.
#[derive(Debug, Clone)]
pub struct ExternalEdit {
    pub(crate) target: EditTarget,
    pub(crate) text: String,
}

/// How the editor run ended.
#[derive(Debug)]
pub enum EditorOutcome {
    /// The editor exited 0; the file's text.
    Written(String),
    /// The editor exited otherwise (`:cq` in vim): nothing is taken.
    Failed(ExitStatus),
    /// The file or the editor could not be handled.
    Error(io::Error),
}

/// Runs a command on the real terminal and says how it ended.
pub type RunOutside = dyn FnMut(&mut Command) -> io::Result<ExitStatus> + Send;

/// `$VISUAL`, else `$EDITOR`, else `vi`, as git and crontab choose.
pub(crate) fn editor_program(var: impl Fn(&str) -> Option<String>) -> String {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(var)
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// The editor through `sh`, like git: `$EDITOR` may carry arguments (`code --wait`).
fn editor_command(program: &str, file: &Path) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{program} \"$1\""))
        .arg("shotdeck-editor")
        .arg(file);
    crate::host::remove_secret_env(&mut cmd, std::env::vars_os().map(|(k, _)| k));
    cmd
}

/// A new file only this user can read (a prompt may be unpublished work), in the temp dir.
fn private_file(text: &str, ext: &str) -> io::Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = std::env::temp_dir();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!("shotdeck-{}-{stamp}.{ext}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    f.write_all(text.as_bytes())?;
    Ok(path)
}

/// Writes `edit`'s text to a private file, runs the editor on it through `run` and reads
/// the file back; the file is removed whatever happened.
pub fn run_editor(
    edit: &ExternalEdit,
    run: &mut dyn FnMut(&mut Command) -> io::Result<ExitStatus>,
) -> EditorOutcome {
    let ext = match edit.target {
        EditTarget::Board => "json",
        EditTarget::Prompt(..) => "txt",
    };
    let path = match private_file(&edit.text, ext) {
        Ok(p) => p,
        Err(e) => return EditorOutcome::Error(e),
    };
    let program = editor_program(|v| std::env::var(v).ok());
    let outcome = match run(&mut editor_command(&program, &path)) {
        Ok(status) if status.success() => match std::fs::read_to_string(&path) {
            Ok(text) => EditorOutcome::Written(text),
            Err(e) => EditorOutcome::Error(e),
        },
        Ok(status) => EditorOutcome::Failed(status),
        Err(e) => EditorOutcome::Error(e),
    };
    let _ = std::fs::remove_file(&path);
    outcome
}

/// Editors end a file with a newline the prompt never had; a paste's line ends as typing's.
fn as_prompt(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

impl App {
    /// `E`: from the shot list or the prompt editor the prompt it shows, elsewhere the whole
    /// board (or the text of a board that did not parse last time).
    pub(crate) fn request_external(&mut self) {
        let doc = &self.model.doc;
        let target = match self.focus {
            PaneId::Shots | PaneId::Prompt => {
                let field = if self.focus == PaneId::Prompt {
                    self.panes.prompt.field
                } else {
                    PromptField::Prompt
                };
                let target = Target::of(doc);
                if field == PromptField::Prompt && target == Target::Nothing {
                    return self.toast_error("no shot to write a prompt for: add one first");
                }
                EditTarget::Prompt(field, target)
            }
            _ => EditTarget::Board,
        };
        let text = match target {
            EditTarget::Prompt(PromptField::Negative, _) => doc.board().negative_prompt.clone(),
            EditTarget::Prompt(_, t) => t.text(doc.board()).to_string(),
            EditTarget::Board => self
                .kept_board_text
                .clone()
                .unwrap_or_else(|| board_file::to_json(doc.board())),
        };
        self.model.doc.break_burst();
        self.external = Some(ExternalEdit { target, text });
    }

    /// The `E` the loop has to run, if any.
    pub fn take_external(&mut self) -> Option<ExternalEdit> {
        self.external.take()
    }

    /// Takes the editor's text back through the same checks as typing.
    pub fn external_done(&mut self, edit: ExternalEdit, outcome: EditorOutcome) {
        self.dirty = true;
        let text = match outcome {
            EditorOutcome::Written(text) => text,
            EditorOutcome::Failed(status) => {
                return self
                    .toast_error(format!("the editor exited with {status}: nothing changed"));
            }
            EditorOutcome::Error(e) => {
                return self.toast_error(format!("cannot run the editor: {e}; nothing changed"));
            }
        };
        let undo = self.env.keymap.key_for(Context::Global, Action::Undo);
        match edit.target {
            EditTarget::Prompt(field, target) => self.take_prompt(field, target, as_prompt(&text)),
            EditTarget::Board => match board_file::parse(&text, self.model.doc.path()) {
                Ok(board) => {
                    self.kept_board_text = None;
                    if &board == self.model.doc.board() {
                        return self.toast_info("board unchanged");
                    }
                    let now = self.now;
                    let _ = self.model.doc.edit(EditKind::Discrete, now, |b, _| {
                        *b = board;
                        Ok(())
                    });
                    self.panes.prompt.sync(&self.model.doc);
                    self.toast_info(format!("board taken from the editor ({undo} undoes)"));
                }
                Err(e) => {
                    self.kept_board_text = Some(text);
                    let again = self
                        .env
                        .keymap
                        .key_for(Context::Global, Action::EditExternal);
                    self.toast_error(format!(
                        "board not changed: {e} (your text is kept: {again} reopens it)"
                    ));
                }
            },
        }
    }

    fn take_prompt(&mut self, field: PromptField, target: Target, text: String) {
        let now = self.now;
        let limits = self.model.doc.limits();
        let (what, max) = match (field, target) {
            (PromptField::Negative, _) => ("negative prompt".to_string(), limits.prompt_max_chars),
            (_, Target::Shot(i)) => (
                format!("Shot {} prompt", i + 1),
                limits.shot_prompt_max_chars,
            ),
            _ => ("prompt".to_string(), limits.prompt_max_chars),
        };
        let len = text.chars().count();
        let result = self.model.doc.edit(EditKind::Discrete, now, move |b, _| {
            match (field, target) {
                (PromptField::Negative, _) => b.negative_prompt = text,
                (_, Target::Shot(i)) => match b.shots.get_mut(i) {
                    Some(shot) => shot.prompt = text,
                    None => return Err(crate::model::edit::Refusal::NoShotSelected),
                },
                _ => b.prompt = text,
            }
            Ok(())
        });
        self.panes.prompt.sync(&self.model.doc);
        if let Err(e) = result {
            return self.toast_error(format!("{what} not changed: {e}"));
        }
        let over = if len > max {
            " — over the limit, flagged"
        } else {
            ""
        };
        self.toast_info(format!("{what} taken from the editor ({len}/{max}{over})"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visual_before_editor_before_vi() {
        let vars = |v: &[(&str, &str)]| {
            let v: Vec<(String, String)> = v
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            editor_program(move |name| v.iter().find(|(k, _)| k == name).map(|(_, x)| x.clone()))
        };
        assert_eq!(vars(&[("VISUAL", "nvim"), ("EDITOR", "nano")]), "nvim");
        assert_eq!(vars(&[("VISUAL", " "), ("EDITOR", "nano")]), "nano");
        assert_eq!(vars(&[]), "vi");
    }

    #[test]
    fn the_editor_gets_no_keys_and_the_file_is_private_and_removed() {
        let edit = ExternalEdit {
            target: EditTarget::Board,
            text: "{}".into(),
        };
        let mut seen = None;
        let outcome = run_editor(&edit, &mut |cmd: &mut Command| {
            let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
            let file = PathBuf::from(args.last().cloned().unwrap_or_default());
            let mode =
                std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file)?.permissions());
            std::fs::write(&file, "{\"edited\": 1}\n")?;
            seen = Some((file, mode & 0o777));
            Command::new("true").status()
        });
        let (file, mode) = seen.unwrap();
        assert_eq!(mode, 0o600);
        assert!(!file.exists(), "the temp file is removed");
        assert!(matches!(outcome, EditorOutcome::Written(t) if t == "{\"edited\": 1}\n"));
        let failed = run_editor(&edit, &mut |_: &mut Command| Command::new("false").status());
        assert!(matches!(failed, EditorOutcome::Failed(_)));
    }

    #[test]
    fn a_prompt_loses_the_editors_last_newline_only() {
        assert_eq!(as_prompt("a\r\nb\n"), "a\nb");
        assert_eq!(as_prompt("a\n\n"), "a\n");
    }
}
