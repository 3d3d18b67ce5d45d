//! The settings pane's image preview, as the app drives it: which image the selected row
//! names is asked for after every event, and the answers arrive from the preview service.

use std::time::{Duration, Instant};

use tokio::sync::mpsc::Receiver;

use crate::app::App;
use crate::model::settings_fields::SettingField;
use crate::panes::previews::PreviewState;
use shotdeck_files::preview::{PreviewReady, PreviewWish};

impl App {
    /// The receiver the event loop waits on for decoded previews.
    pub fn take_preview_events(&mut self) -> Option<Receiver<PreviewReady>> {
        self.panes.previews.ready.take()
    }

    /// Asks for the selected settings row's image when it changed (after every event).
    pub(crate) fn sync_preview(&mut self) {
        let board = self.model.doc.board();
        let fields = SettingField::all(board);
        let field = fields[self.panes.settings.selected.min(fields.len() - 1)];
        let wish = match field {
            SettingField::FirstFrame | SettingField::LastFrame | SettingField::Reference(_) => {
                let reference = field.text(board).trim().to_string();
                (!reference.is_empty() && self.panes.previews.draws_pictures()).then(|| {
                    PreviewWish {
                        board_dir: self.model.doc.board_dir().to_path_buf(),
                        reference,
                    }
                })
            }
            SettingField::Element(i) => {
                if self.sync_element_preview(i) {
                    self.dirty = true;
                }
                return;
            }
            _ => None,
        };
        if self.panes.previews.want(wish) {
            self.dirty = true;
        }
    }

    /// A decoded preview (or why there is none) arrived: one redraw if it is still wanted.
    pub fn on_preview_ready(&mut self, ready: PreviewReady) {
        if self.panes.previews.accept(ready) {
            self.dirty = true;
        }
    }

    /// For tests and scripted runs without the loop: applies the answers already sent and
    /// waits up to `timeout` for the wanted preview's. True once it is in.
    pub fn settle_preview(&mut self, timeout: Duration) -> bool {
        self.sync_preview();
        let until = Instant::now() + timeout;
        loop {
            let Some(rx) = self.panes.previews.ready.as_mut() else {
                return false;
            };
            let next = rx.try_recv();
            match next {
                Ok(ready) => self.on_preview_ready(ready),
                Err(_) if !matches!(self.panes.previews.state, Some(PreviewState::Loading)) => {
                    return true;
                }
                Err(_) if Instant::now() >= until => return false,
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }
}
