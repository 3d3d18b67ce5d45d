//! The settings pane's image preview as the app tracks it: which image the selected row
//! names, the answer the preview service sent for it, and the terminal graphics encoding of
//! that answer for the area it was last drawn in. Nothing here reads a file: the service in
//! `files::preview` does, on its own thread.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;
use ratatui_image::{Image, Resize};
use tokio::sync::mpsc::{Receiver, channel};

use crate::panes::settings::SettingField;
use crate::state::app::App;
use shotdeck_files::config::ImagesMode;
use shotdeck_files::preview::{Preview, PreviewError, PreviewReady, PreviewService, PreviewWish};

/// Decoded previews the loop has not taken yet (see [`Previews::new`]).
const PREVIEWS_READY: usize = 4;

/// What the pane shows for the selected image row.
#[derive(Debug, Clone)]
pub enum PreviewState {
    /// Asked for, not answered yet.
    Loading,
    Ready(Arc<Preview>),
    Failed(PreviewError),
}

pub struct Previews {
    mode: ImagesMode,
    picker: Picker,
    service: PreviewService,
    /// Results, until the event loop takes the receiver to wait on it.
    ready: Option<Receiver<PreviewReady>>,
    wanted: Option<PreviewWish>,
    state: Option<PreviewState>,
    /// The last encoding, for the cells it was made for: a frame that draws the same image
    /// in the same place sends the same cells, which the diff then leaves out.
    encoded: RefCell<Option<(Rect, Protocol)>>,
}

impl Previews {
    /// `picker` is the terminal's answer to the graphics query; `None` is half-blocks.
    pub fn new(mode: ImagesMode, picker: Option<Picker>) -> Previews {
        // Decoded previews waiting for the loop: the decoder waits for room (it has
        // nothing else to do, and the newest wish wins once it goes on).
        let (tx, rx) = channel(PREVIEWS_READY);
        Previews {
            mode,
            picker: picker.unwrap_or_else(Picker::halfblocks),
            service: PreviewService::new(tx),
            ready: Some(rx),
            wanted: None,
            state: None,
            encoded: RefCell::new(None),
        }
    }

    /// What the selected row's preview is, when it has one.
    pub fn state(&self) -> Option<&PreviewState> {
        self.state.as_ref()
    }

    /// Whether the pane draws the picture itself (`images = "off"` keeps the facts only).
    pub fn draws_pictures(&self) -> bool {
        self.mode != ImagesMode::Off
    }

    /// Sets what should be shown; asks the service only when that changed.
    fn want(&mut self, wish: Option<PreviewWish>) -> bool {
        if self.wanted == wish {
            return false;
        }
        self.wanted = wish.clone();
        self.encoded.replace(None);
        self.state = wish.map(|w| {
            self.service.request(w);
            PreviewState::Loading
        });
        true
    }

    /// Asks again for what is shown, which may have changed on disk; the picture stays
    /// until the answer replaces it.
    pub(crate) fn refresh(&mut self) {
        if let Some(wish) = self.wanted.clone() {
            self.service.request(wish);
        }
    }

    /// Takes an answer if it is for what is wanted now (an older one is dropped).
    fn accept(&mut self, ready: PreviewReady) -> bool {
        if self.wanted.as_ref() != Some(&ready.wish) {
            return false;
        }
        if let (Some(PreviewState::Ready(shown)), Ok(new)) = (&self.state, &ready.outcome)
            && Arc::ptr_eq(shown, new)
        {
            // The cache's answer for an unchanged file: nothing to draw again.
            return false;
        }
        self.encoded.replace(None);
        self.state = Some(match ready.outcome {
            Ok(p) => PreviewState::Ready(p),
            Err(e) => PreviewState::Failed(e),
        });
        true
    }

    /// The image encoded for `area` (made once per image and area), drawn into `buf`.
    pub fn draw(&self, preview: &Preview, area: Rect, buf: &mut ratatui::buffer::Buffer) {
        let mut encoded = self.encoded.borrow_mut();
        let fresh = !matches!(&*encoded, Some((at, _)) if *at == area);
        if fresh {
            let size = ratatui::layout::Size::new(area.width, area.height);
            *encoded = self
                .picker
                .new_protocol(preview.image.clone(), size, Resize::Scale(None))
                .ok()
                .map(|p| (area, p));
        }
        if let Some((_, protocol)) = &*encoded {
            ratatui::widgets::Widget::render(Image::new(protocol), area, buf);
        }
    }
}

impl App {
    /// The receiver the event loop waits on for decoded previews.
    pub fn take_preview_events(&mut self) -> Option<Receiver<PreviewReady>> {
        self.previews.ready.take()
    }

    /// Asks for the selected settings row's image when it changed (after every event).
    pub(crate) fn sync_preview(&mut self) {
        let board = self.doc.board();
        let fields = SettingField::all(board);
        let field = fields[self.settings.selected.min(fields.len() - 1)];
        let wish = match field {
            SettingField::FirstFrame | SettingField::LastFrame | SettingField::Reference(_) => {
                let reference = field.text(board).trim().to_string();
                (!reference.is_empty() && self.previews.draws_pictures()).then(|| PreviewWish {
                    board_dir: self.doc.board_dir().to_path_buf(),
                    reference,
                })
            }
            _ => None,
        };
        if self.previews.want(wish) {
            self.dirty = true;
        }
    }

    /// A decoded preview (or why there is none) arrived: one redraw if it is still wanted.
    pub fn on_preview_ready(&mut self, ready: PreviewReady) {
        if self.previews.accept(ready) {
            self.dirty = true;
        }
    }

    /// For tests and scripted runs without the loop: applies the answers already sent and
    /// waits up to `timeout` for the wanted preview's. True once it is in.
    pub fn settle_preview(&mut self, timeout: Duration) -> bool {
        self.sync_preview();
        let until = Instant::now() + timeout;
        loop {
            let Some(rx) = self.previews.ready.as_mut() else {
                return false;
            };
            let next = rx.try_recv();
            match next {
                Ok(ready) => self.on_preview_ready(ready),
                Err(_) if !matches!(self.previews.state, Some(PreviewState::Loading)) => {
                    return true;
                }
                Err(_) if Instant::now() >= until => return false,
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }
}
