//! Image previews for the settings pane, decoded off the UI thread. The UI asks for a
//! reference; a worker thread (started on the first request, so a session that never looks
//! at an image never starts it) stats the file, decodes and downscales it, and sends the
//! result back on a channel the event loop waits on, so a finished decode costs one redraw
//! and an idle editor costs nothing.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::SystemTime;

use image::DynamicImage;
use tokio::sync::mpsc::Sender as ReadySender;

use crate::image_probe::resolve;
use shotdeck_core::model::is_url;

/// Files larger than this are not decoded for a preview (a board's frames are a few MB).
pub const MAX_PREVIEW_BYTES: u64 = 16 * 1024 * 1024;
/// Images wider or taller than this are not decoded (the decode alone would take seconds).
pub const MAX_PREVIEW_SIDE: u32 = 8192;
/// Previews are kept at most this large (longest side, pixels): enough for a zoomed pane.
pub const PREVIEW_SIDE: u32 = 512;
/// Decoded previews kept; each is at most 512×512 RGBA (1 MiB).
pub const CACHE_ENTRIES: usize = 8;

/// One decoded, downscaled image and what its file says about itself.
#[derive(Debug)]
pub struct Preview {
    pub image: DynamicImage,
    /// `png`, `jpeg`, `webp`…
    pub format: String,
    /// The file's own dimensions, before downscaling.
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// Why a reference has no preview, in words for a one-line note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreviewError {
    #[error("remote image (not fetched)")]
    Remote,
    #[error("missing: {0}")]
    Missing(String),
    #[error("too large to preview ({} MB, limit 16 MB)", .0 / 1_000_000)]
    TooManyBytes(u64),
    #[error("too large to preview ({0}×{1} px, limit 8192)")]
    TooManyPixels(u32, u32),
    #[error("cannot decode: {0}")]
    Corrupt(String),
}

/// What the worker sends back for one request.
#[derive(Debug, Clone)]
pub struct PreviewReady {
    /// The reference as the board writes it, with the folder it was resolved against.
    pub wish: PreviewWish,
    pub outcome: Result<Arc<Preview>, PreviewError>,
}

/// A reference to preview, resolved against `board_dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewWish {
    pub board_dir: PathBuf,
    pub reference: String,
}

/// The identity of a file's contents, as cheaply as the system tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileKey {
    path: PathBuf,
    modified: Option<SystemTime>,
    bytes: u64,
}

/// The most recently used decoded previews, at most `capacity` of them.
pub struct PreviewCache {
    entries: VecDeque<(FileKey, Arc<Preview>)>,
    capacity: usize,
    /// Files decoded so far (misses), to see the cache work.
    decoded: usize,
}

impl PreviewCache {
    pub fn new(capacity: usize) -> PreviewCache {
        PreviewCache {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            decoded: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn decoded(&self) -> usize {
        self.decoded
    }

    fn get(&mut self, key: &FileKey) -> Option<Arc<Preview>> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        let entry = self.entries.remove(at)?;
        let preview = entry.1.clone();
        self.entries.push_front(entry);
        Some(preview)
    }

    fn insert(&mut self, key: FileKey, preview: Arc<Preview>) {
        // A file rewritten in place leaves its old decode behind under the same path.
        self.entries.retain(|(k, _)| k.path != key.path);
        self.entries.push_front((key, preview));
        self.entries.truncate(self.capacity);
    }

    /// Looks `wish` up by its file's current identity, decoding (and keeping) it on a miss.
    pub fn load(&mut self, wish: &PreviewWish) -> Result<Arc<Preview>, PreviewError> {
        if is_url(&wish.reference) {
            return Err(PreviewError::Remote);
        }
        let path = resolve(&wish.board_dir, &wish.reference);
        let meta = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return Err(PreviewError::Missing("not a file".into())),
            Err(e) => return Err(PreviewError::Missing(e.kind().to_string())),
        };
        let key = FileKey {
            path,
            modified: meta.modified().ok(),
            bytes: meta.len(),
        };
        if let Some(hit) = self.get(&key) {
            return Ok(hit);
        }
        self.decoded += 1;
        let preview = Arc::new(decode(&key.path, key.bytes)?);
        self.insert(key, preview.clone());
        Ok(preview)
    }
}

/// Reads the header first, so an oversized file or image is refused before any decoding.
fn decode(path: &Path, bytes: u64) -> Result<Preview, PreviewError> {
    if bytes > MAX_PREVIEW_BYTES {
        return Err(PreviewError::TooManyBytes(bytes));
    }
    // Through the special-file check: a FIFO named like an image is refused, not waited on.
    let open = || {
        let (file, _) = crate::safe_read::open_regular(path, MAX_PREVIEW_BYTES)
            .map_err(|e| PreviewError::Missing(e.to_string()))?;
        image::ImageReader::new(std::io::BufReader::new(file))
            .with_guessed_format()
            .map_err(|e| PreviewError::Missing(e.kind().to_string()))
    };
    let reader = open()?;
    let format = reader
        .format()
        .map(|f| f.extensions_str().first().copied().unwrap_or("image"))
        .ok_or_else(|| PreviewError::Corrupt("not an image format shotdeck reads".into()))?
        .replace("jpg", "jpeg");
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| PreviewError::Corrupt(e.to_string()))?;
    if width > MAX_PREVIEW_SIDE || height > MAX_PREVIEW_SIDE {
        return Err(PreviewError::TooManyPixels(width, height));
    }
    let full = open()?
        .decode()
        .map_err(|e| PreviewError::Corrupt(e.to_string()))?;
    let image = if width.max(height) > PREVIEW_SIDE {
        full.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE)
    } else {
        full
    };
    Ok(Preview {
        image,
        format,
        width,
        height,
        bytes,
    })
}

