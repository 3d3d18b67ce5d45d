//! The selected element row's picture. The editor stays off HTTP: the engine fetches the
//! element's image (the board's URL, which came from the library, else the library's own)
//! into a cache file under the data dir, once per element and session, and the settings
//! pane previews that file like a reference image. An element whose picture is a file of
//! the board's own is previewed straight away. Where no picture is drawn (not fetched
//! yet, none to fetch, `images = "off"`) one line says so.

use crate::app::App;
use shotdeck_core::elements::{PreviewFetch, preview_file};
use shotdeck_core::jobs::JobCmd;
use shotdeck_core::model::is_url;
use shotdeck_files::preview::PreviewWish;

/// The line shown while an element's picture is not in the cache.
const NOT_FETCHED: &str = "preview: not fetched";
/// The line shown for an element without a picture.
const NO_IMAGE: &str = "preview: no image";

/// What the selected element row shows.
enum Show {
    /// The picture, and how the text fallback names it (`images = "off"`).
    Picture(PreviewWish, String),
    Note(String),
}

impl App {
    /// Shows element `index`'s picture, asking the engine for it the first time.
    pub(crate) fn sync_element_preview(&mut self, index: usize) -> bool {
        let show = self.element_show(index);
        let previews = &mut self.panes.previews;
        match show {
            Show::Picture(wish, _) if previews.draws_pictures() => previews.want(Some(wish)),
            Show::Picture(_, name) => previews.note(format!("preview: {name} (images off)")),
            Show::Note(text) => previews.note(text),
        }
    }

    fn element_show(&mut self, index: usize) -> Show {
        let board = self.model.doc.board();
        let Some(element) = board.elements.get(index) else {
            return Show::Note(NO_IMAGE.into());
        };
        let url = element
            .preview
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(path) = url.filter(|p| !is_url(p)) {
            let wish = PreviewWish {
                board_dir: self.model.doc.board_dir().to_path_buf(),
                reference: path.to_string(),
            };
            return Show::Picture(wish, path.to_string());
        }
        let url = url.map(str::to_string);
        let id = element.id.trim().to_string();
        let pictures = &mut self.panes.previews.elements;
        let Some(dir) = pictures.dir.clone() else {
            return Show::Note(NOT_FETCHED.into());
        };
        let Some(into) = preview_file(&dir, &id) else {
            return Show::Note(NO_IMAGE.into());
        };
        match pictures.known.get(&id) {
            Some(Some(PreviewFetch::Fetched(file))) => {
                let name = file.file_name().unwrap_or_default().to_string_lossy();
                let name = format!("fetched, {name}");
                let wish = PreviewWish {
                    board_dir: dir,
                    reference: file.display().to_string(),
                };
                Show::Picture(wish, name)
            }
            Some(Some(PreviewFetch::NoImage)) => Show::Note(NO_IMAGE.into()),
            Some(Some(PreviewFetch::Failed(why))) => Show::Note(format!("{NOT_FETCHED}: {why}")),
            Some(None) => Show::Note(format!("{NOT_FETCHED} (fetching…)")),
            None => {
                pictures.known.insert(id.clone(), None);
                let provider = self.model.doc.provider();
                self.send(JobCmd::ElementPreview {
                    provider,
                    id,
                    url,
                    into,
                });
                Show::Note(format!("{NOT_FETCHED} (fetching…)"))
            }
        }
    }

    /// The engine's answer for element `id`: shown at once if its row is selected.
    pub(crate) fn on_element_preview(&mut self, id: String, outcome: PreviewFetch) {
        self.panes.previews.elements.known.insert(id, Some(outcome));
        self.sync_preview();
        self.dirty = true;
    }
}
