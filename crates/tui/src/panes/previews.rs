//! The settings pane's image preview as the app tracks it: which image the selected row
//! names, the answer the preview service sent for it, and the terminal graphics encoding of
//! that answer for the area it was last drawn in. Nothing here reads a file: the service in
//! `files::preview` does, on its own thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;
use ratatui_image::{Image, Resize};
use tokio::sync::mpsc::{Receiver, channel};

use shotdeck_core::elements::PreviewFetch;
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
    /// One line instead of a picture: an element whose picture is not fetched (yet), or
    /// has none, or the text fallback under `images = "off"`.
    Note(String),
}

/// What the editor knows of the elements' pictures: the engine fetches them into cache
/// files (the editor stays off HTTP), which are previewed like reference images.
#[derive(Debug, Default)]
pub(crate) struct ElementPictures {
    /// Where the engine caches them (`<data dir>/element-previews`); `None`: nowhere, so
    /// nothing is fetched.
    pub(crate) dir: Option<PathBuf>,
    /// By element id: asked for (`None`), or the engine's answer.
    pub(crate) known: HashMap<String, Option<PreviewFetch>>,
}

pub struct Previews {
    mode: ImagesMode,
    picker: Picker,
    service: PreviewService,
    /// Results, until the event loop takes the receiver to wait on it.
    pub(crate) ready: Option<Receiver<PreviewReady>>,
    wanted: Option<PreviewWish>,
    pub(crate) state: Option<PreviewState>,
    /// The last encoding, for the cells it was made for: a frame that draws the same image
    /// in the same place sends the same cells, which the diff then leaves out.
    encoded: RefCell<Option<(Rect, Protocol)>>,
    /// The board's element pictures as the engine fetched them.
    pub(crate) elements: ElementPictures,
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
            elements: Default::default(),
        }
    }

    /// Element pictures are cached in `dir` (see [`ElementPictures`]).
    pub fn with_element_dir(mut self, dir: Option<std::path::PathBuf>) -> Previews {
        self.elements.dir = dir;
        self
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
    pub(crate) fn want(&mut self, wish: Option<PreviewWish>) -> bool {
        // Nothing wanted while a note shows: the note goes.
        if self.wanted == wish && (wish.is_some() || self.state.is_none()) {
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

    /// Shows `text` instead of a picture (see [`PreviewState::Note`]).
    pub(crate) fn note(&mut self, text: String) -> bool {
        if self.wanted.is_none() && matches!(&self.state, Some(PreviewState::Note(t)) if *t == text)
        {
            return false;
        }
        self.wanted = None;
        self.encoded.replace(None);
        self.state = Some(PreviewState::Note(text));
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
    pub(crate) fn accept(&mut self, ready: PreviewReady) -> bool {
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