/// The handle the UI holds: requests go to the worker, results come back on `ready`.
pub struct PreviewService {
    ready: ReadySender<PreviewReady>,
    worker: Option<Sender<PreviewWish>>,
}

impl PreviewService {
    /// A service whose results arrive on `ready`; no thread runs until the first request.
    pub fn new(ready: ReadySender<PreviewReady>) -> PreviewService {
        PreviewService {
            ready,
            worker: None,
        }
    }

    /// Asks for a preview of `wish`; the answer arrives on the `ready` channel.
    pub fn request(&mut self, wish: PreviewWish) {
        let ready = self.ready.clone();
        let worker = self.worker.get_or_insert_with(|| {
            // Unbounded, but the worker drains it before each decode and keeps only the
            // newest wish: the queue holds what arrives during one decode.
            let (tx, rx) = channel();
            std::thread::Builder::new()
                .name("shotdeck-previews".into())
                .spawn(move || serve(rx, ready))
                .expect("a thread for image previews");
            tx
        });
        if let Err(lost) = worker.send(wish) {
            // The worker died (a decoder panicked): the next request starts a new one.
            self.worker = None;
            self.request(lost.0);
        }
    }
}

/// The worker: the newest request wins, older queued ones are skipped (the user moved on).
/// A full `ready` channel makes the worker wait (`blocking_send`, on its own thread) until
/// the UI takes a preview; wishes sent meanwhile collapse into the newest.
fn serve(rx: Receiver<PreviewWish>, ready: ReadySender<PreviewReady>) {
    let mut cache = PreviewCache::new(CACHE_ENTRIES);
    while let Ok(mut wish) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            wish = newer;
        }
        let outcome = cache.load(&wish);
        if ready.blocking_send(PreviewReady { wish, outcome }).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(dir: &Path, name: &str, width: u32, height: u32) {
        image::RgbImage::from_pixel(width, height, image::Rgb([200, 10, 10]))
            .save(dir.join(name))
            .unwrap();
    }

    fn wish(dir: &Path, reference: &str) -> PreviewWish {
        PreviewWish {
            board_dir: dir.to_path_buf(),
            reference: reference.into(),
        }
    }

    #[test]
    fn the_cache_keeps_the_most_recently_used_and_notices_rewrites() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.png", "b.png", "c.png"] {
            png(dir.path(), name, 4, 2);
        }
        let mut cache = PreviewCache::new(2);
        cache.load(&wish(dir.path(), "a.png")).unwrap();
        cache.load(&wish(dir.path(), "b.png")).unwrap();
        cache.load(&wish(dir.path(), "a.png")).unwrap();
        assert_eq!(cache.decoded(), 2, "a second look at a.png is a hit");
        cache.load(&wish(dir.path(), "c.png")).unwrap();
        assert_eq!(cache.len(), 2, "the bound holds");
        cache.load(&wish(dir.path(), "a.png")).unwrap();
        assert_eq!(cache.decoded(), 3, "a.png was used last, so b.png went");
        cache.load(&wish(dir.path(), "b.png")).unwrap();
        assert_eq!(cache.decoded(), 4);

        png(dir.path(), "b.png", 6, 3);
        let again = cache.load(&wish(dir.path(), "b.png")).unwrap();
        assert_eq!(
            (again.width, again.height),
            (6, 3),
            "a rewritten file is read again"
        );
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn big_images_are_downscaled_and_keep_their_own_facts() {
        let dir = tempfile::tempdir().unwrap();
        png(dir.path(), "wide.png", 1024, 256);
        let p = PreviewCache::new(1)
            .load(&wish(dir.path(), "wide.png"))
            .unwrap();
        assert_eq!((p.format.as_str(), p.width, p.height), ("png", 1024, 256));
        assert_eq!((p.image.width(), p.image.height()), (PREVIEW_SIDE, 128));
    }

    #[test]
    fn what_is_not_previewed_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("broken.png"), b"not a png at all").unwrap();
        png(d, "tall.png", 1, MAX_PREVIEW_SIDE + 1);
        let huge = std::fs::File::create(d.join("huge.png")).unwrap();
        huge.set_len(MAX_PREVIEW_BYTES + 1).unwrap();
        let mut cache = PreviewCache::new(4);
        let mut why = |r: &str| cache.load(&wish(d, r)).unwrap_err().to_string();
        assert_eq!(why("https://x.test/a.png"), "remote image (not fetched)");
        assert_eq!(why("gone.png"), "missing: entity not found");
        assert!(
            why("broken.png").starts_with("cannot decode: "),
            "{}",
            why("broken.png")
        );
        assert_eq!(
            why("tall.png"),
            "too large to preview (1×8193 px, limit 8192)"
        );
        assert_eq!(why("huge.png"), "too large to preview (16 MB, limit 16 MB)");
    }
}
