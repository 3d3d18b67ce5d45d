//! What `y` copies through the terminal (OSC 52, see [`crate::host::copy_sequence`]): the
//! request as the preview shows it, the shot's prompt, the job's file path, a video URL.

use crate::app::App;
use crate::keymap::action::Action;
use crate::panes::prompt_editor::Target;

impl App {
    /// `r`, `p` or `f` in the copy menu (or the palette's copy commands).
    pub(crate) fn copy_action(&mut self, action: Action) {
        let doc = &self.model.doc;
        let picked = match action {
            // The preview's text: what compose sends, which never holds a key (the
            // credentials go in headers, added only when sending).
            Action::CopyRequest => match &doc.derived().preview {
                Ok(p) => Ok((
                    "request JSON".to_string(),
                    p.lines
                        .iter()
                        .map(|l| format!("{}{}", l.key, l.rest))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )),
                Err(e) => Err(format!("no request to copy: {e}")),
            },
            Action::CopyPrompt => match Target::of(doc) {
                Target::Nothing => Err("no shot selected: no prompt to copy".to_string()),
                Target::Shot(i) => Ok((
                    format!("Shot {} prompt", i + 1),
                    doc.board().shots[i].prompt.clone(),
                )),
                Target::Single => Ok(("prompt".to_string(), doc.board().prompt.clone())),
            },
            Action::CopyPath => {
                let id = self
                    .panes
                    .queue
                    .selected_id(&self.model.jobs, doc.identity());
                let job = id.and_then(|id| self.model.jobs.get(id));
                match job.and_then(|j| j.files.iter().find(|f| f.complete)) {
                    Some(file) => Ok(("file path".to_string(), file.path.display().to_string())),
                    None => Err("the selected job has no downloaded video yet".to_string()),
                }
            }
            _ => return,
        };
        match picked {
            Ok((what, text)) => self.copy_text(&what, &text),
            Err(why) => self.toast_error(why),
        }
    }

    /// Copies `text` and says what and how much, or why not.
    pub(crate) fn copy_text(&mut self, what: &str, text: &str) {
        match self.env.host.copy(text) {
            Ok(()) => self.toast_info(format!(
                "{what} copied (OSC 52, {})",
                crate::labels::file_size(text.len() as u64)
            )),
            Err(e) => self.toast_error(e.to_string()),
        }
    }
}
